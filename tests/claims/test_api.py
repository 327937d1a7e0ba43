"""The claims API: every operation in the OpenAPI schema, the error shape, scope and roles."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lindung.claims.models import Claim

from .conftest import upload_all

D = dt.date
pytestmark = pytest.mark.django_db


def post(client, path, body, method="post"):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def test_claim_through_the_api(covered, users, api_client):
    officer, verifier, head = api_client(users["officer"]), api_client(users["verifier"]), api_client(users["branch_head"])
    r = post(officer, "/api/v1/claims/report", {"kpj": covered[0].kpj_number, "death_date": "2024-02-10"})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["status"] == "reported"
    unclaimed = officer.get("/api/v1/claims?queue=unclaimed").json()
    assert unclaimed["count"] == 1 and unclaimed["items"][0]["number"] == number and "*" in unclaimed["items"][0]["participant_nik"]
    r = post(officer, f"/api/v1/claims/{number}/open", {"claimant_name": "Siti Aminah", "claimant_relation": "spouse"})
    assert r.json()["status"] == "draft"
    spouse = next(h for h in r.json()["heirs"] if h["relation"] == "spouse")
    child = next(h for h in r.json()["heirs"] if h["relation"] == "child")
    bad = post(
        officer, f"/api/v1/claims/{number}/payees", [{"heir": spouse["id"], "share": 7000, "bank_code": "119", "account_number": "1234567890"}], "put"
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "shares_do_not_add_up"
    r = post(
        officer,
        f"/api/v1/claims/{number}/payees",
        [
            {"heir": spouse["id"], "share": 7000, "bank_code": "119", "account_number": "1234567890"},
            {"heir": child["id"], "share": 3000, "bank_code": "119", "account_number": "1234567891"},
        ],
        "put",
    )
    assert r.status_code == 200
    upload_all(Claim.objects.get(number=number), users["officer"])
    assert post(officer, f"/api/v1/claims/{number}/steps/submit", {}).json()["status"] == "submitted"
    for doc in Claim.objects.get(number=number).documents.all():
        assert post(verifier, f"/api/v1/claims/{number}/documents/{doc.pk}/check", {"accepted": True}).status_code == 200
    r = post(verifier, f"/api/v1/claims/{number}/steps/verify", {})
    assert r.json()["benefit"]["total"] == 42_000_000 and len(r.json()["benefit"]["components"]) == 3
    own = post(verifier, f"/api/v1/claims/{number}/steps/approve", {})
    assert own.status_code == 403 and own.json()["error"]["code"] in ("permission_denied", "maker_checker")
    r = post(head, f"/api/v1/claims/{number}/steps/approve", {})
    assert r.status_code == 200 and r.json()["status"] == "ready_for_payment"
    assert [p["amount"] for p in r.json()["payees"]] == [29_400_000, 12_600_000]
    again = post(head, f"/api/v1/claims/{number}/steps/approve", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "transition_not_allowed"


def test_sponsor_sees_its_own_cases_without_heirs_documents_or_accounts(covered, users, api_client):
    sponsor, riau = api_client(users["sponsor"]), api_client(users["sponsor_riau"])
    r = post(sponsor, "/api/v1/claims/report", {"nik": covered[1].person.nik, "death_date": "2024-03-01"})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    seen = sponsor.get(f"/api/v1/claims/{number}").json()
    assert seen["heirs"] == [] and seen["payees"] == [] and seen["documents"] == [] and seen["actions"] == []
    assert riau.get(f"/api/v1/claims/{number}").status_code == 404
    assert riau.get("/api/v1/claims").json()["count"] == 0
    assert post(sponsor, f"/api/v1/claims/{number}/heirs", {"relation": "child", "full_name": "X"}).status_code == 403


def test_every_claims_operation_is_in_the_openapi_schema(client, users):
    client.force_login(users["officer"])
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/claims",
        "/api/v1/claims/counts",
        "/api/v1/claims/report",
        "/api/v1/claims/{number}",
        "/api/v1/claims/{number}/open",
        "/api/v1/claims/{number}/heirs",
        "/api/v1/claims/{number}/payees",
        "/api/v1/claims/{number}/documents/{document_id}/check",
        "/api/v1/claims/{number}/reimbursements",
        "/api/v1/claims/{number}/outreach",
        "/api/v1/claims/{number}/overrides",
        "/api/v1/claims/{number}/steps/{step}",
        "/api/v1/claims/{number}/transfer",
    ):
        assert path in paths, path
