import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_and_sees_the_home_page(live_server, page, users):
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "Masuk"
    page.fill("#id_username", users["officer"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert "Officer Tester" in page.get_by_test_id("home-title").inner_text()
    assert "Petugas" in page.get_by_test_id("whoami").inner_text()
    # The stylesheet is served and applied (the top bar is Lindung green).
    assert page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 110, 79)"


def test_wrong_password_shows_an_error_and_language_switches(live_server, page, users):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", users["officer"].username)
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    # The answer is a new page: wait for it rather than look at the one being left.
    page.locator("[role=alert]").wait_for()
    assert page.locator("[role=alert]").is_visible()
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("h1").inner_text() == "Log in"
    assert page.locator("html").get_attribute("lang") == "en"


def test_sponsor_user_sees_own_sponsor_only(live_server, page, users, sponsors):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", users["sponsor"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/sponsors/")
    table = page.locator("table").inner_text()
    assert "Pemerintah Kota Dumai" in table and "Pemerintah Provinsi Riau" not in table
    response = page.goto(live_server.url + f"/sponsors/{sponsors['riau'].code}/")
    assert response.status == 404


def test_api_docs_render_in_the_browser_without_the_internet(live_server, page):
    """Swagger UI comes from the installed package's static files and passes the site's CSP."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=60_000)  # slow only on a loaded machine
    assert page.locator(".opblock-summary-path").filter(has_text="/api/v1/calc/benefit").count() == 1
    assert errors == []


def test_pages_raise_no_content_security_policy_errors(live_server, page, users, sponsors):
    """The CSP allows no inline script or style: every page's behaviour comes from static files."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", users["admin"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    for path in ["/", "/sponsors/", "/participants/", "/persons/", "/contributions/", "/claims/"]:
        assert page.goto(live_server.url + path).status == 200, path
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert errors == []
