import pytest

from lindung.core.errors import ServiceError
from lindung.core.jobs import JobContext, job_handler, start_job
from lindung.core.models import Job

pytestmark = pytest.mark.django_db


@job_handler("test.count")
def _count(ctx: JobContext):
    total = ctx.params["n"]
    for i in range(total):
        ctx.progress(i + 1, total, f"item {i + 1}", force=True)
    return {"counted": total}


@job_handler("test.fail")
def _fail(ctx: JobContext):
    raise ServiceError("nope", "This job refuses.")


@job_handler("test.crash")
def _crash(ctx: JobContext):
    raise RuntimeError("boom")


def test_job_runs_inline_and_reports_progress(users):
    job = start_job("test.count", actor=users["officer"], params={"n": 3})
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 3}
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.started_at and job.finished_at and job.task_result_id


def test_failed_jobs_record_the_reason(users):
    job = start_job("test.fail", actor=users["officer"])
    assert job.status == Job.Status.FAILED and job.error == "This job refuses."
    assert job.result["error"]["code"] == "nope"
    crashed = start_job("test.crash", actor=users["officer"])
    assert crashed.status == Job.Status.FAILED and "boom" not in crashed.error and str(crashed.pk) in crashed.error


def test_unknown_job_kind_is_refused(users):
    with pytest.raises(ServiceError):
        start_job("test.no-such-kind")


def test_job_page_and_api_show_progress(client, api_client, users):
    job = start_job("test.count", actor=users["officer"], params={"n": 2})
    client.force_login(users["officer"])
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and b"2 / 2" in page.content
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"job-progress" in fragment.content
    data = api_client(users["officer"]).get(f"/api/v1/jobs/{job.pk}").json()
    assert data["status"] == "succeeded" and data["result"] == {"counted": 2}


@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_the_job_and_the_worker_runs_it(users, settings):
    """With LINDUNG_TASKS_BACKEND=database a job waits in the queue until `lindung db_worker` runs it."""
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        job = start_job("test.count", actor=users["officer"], params={"n": 4})
        assert job.status == Job.Status.QUEUED
        assert job.progress_done == 0
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 4}
    assert (job.progress_done, job.progress_total) == (4, 4)


