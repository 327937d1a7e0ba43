"""Browser tests: Playwright (Python) driving the system's Chromium, headless.

Without a Chromium binary they skip with a clear message; with LINDUNG_REQUIRE_BROWSER=1 (set by
.ci/run) a missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = [os.environ.get("LINDUNG_CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]


def _chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        message = "no Chromium found (install Debian's chromium package, or set LINDUNG_CHROMIUM); browser tests skipped"
        if os.environ.get("LINDUNG_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # An English-speaking browser: the interface must still open in Indonesian.
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    yield page
    context.close()
