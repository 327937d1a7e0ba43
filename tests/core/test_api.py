import io
import json

import pytest
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI, Schema
from ninja.responses import Status

from lindung.api import api
from lindung.core.api import idempotent, install_error_handlers
from lindung.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/sponsors" in paths and "/api/v1/regions" in paths and "/api/v1/me" in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI comes from the installed package's static files: nothing is loaded from the internet
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "https://" not in html


def test_each_endpoint_and_method_is_registered_once():
    """A path answered by two handlers for the same method gets a duplicate operation id and the
    second handler is dead code."""
    repeated = []
    for _prefix, router in api._routers:
        for route, view in router.path_operations.items():
            methods = [m for operation in view.operations for m in operation.methods]
            repeated += [f"{m} {route}" for m in set(methods) if methods.count(m) > 1]
    assert repeated == []


def test_unauthenticated_request_gets_the_error_shape(client):
    response = client.get("/api/v1/sponsors")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_validation_error_names_the_field(api_client, users):
    response = api_client(users["admin"]).post(
        "/api/v1/sponsors", {"code": "X", "name": "X", "type": "planet", "region": "14"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert "type" in body["fields"]


def test_service_error_names_the_field(api_client, users):
    response = api_client(users["admin"]).post(
        "/api/v1/sponsors", {"code": "X", "name": "X", "type": "city", "region": "77.77"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"region": "unknown region code '77.77'"}


def test_pagination(api_client, users):
    c = api_client(users["auditor"])
    page1 = c.get("/api/v1/regions?parent=14.72.01&page_size=3").json()
    assert page1["count"] == 4 and page1["pages"] == 2 and len(page1["items"]) == 3
    page2 = c.get("/api/v1/regions?parent=14.72.01&page_size=3&page=2").json()
    assert len(page2["items"]) == 1
    assert {r["code"] for r in page1["items"]}.isdisjoint({r["code"] for r in page2["items"]})


def test_session_authenticated_api_call(client, users):
    client.force_login(users["officer"])
    assert client.get("/api/v1/me").json()["username"] == users["officer"].username


# --- Idempotency-Key ----------------------------------------------------------------------
idem_api = NinjaAPI(urls_namespace="idem_test", auth=api.auth)
install_error_handlers(idem_api)
CALLS = {"n": 0}


class PayIn(Schema):
    amount: int


@idem_api.post("/pay", response={201: dict})
@idempotent
def pay(request, payload: PayIn):
    CALLS["n"] += 1
    return Status(201, {"payment": CALLS["n"], "amount": payload.amount})


urlpatterns = [path("idem/", idem_api.urls)]


@override_settings(ROOT_URLCONF=__name__)
def test_idempotency_key_replays_and_refuses_reuse(users):
    from lindung.accounts.services import token_create

    _t, key = token_create(actor=None, user=users["finance"])
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    CALLS["n"] = 0
    body = json.dumps({"amount": 16800})
    first = c.post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = c.post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"payment": 1, "amount": 16800}
    assert CALLS["n"] == 1
    reused = c.post("/idem/pay", json.dumps({"amount": 1}), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    other = c.post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["payment"] == 2
    no_key = c.post("/idem/pay", body, content_type="application/json")
    assert no_key.json()["payment"] == 3
    assert IdempotencyRecord.objects.filter(user=users["finance"]).count() == 2


@override_settings(ROOT_URLCONF=__name__)
def test_idempotency_key_is_per_user(users):
    from lindung.accounts.services import token_create

    CALLS["n"] = 0
    body = json.dumps({"amount": 5})
    for role in ("finance", "admin"):
        _t, key = token_create(actor=None, user=users[role])
        r = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same")
        assert r.status_code == 201
    assert CALLS["n"] == 2


def test_unknown_endpoint_and_wrong_method_get_the_error_shape(api_client, users):
    c = api_client(users["officer"])
    missing = c.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = c.delete("/api/v1/me")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == {"code": "method_not_allowed", "message": "Endpoint ini tidak menerima metode DELETE.", "fields": {}}
    assert "GET" in wrong["Allow"]
    c.cookies["lindung_language"] = "en"
    wrong = c.delete("/api/v1/me")
    assert wrong.json()["error"] == {"code": "method_not_allowed", "message": "This endpoint does not accept the DELETE method.", "fields": {}}


def test_unhandled_error_gets_the_error_shape(users, monkeypatch):
    from lindung.accounts.models import User

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(User, "get_full_name", broken)
    client = Client(raise_request_exception=False)
    client.force_login(users["officer"])
    response = client.get("/api/v1/me")
    assert response.status_code == 500
    body = response.json()["error"]
    assert body["code"] == "server_error" and response["X-Request-ID"] in body["message"]
    assert "boom" not in response.content.decode()


def test_core_api_errors_speak_the_active_language_and_keep_their_code(users, api_client):
    """The API's own refusals (here an over-long Idempotency-Key) follow the active language:
    Indonesian by default, English by the language switch's cookie; code and fields stay."""
    api = api_client(users["finance"])
    key = "k" * 201
    indonesian = api.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert indonesian.status_code == 400
    assert indonesian.json() == {
        "error": {"code": "invalid", "message": "Idempotency-Key lebih dari 200 karakter.", "fields": {"Idempotency-Key": "too long"}}
    }
    api.cookies["lindung_language"] = "en"
    english = api.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert english.status_code == 400
    assert english.json() == {
        "error": {"code": "invalid", "message": "Idempotency-Key is longer than 200 characters.", "fields": {"Idempotency-Key": "too long"}}
    }
    assert not IdempotencyRecord.objects.exists()


@override_settings(ROOT_URLCONF=__name__, LINDUNG_IDEMPOTENCY_TTL_HOURS=24)
def test_an_expired_idempotency_key_counts_as_new_and_is_purged(users):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from lindung.accounts.services import token_create

    _t, key = token_create(actor=None, user=users["finance"])
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    CALLS["n"] = 0
    body = json.dumps({"amount": 16800})
    assert c.post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="old").json()["payment"] == 1
    assert c.post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="fresh").json()["payment"] == 2
    # 23 hours later the key is still live: replayed, not run again
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=23))
    assert c.post("/idem/pay", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="old").json()["payment"] == 1
    # past its time to live it counts as new (even with another body) and runs
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert c.post("/idem/pay", json.dumps({"amount": 5}), content_type="application/json", HTTP_IDEMPOTENCY_KEY="old").json() == {
        "payment": 3,
        "amount": 5,
    }
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    out = io.StringIO()
    call_command("idempotency", "purge", stdout=out)
    assert out.getvalue().startswith("1 expired")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_web_form_keys_share_the_table_and_expire(users, rf, settings):
    import datetime as dt

    from django.utils import timezone

    from lindung.core.idempotency import first_submission, form_key

    settings.LINDUNG_IDEMPOTENCY_TTL_HOURS = 1
    key = form_key()
    request = rf.post("/payments/", {"idempotency_key": key})
    request.user = users["finance"]
    assert first_submission(request) is True
    assert first_submission(request) is False
    assert first_submission(_as(rf.post("/payments/", {}), users["finance"])) is True  # no key: always passes
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert first_submission(request) is True
    assert IdempotencyRecord.objects.get().key == f"web:{key}"


def _as(request, user):
    request.user = user
    return request


@override_settings(ROOT_URLCONF=__name__)
def test_an_idempotency_key_with_a_nul_character_is_refused(users):
    """Schemathesis: a key holding NUL was stored (SQLite; PostgreSQL cannot store it: 500)."""
    client = Client()
    client.force_login(users["finance"])
    r = client.post("/idem/pay", {"amount": 5}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k\x00ey")
    assert r.status_code == 400, r.content
    assert r.json()["error"]["fields"] == {"Idempotency-Key": "contains a NUL character"}
    assert not IdempotencyRecord.objects.exists()
