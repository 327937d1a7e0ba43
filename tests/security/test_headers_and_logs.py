"""Issue 10 item 14: no personal data in the development server's log, loopback by default, a CSP
without inline scripts or styles."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lindung.core.log_filters import strip_query_string

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "lindung"


def _env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "LINDUNG_BIND"}
    }
    env.update(extra)
    return env


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_strip_query_string():
    assert strip_query_string("GET /persons/?q=1472015507900001 HTTP/1.1") == "GET /persons/ HTTP/1.1"
    assert strip_query_string("GET /persons/ HTTP/1.1") == "GET /persons/ HTTP/1.1"
    assert strip_query_string("POST /api/v1/x?name=Siti%20Aminah&page=2 HTTP/1.1") == "POST /api/v1/x HTTP/1.1"


def test_runserver_log_leaves_out_query_strings(tmp_path):
    """The development server logged searched NIKs and names from the query string."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lindung", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        env=_env(DEBUG="1", LINDUNG_DATA_DIR=str(tmp_path)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=1472015507900001&name=Siti") as response:
                    status = response.status
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        time.sleep(0.3)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    line = next(x for x in log.splitlines() if "/healthz" in x)
    assert '"GET /healthz HTTP/1.1" 200' in line
    assert "1472015507900001" not in log and "Siti" not in log


def test_serve_binds_to_loopback_unless_told(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "lindung", "serve", "--dry-run"],
        env=_env(DEBUG="1", LINDUNG_DATA_DIR=str(tmp_path)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--bind 127.0.0.1:8000" in result.stdout
    assert "0.0.0.0" not in result.stdout
    told = subprocess.run(
        [sys.executable, "-m", "lindung", "serve", "--dry-run"],
        env=_env(DEBUG="1", LINDUNG_DATA_DIR=str(tmp_path), LINDUNG_BIND="0.0.0.0:9000"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "--bind 0.0.0.0:9000" in told.stdout


@pytest.mark.django_db
def test_csp_allows_no_inline_script_or_style(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "inline <style>"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP refuses them, so each would be a silently broken page."""
    found = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []


@pytest.mark.django_db
def test_pages_load_the_script_file(client, users):
    client.force_login(users["officer"])
    html = client.get("/").content.decode()
    assert 'src="/static/lindung/lindung.js"' in html
    from django.contrib.staticfiles import finders

    assert finders.find("lindung/lindung.js")