def test_a_job_started_for_a_sponsor_is_seen_by_that_sponsor_only(users, sponsors, client):
    """The job's sponsor is a plain id column (the kernel relates to no context): ``start_job``
    takes the sponsor, and scoping, the job page and the API answer as before."""
    own = start_job("test.count", actor=users["officer"], sponsor=sponsors["dumai"], params={"n": 1})
    other = start_job("test.count", actor=users["officer"], sponsor=sponsors["riau"].pk, params={"n": 1})
    staff = start_job("test.count", actor=users["officer"], params={"n": 1})
    assert (own.sponsor_ref, other.sponsor_ref, staff.sponsor_ref) == (sponsors["dumai"].pk, sponsors["riau"].pk, None)
    assert set(Job.objects.visible_to(users["sponsor"])) == {own}
    assert set(Job.objects.visible_to(users["officer"])) == {own, other, staff}
    client.force_login(users["sponsor"])
    assert client.get(f"/jobs/{own.pk}/").status_code == 200
    assert client.get(f"/jobs/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{own.pk}").status_code == 200
    missing = client.get(f"/api/v1/jobs/{other.pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


# --- the worker's heartbeat, jobs abandoned by a dead worker, retry and cancel -----------------

import datetime as dt  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402

from django.utils import timezone  # noqa: E402

from lindung.core import jobs as jobs_module  # noqa: E402

_runs = {"flaky": 0}


@job_handler("test.flaky", permission="core.change_job")
def _flaky(ctx: JobContext):
    _runs["flaky"] += 1
    if ctx.job.attempt == 1:
        raise ServiceError("flaky", "The first attempt fails.")
    return {"attempt": ctx.job.attempt}


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _running(kind="test.count", *, worker: str, beat: dt.datetime | None, **fields) -> Job:
    return Job.objects.create(kind=kind, status=Job.Status.RUNNING, worker=worker, started_at=beat, heartbeat_at=beat, **fields)


def test_a_job_whose_worker_process_is_gone_is_marked_failed_with_the_reason():
    job = _running(worker=f"{socket.gethostname()}:{_dead_pid()}", beat=timezone.now())
    alive = _running(worker=f"{socket.gethostname()}:1", beat=timezone.now())  # init never ends
    assert jobs_module.reap_abandoned_jobs() == [job]
    job.refresh_from_db()
    alive.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at and job.worker.split(":")[1] in job.error
    assert alive.status == Job.Status.RUNNING
    assert jobs_module.reap_abandoned_jobs() == []


def test_a_silent_job_is_given_up_after_its_lease(settings):
    settings.LINDUNG_JOB_LEASE_SECONDS = 60
    now = timezone.now()
    silent = _running(worker="elsewhere:42", beat=now - dt.timedelta(seconds=61))
    beating = _running(worker="elsewhere:43", beat=now - dt.timedelta(seconds=30))
    assert jobs_module.reap_abandoned_jobs(now=now) == [silent]
    silent.refresh_from_db()
    assert silent.status == Job.Status.FAILED and "elsewhere:42" in silent.error
    beating.refresh_from_db()
    assert beating.status == Job.Status.RUNNING


def test_the_job_page_and_api_show_an_abandoned_job_as_failed(users, client, api_client):
    job = _running(worker=f"{socket.gethostname()}:{_dead_pid()}", beat=timezone.now(), created_by=users["officer"])
    client.force_login(users["officer"])
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and 'data-status="failed"' in page
    assert api_client(users["officer"]).get(f"/api/v1/jobs/{job.pk}").json()["status"] == "failed"


def test_progress_inside_the_jobs_transaction_is_seen_from_outside_while_it_runs(settings, transactional_db):
    """Inside the handler's transaction the job row cannot show progress to others; the job
    context writes it aside (PostgreSQL: a second connection; SQLite: the live-state file) and
    the kernel's reads show it, with a heartbeat, while the job runs."""
    import threading

    from django.db import connection, transaction

    settings.LINDUNG_JOB_HEARTBEAT_SECONDS = 0.1
    seen = {}
    release = threading.Event()

    @job_handler("test.in_transaction")
    def _in_transaction(ctx: JobContext):
        with transaction.atomic():
            ctx.progress(3, 9, "inside", force=True)
            seen["outside"] = _read_from_another_connection(ctx.job.pk)
            release.wait(10)
        return {}

    def _read_from_another_connection(job_id):
        result = {}

        def read():
            deadline = timezone.now() + dt.timedelta(seconds=10)
            while timezone.now() < deadline:
                if connection.vendor == "sqlite":
                    # The in-memory test database is not shared across threads while a transaction
                    # is open; the live-state file is what the kernel's reads merge in.
                    live = jobs_module._read_live_file(job_id)
                    result.update(done=live.get("progress_done"), total=live.get("progress_total"), message=live.get("message"))
                    if live.get("heartbeat_at") and result["done"] == 3:
                        break
                else:
                    job = jobs_module.with_live_state(Job.objects.get(pk=job_id))
                    result.update(done=job.progress_done, total=job.progress_total, message=job.message)
                    if job.progress_done == 3 and job.heartbeat_at != job.started_at:
                        break
            connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(15)
        release.set()
        return result

    job = start_job("test.in_transaction")
    assert (seen["outside"]["done"], seen["outside"]["total"], seen["outside"]["message"]) == (3, 9, "inside")
    assert job.status == Job.Status.SUCCEEDED and (job.progress_done, job.progress_total) == (9, 9)
    assert not (settings.DATA_DIR / "jobs" / f"{job.pk}.json").exists()


def test_progress_written_aside_never_waits_for_a_locked_job_row(transactional_db):
    """The handler's transaction may hold the job row: the aside write skips it rather than wait
    for a lock released only when the job ends."""
    import threading

    from django.db import transaction

    job = Job.objects.create(kind="test.count", params={})
    live = jobs_module._LiveState(job.pk, flush_interval=0.05)
    with transaction.atomic():
        Job.objects.select_for_update().get(pk=job.pk)
        live.publish({"progress_done": 1}, in_transaction=True)
        stopper = threading.Thread(target=lambda: (live.start(), __import__("time").sleep(0.3), live.stop()))
        stopper.start()
        stopper.join(5)
        waited = stopper.is_alive()
    stopper.join()
    assert not waited


def test_a_failed_job_is_retried_from_the_web_the_api_and_the_cli(users, client, api_client):
    from django.core.management import call_command

    for how in ("web", "api", "cli"):
        failed = start_job("test.flaky", actor=users["admin"])
        assert failed.status == Job.Status.FAILED and failed.attempt == 1
        if how == "web":
            client.force_login(users["admin"])
            assert b'data-testid="job-retry"' in client.get(f"/jobs/{failed.pk}/").content
            r = client.post(f"/jobs/{failed.pk}/retry/")
            again = Job.objects.get(retry_of=failed)
            assert r.status_code == 302 and r["Location"] == f"/jobs/{again.pk}/"
        elif how == "api":
            r = api_client(users["admin"]).post(f"/api/v1/jobs/{failed.pk}/retry")
            assert r.status_code == 201 and r.json()["retry_of"] == str(failed.pk) and r.json()["attempt"] == 2
            again = Job.objects.get(retry_of=failed)
        else:
            call_command("jobs", "retry", str(failed.pk), actor_username=users["admin"].username, stdout=__import__("io").StringIO())
            again = Job.objects.get(retry_of=failed)
        assert again.status == Job.Status.SUCCEEDED and again.result == {"attempt": 2} and again.created_by == users["admin"]
        again_twice = api_client(users["admin"]).post(f"/api/v1/jobs/{failed.pk}/retry")
        assert again_twice.status_code == 409 and again_twice.json()["error"]["code"] == "job_retried"
    done = start_job("test.count", actor=users["admin"], params={"n": 1})
    assert api_client(users["admin"]).post(f"/api/v1/jobs/{done.pk}/retry").json()["error"]["code"] == "job_not_failed"


def test_retry_needs_the_kinds_permission(users, client, api_client):
    failed = start_job("test.flaky", actor=users["officer"])
    for role in ("officer", "auditor", "sponsor"):
        r = api_client(users[role]).post(f"/api/v1/jobs/{failed.pk}/retry")
        assert r.status_code in (403, 404), role
    client.force_login(users["officer"])
    assert b"job-retry" not in client.get(f"/jobs/{failed.pk}/").content
    assert client.post(f"/jobs/{failed.pk}/retry/").status_code == 403
    assert not Job.objects.filter(retry_of=failed).exists()


def test_a_queued_job_is_cancelled_and_the_worker_skips_it(users, client, api_client):
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        by_api = start_job("test.count", actor=users["officer"], params={"n": 1})
        by_web = start_job("test.count", actor=users["officer"], params={"n": 1})
        by_other = start_job("test.count", actor=users["admin"], params={"n": 1})
    r = api_client(users["officer"]).post(f"/api/v1/jobs/{by_api.pk}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    client.force_login(users["officer"])
    assert b'data-testid="job-cancel"' in client.get(f"/jobs/{by_web.pk}/").content
    assert client.post(f"/jobs/{by_web.pk}/cancel/").status_code == 302
    # Not the officer's job, and the officer holds no permission over the kind.
    assert api_client(users["officer"]).post(f"/api/v1/jobs/{by_other.pk}/cancel").status_code == 403
    for job in (by_api, by_web):
        job.refresh_from_db()
        assert job.status == Job.Status.CANCELLED and job.is_finished and "officer" in job.message
        assert jobs_module.execute_job(str(job.pk)).status == Job.Status.CANCELLED  # the worker's delivery runs nothing
    again = api_client(users["officer"]).post(f"/api/v1/jobs/{by_api.pk}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_not_queued"
    assert api_client(users["admin"]).post(f"/api/v1/jobs/{by_api.pk}/retry").status_code == 201  # inline backend


def test_jobs_cli_lists_and_shows(users):
    import io
    import json

    from django.core.management import call_command

    job = start_job("test.count", actor=users["officer"], params={"n": 2})
    out = io.StringIO()
    call_command("jobs", "list", "--json", stdout=out)
    assert str(job.pk) in [j["id"] for j in json.loads(out.getvalue())]
    out = io.StringIO()
    call_command("jobs", "show", str(job.pk), stdout=out)
    assert "succeeded" in out.getvalue() and "2/2" in out.getvalue()


def test_lindung_run_starts_the_worker_beside_the_development_server():
    from lindung.core.management.commands.run import child_commands

    worker, server = child_commands("127.0.0.1:8123")
    assert worker[-5:] == ["worker", "--interval", "0.5", "--no-startup-delay", "--reload"] and server[-2:] == ["runserver", "127.0.0.1:8123"]
    assert "lindung run" in open("Makefile").read()
