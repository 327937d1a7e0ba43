import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args, env_extra, cwd=None):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "lindung", *args], env=env, cwd=cwd or ROOT, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-entropy-123456",
            "ALLOWED_HOSTS": "lindung.example.org",
            "LINDUNG_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["check"], {"LINDUNG_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_pure_commands_run_without_a_secret_key(tmp_path):
    """The calculator, the rules docs and the translation tools sign nothing: an operator runs them
    with production settings and no SECRET_KEY; every other command still refuses."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["LINDUNG_DATA_DIR"] = str(tmp_path)
    calc = subprocess.run(
        [sys.executable, "-m", "lindung", "calc", "contribution"],
        input='{"segment": "BPU", "date": "2024-03-01", "programs": ["JKK", "JKM"], "wage": 1000000}',
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert calc.returncode == 0, calc.stderr
    assert json.loads(calc.stdout)["total"] == 16_800
    docs = subprocess.run(
        [sys.executable, "-m", "lindung", "rules", "docs", "--check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert docs.returncode == 0, docs.stderr
    migrate = subprocess.run([sys.executable, "-m", "lindung", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert migrate.returncode != 0
    assert "SECRET_KEY is not set" in migrate.stderr


def test_debug_is_off_unless_set(tmp_path):
    result = run(
        ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"],
        {"SECRET_KEY": "x" * 60, "LINDUNG_DATA_DIR": str(tmp_path)},
    )
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_lindung_console_script_lists_project_commands(tmp_path):
    result = run(["help"], {"DEBUG": "1", "LINDUNG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    for command in ["regions", "demo", "token", "roles", "serve", "calc"]:
        assert command in result.stdout


def test_serve_runs_gunicorn(tmp_path):
    result = run(["serve", "--dry-run", "--bind", "127.0.0.1:9999"], {"DEBUG": "1", "LINDUNG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert "gunicorn lindung.wsgi:application --bind 127.0.0.1:9999" in result.stdout


def test_serve_access_log_leaves_out_query_strings(tmp_path):
    """Searches carry NIKs and names in the query string; gunicorn's access log must not keep them."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}}
    env.update({"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "127.0.0.1", "LINDUNG_DATA_DIR": str(tmp_path), "LINDUNG_SECURE_SSL_REDIRECT": "0"})
    server = subprocess.Popen(
        [sys.executable, "-m", "lindung", "serve", "--no-collectstatic", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 90  # gunicorn's start is slow on a loaded two-core machine
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=1472015507900001&name=Siti") as response:
                    status = response.status
            except OSError:
                time.sleep(0.2)
        assert status == 200, f"the server did not answer (exit code {server.poll()})"
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    line = next(x for x in log.splitlines() if "/healthz" in x)
    assert '"GET /healthz HTTP/1.1" 200' in line
    assert "1472015507900001" not in log and "Siti" not in log


def test_demo_refused_without_debug(tmp_path):
    result = run(["demo"], {"SECRET_KEY": "x" * 60, "LINDUNG_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "DEBUG" in result.stderr


@pytest.mark.django_db
def test_demo_data_has_a_user_for_every_role(settings):
    from django.core.management import call_command

    from lindung.accounts.models import User
    from lindung.accounts.roles import ROLES

    settings.DEBUG = True
    call_command("demo", "--quiet-logins")
    call_command("demo", "--quiet-logins")  # idempotent
    roles = set()
    for user in User.objects.all():
        roles |= user.role_names
    assert roles == set(ROLES)
    disnaker = User.objects.get(username="disnaker")
    assert disnaker.sponsor.code == "PEMKO-DUMAI" and disnaker.check_password(settings.LINDUNG_DEMO_PASSWORD)


def test_translations_are_complete_and_compiled(tmp_path):
    result = run(["i18n", "check"], {"DEBUG": "1", "LINDUNG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_lindung_calc_wraps_the_rules_cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"}}
    env.update({"DEBUG": "1", "LINDUNG_DATA_DIR": str(tmp_path)})
    ok = subprocess.run(
        [sys.executable, "-m", "lindung", "calc", "contribution"],
        input='{"segment": "BPU", "date": "2024-01-15", "programs": ["JKK", "JKM"], "wage": 1000000}',
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    import json

    assert json.loads(ok.stdout)["total"] == 16800
    bad = subprocess.run(
        [sys.executable, "-m", "lindung", "calc", "benefit"],
        input='{"program": "JKM", "event_date": "not-a-date"}',
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "event_date" in json.loads(bad.stdout)["error"]["fields"]
    docs = subprocess.run(
        [sys.executable, "-m", "lindung", "rules", "docs", "--check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert docs.returncode == 0, docs.stdout + docs.stderr
