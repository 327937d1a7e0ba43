"""``lindung claim …`` with --as (role and scope) and --json (the claim as the API returns it)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import upload_all

D = dt.date
pytestmark = pytest.mark.django_db


def claim_cli(*args) -> tuple[dict, str]:
    out = io.StringIO()
    call_command("claim", *args, stdout=out)
    text = out.getvalue()
    return (json.loads(text) if text.startswith("{") else {}), text


def test_scripted_intake_to_ready_for_payment(covered, users):
    worker = covered[0]
    data, _ = claim_cli("report", "--kpj", worker.kpj_number, "--death-date", "2024-02-10", "--as", "officer-user", "--json")
    number = data["number"]
    assert data["status"] == "reported" and data["program"] == "JKM"
    assert {h["relation"] for h in data["heirs"] if h["entitled"]} == {"spouse", "child"}
    assert data["participant"]["nik"].count("*") == 8
    data, _ = claim_cli("open", number, "--claimant-name", "Siti Aminah", "--claimant-relation", "spouse", "--as", "officer-user", "--json")
    spouse = next(h for h in data["heirs"] if h["relation"] == "spouse")
    data, _ = claim_cli("payee", number, "--heir", str(spouse["id"]), "--bank", "119", "--account", "1234567890", "--as", "officer-user", "--json")
    assert data["payees"][0]["account_number"] == "1234567890"  # staff see the whole account on the claim
    from lindung.claims.models import Claim

    claim = Claim.objects.get(number=number)
    upload_all(claim, users["officer"])
    data, _ = claim_cli("submit", number, "--as", "officer-user", "--json")
    assert data["status"] == "submitted" and data["deadline"]
    for doc in claim.documents.all():
        claim_cli("document", number, "--id", str(doc.pk), "--accept", "--as", "verifier-user")
    data, _ = claim_cli("verify", number, "--as", "verifier-user", "--json")
    assert data["benefit"]["total"] == 42_000_000
    assert [c["code"] for c in data["benefit"]["components"]] == ["santunan_sekaligus", "santunan_berkala", "biaya_pemakaman"]
    assert data["benefit"]["components"][0]["amount_in_words"] == "dua puluh juta rupiah"
    data, _ = claim_cli("approve", number, "--as", "branch_head-user", "--json")
    assert data["status"] == "ready_for_payment"
    assert data["payees"][0]["amount"] == 42_000_000
    assert data["late_compensation"]["amount"] == 0
    assert [h["step"] for h in data["history"] if h["kind"] == "decision"] == ["create", "open", "submit", "verify", "approve", "release"]
    _, text = claim_cli("show", number, "--as", "auditor-user")
    assert "42,000,000" in text


def test_as_is_required_and_checked_against_role_and_scope(covered, users):
    worker = covered[0]
    with pytest.raises(CommandError, match="--as"):
        call_command("claim", "report", "--kpj", worker.kpj_number, "--death-date", "2024-02-10", stdout=io.StringIO())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("claim", "report", "--kpj", worker.kpj_number, "--death-date", "2024-02-10", "--as", "disnaker-riau", "--json", stdout=out)
    assert json.loads(out.getvalue())["error"]["code"] == "not_found"
    data, _ = claim_cli("report", "--kpj", worker.kpj_number, "--death-date", "2024-02-10", "--as", "disnaker-dumai", "--json")
    assert data["source"] == "sponsor" and data["heirs"] == [] and data["payees"] == [] and data["documents"] == []
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("claim", "show", data["number"], "--as", "disnaker-riau", "--json", stdout=out)
    assert json.loads(out.getvalue())["error"]["code"] == "not_found"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("claim", "verify", data["number"], "--as", "finance-user", "--json", stdout=out)
    assert json.loads(out.getvalue())["error"]["code"] == "transition_not_allowed"
