import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_and_logout(client, users):
    response = client.post("/accounts/login/", {"username": users["officer"].username, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert users["officer"].get_full_name() in home.content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, users):
    response = client.post("/accounts/login/", {"username": users["officer"].username, "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["user"].is_anonymous


def test_login_is_throttled_after_repeated_failures(users, settings):
    c = Client(REMOTE_ADDR="10.1.2.3")
    username = users["officer"].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post("/accounts/login/", {"username": username, "password": "wrong-password"})
    # Now even the right password is refused for this username from this address.
    locked = c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert locked.status_code == 429
    assert c.get("/").status_code == 302
    # Another address is not locked.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    call_command("axes_reset")
    assert c.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302


def test_home_page_differs_by_role(client, users):
    client.force_login(users["sponsor"])
    sponsor_home = client.get("/").content.decode()
    client.force_login(users["auditor"])
    auditor_home = client.get("/").content.decode()
    assert "/sponsors/PEMKO-DUMAI/" in sponsor_home
    assert "/audit/" in auditor_home and "/audit/" not in sponsor_home
