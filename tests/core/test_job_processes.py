"""Jobs across real processes: a fresh process knows every job kind; a worker started with
``--skip-checks`` runs them; progress made inside a job's transaction is seen from outside while
it runs; a worker killed mid-job leaves a job that is found and marked failed with the reason."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

import tests.core.process_job_handlers  # noqa: F401 - registers test.hold in this process too
from lindung.core.jobs import job_kinds, start_job
from lindung.core.models import Job

ROOT = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _env(tmp_path: Path, database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url,
        LINDUNG_DATA_DIR=str(tmp_path / "data"),
        LINDUNG_TASKS_BACKEND="database",
        DJANGO_SETTINGS_MODULE="lindung.settings",
        **extra,
    )
    return env


def _run(args, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def process_db(tmp_path, transactional_db):
    """A database URL the subprocesses share with the test: on PostgreSQL the test database itself
    (the test commits), on SQLite a file copy of the in-memory test database made by ``share()``."""
    state = {"url": None, "file": None}

    def share() -> str:
        if connection.vendor == "sqlite":
            path = tmp_path / "shared.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            state["file"] = path
            state["url"] = f"sqlite:///{path}"
        else:
            s = connection.settings_dict
            state["url"] = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return state["url"]

    def job_row(job_id) -> dict:
        if state["file"] is not None:
            db = sqlite3.connect(state["file"], timeout=10)
            db.row_factory = sqlite3.Row
            try:
                row = db.execute("SELECT status, error, progress_done, worker FROM core_job WHERE id = ?", [str(job_id).replace("-", "")]).fetchone()
            finally:
                db.close()
            return dict(row)
        job = Job.objects.get(pk=job_id)
        return {"status": job.status, "error": job.error, "progress_done": job.progress_done, "worker": job.worker}

    share.job_row = job_row
    return share


def test_a_fresh_process_knows_every_job_kind_declared_in_the_code():
    """Handlers register from their apps' ready(): nothing but ``django.setup()`` is needed. The
    kinds are those known here once every module of the code has been imported."""
    import importlib
    import pkgutil

    import lindung

    for info in pkgutil.walk_packages(lindung.__path__, "lindung."):
        if ".migrations" not in info.name and not info.name.endswith(("wsgi", "asgi", "__main__")):
            importlib.import_module(info.name)
    declared = {k for k in job_kinds() if not k.startswith("test.")}
    assert {"roster_import", "membership_cards", "contributions.billing_run", "contributions.daily"} <= declared
    code = "import django, json; django.setup(); from lindung.core.jobs import job_kinds; print(json.dumps(sorted(job_kinds())))"
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "lindung.settings"}
    done = _run([sys.executable, "-c", code], env)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout.strip().splitlines()[-1])) == declared


def test_a_worker_started_with_skip_checks_runs_every_kind(process_db, tmp_path, users):
    """No kind fails as unknown: each runs its handler (with empty parameters most fail, each for a
    reason of its own)."""
    kinds = sorted(k for k in job_kinds() if not k.startswith("test."))
    with override_settings(TASKS=DATABASE_BACKEND):
        queued = {kind: start_job(kind, actor=users["admin"], params={}) for kind in kinds}
    assert {j.status for j in queued.values()} == {Job.Status.QUEUED}
    env = _env(tmp_path, process_db())
    done = _run([sys.executable, "-m", "lindung.cli", "worker", "--batch", "--skip-checks", "--no-reload", "--no-startup-delay", "-v", "0"], env)
    assert done.returncode == 0, done.stderr
    for kind, job in queued.items():
        row = process_db.job_row(job.pk)
        assert row["status"] in (Job.Status.SUCCEEDED, Job.Status.FAILED), (kind, row)
        assert "No handler" not in row["error"] and "Tidak ada penangan" not in row["error"], (kind, row)
        assert row["worker"].endswith(tuple("0123456789")), row


def test_a_killed_worker_leaves_a_job_that_is_marked_failed_with_the_reason(process_db, tmp_path, users):
    release = tmp_path / "release"
    with override_settings(TASKS=DATABASE_BACKEND):
        job = start_job("test.hold", actor=users["admin"], params={"release": str(release)})
    env = _env(tmp_path, process_db(), LINDUNG_JOB_HEARTBEAT_SECONDS="0.2")
    worker_code = (
        "import django; django.setup(); import tests.core.process_job_handlers; "
        "from django.core.management import call_command; "
        "call_command('worker', '--no-reload', '--no-startup-delay', '--interval', '0.1', verbosity=0)"
    )
    worker = subprocess.Popen([sys.executable, "-c", worker_code], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while process_db.job_row(job.pk)["status"] != Job.Status.RUNNING:
            assert time.monotonic() < deadline and worker.poll() is None, worker.stderr.read() if worker.poll() is not None else "not started"
            time.sleep(0.2)
        # The handler's transaction is open: the row shows no progress (SQLite) or the second
        # connection's (PostgreSQL); the job seen through the kernel shows 7 of 10 either way.
        deadline = time.monotonic() + 20
        while True:
            shown = json.loads(_run([sys.executable, "-m", "lindung.cli", "jobs", "show", str(job.pk), "--json"], env).stdout)
            if shown["progress_done"] == 7 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert (shown["status"], shown["progress_done"], shown["progress_total"], shown["message"]) == ("running", 7, 10, "holding")
        assert shown["heartbeat_at"]
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    reaped = _run([sys.executable, "-m", "lindung.cli", "jobs", "reap", "--json"], env)
    assert reaped.returncode == 0, reaped.stderr
    assert [j["id"] for j in json.loads(reaped.stdout)] == [str(job.pk)]
    row = process_db.job_row(job.pk)
    assert row["status"] == Job.Status.FAILED
    assert str(worker.pid) in row["error"] and ("ended" in row["error"] or "berhenti" in row["error"])
    assert _run([sys.executable, "-m", "lindung.cli", "jobs", "reap", "--json"], env).stdout.strip() == "[]"
