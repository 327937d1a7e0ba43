import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lindung.accounts.models import ApiToken
from lindung.accounts.services import token_create, token_revoke

pytestmark = pytest.mark.django_db


def test_token_create_command_prints_a_working_token(users, capsys):
    call_command("token", "create", users["officer"].username)
    key = capsys.readouterr().out.strip()
    assert key.startswith("lnd_")
    row = ApiToken.objects.get(user=users["officer"])
    assert row.key_hash == ApiToken.hash_key(key) and key not in row.key_hash
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == users["officer"].username
    assert response.json()["roles"] == ["officer"]


def test_x_api_key_header_works(users):
    _t, key = token_create(actor=None, user=users["auditor"])
    assert Client(HTTP_X_API_KEY=key).get("/api/v1/me").json()["roles"] == ["auditor"]


def test_bad_revoked_and_expired_tokens_are_refused(users):
    assert Client(HTTP_AUTHORIZATION="Bearer lnd_nonsense").get("/api/v1/me").status_code == 401
    token, key = token_create(actor=None, user=users["officer"])
    token_revoke(actor=None, token=token)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthenticated", "message": response.json()["error"]["message"], "fields": {}}}
    _expired, key2 = token_create(actor=None, user=users["officer"], expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key2}").get("/api/v1/me").status_code == 401


def test_token_list_and_revoke_commands(users, capsys):
    token, _key = token_create(actor=None, user=users["officer"])
    call_command("token", "list", users["officer"].username)
    assert token.prefix in capsys.readouterr().out
    call_command("token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
