"""Issue 10 item 10: log-in limits per address and per username, an administrator's password reset
and the forced change of a reset password."""

import pytest
from django.core.management import call_command
from django.test import Client

from lindung.accounts.models import User
from lindung.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _fail(client, username, times=1):
    for _ in range(times):
        assert client.post("/accounts/login/", {"username": username, "password": "wrong-password"}).status_code in (200, 429)


def _login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def test_one_address_trying_many_usernames_is_locked(users, settings):
    """20 wrong passwords over 10 usernames from one address locked nothing."""
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    for i in range(settings.LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT):
        _fail(attacker, f"guess-{i % 10}")
    assert _login(attacker, users["officer"].username) == 429
    # Another address logs in.
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), users["officer"].username) == 302


def test_one_address_below_the_limit_is_not_locked(users, settings):
    client = Client(REMOTE_ADDR="10.6.6.7")
    for i in range(settings.LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        _fail(client, f"guess-{i % 10}")
    assert _login(client, users["officer"].username) == 302


def test_one_username_from_many_addresses_is_locked(users, settings):
    """The same user from another address logged in at once."""
    username = users["finance"].username
    for i in range(settings.LINDUNG_LOGIN_USERNAME_FAILURE_LIMIT):
        _fail(Client(REMOTE_ADDR=f"10.7.{i}.1"), username)
    assert _login(Client(REMOTE_ADDR="10.8.8.8"), username) == 429
    # Other users are not affected.
    assert _login(Client(REMOTE_ADDR="10.8.8.8"), users["officer"].username) == 302


def test_the_pair_limit_still_holds(users, settings):
    client = Client(REMOTE_ADDR="10.1.2.3")
    username = users["officer"].username
    _fail(client, username, settings.AXES_FAILURE_LIMIT)
    assert _login(client, username) == 429
    assert _login(Client(REMOTE_ADDR="10.9.9.9"), username) == 302


def test_logging_in_to_ones_own_account_does_not_wipe_an_address_s_failures(users, settings):
    client = Client(REMOTE_ADDR="10.6.6.8")
    for i in range(settings.LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        _fail(client, f"guess-{i % 10}")
    assert _login(client, users["auditor"].username) == 302
    client.post("/accounts/logout/")
    _fail(client, "guess-x")
    assert _login(client, users["auditor"].username) == 429


# --- password reset by an administrator ---------------------------------------------------------


def test_admin_resets_a_password_in_the_web_and_the_user_must_change_it(users):
    target = users["officer"]
    admin = Client()
    admin.force_login(users["admin"])
    assert admin.get("/accounts/users/").status_code == 200
    page = admin.post(f"/accounts/users/{target.pk}/password/", {"password": ""})
    assert page.status_code == 200
    temporary = page.context["temporary"]
    assert temporary and temporary in page.content.decode()
    target.refresh_from_db()
    assert target.must_change_password
    assert not target.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="user.password_reset", object_id=str(target.pk))
    assert event.actor_username == users["admin"].username and temporary not in str(event.changes) + event.summary

    user = Client()
    assert _login(user, target.username, temporary) == 302
    # Every page leads to the password change until a new password is chosen.
    for path in ["/", "/participants/", "/sponsors/"]:
        response = user.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/", path
    assert user.get("/api/v1/sponsors").status_code == 403
    assert user.get("/accounts/password/").status_code == 200
    new = "a-new-password-of-her-own"
    changed = user.post("/accounts/password/", {"old_password": temporary, "new_password1": new, "new_password2": new})
    assert changed.status_code == 302
    target.refresh_from_db()
    assert not target.must_change_password and target.check_password(new)
    assert user.get("/").status_code == 200  # still logged in, free to go
    assert AuditEvent.objects.filter(action="user.password_change", object_id=str(target.pk)).exists()


def test_admin_sets_a_chosen_temporary_password_that_is_validated(users):
    admin = Client()
    admin.force_login(users["admin"])
    weak = admin.post(f"/accounts/users/{users['officer'].pk}/password/", {"password": "123"})
    assert weak.status_code == 200 and weak.context["temporary"] is None
    assert not User.objects.get(pk=users["officer"].pk).must_change_password
    ok = admin.post(f"/accounts/users/{users['officer'].pk}/password/", {"password": "temporary-for-today-42"})
    assert ok.context["temporary"] == "temporary-for-today-42"
    assert User.objects.get(pk=users["officer"].pk).check_password("temporary-for-today-42")


@pytest.mark.parametrize("role", ["officer", "verifier", "branch_head", "finance", "auditor", "sponsor"])
def test_only_the_admin_resets_passwords(users, role):
    client = Client()
    client.force_login(users[role])
    assert client.get("/accounts/users/").status_code == 403
    assert client.post(f"/accounts/users/{users['admin'].pk}/password/", {"password": ""}).status_code == 403
    assert not User.objects.get(pk=users["admin"].pk).must_change_password


def test_reset_lifts_the_lock(users, settings):
    username = users["verifier"].username
    for i in range(settings.LINDUNG_LOGIN_USERNAME_FAILURE_LIMIT):
        _fail(Client(REMOTE_ADDR=f"10.5.{i}.1"), username)
    from io import StringIO

    out = StringIO()
    call_command("user", "reset-password", username, "--as", users["admin"].username, stdout=out)
    temporary = out.getvalue().strip()
    assert len(temporary) >= 10
    assert _login(Client(REMOTE_ADDR="10.5.0.1"), username, temporary) == 302
    assert User.objects.get(username=username).must_change_password
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.source == "cli" and event.actor_username == users["admin"].username


def test_cli_reset_as_a_non_admin_is_refused(users):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="izin"):
        call_command("user", "reset-password", users["admin"].username, "--as", users["officer"].username)
    assert not User.objects.get(pk=users["admin"].pk).must_change_password
