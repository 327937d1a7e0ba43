"""Claim documents: each checklist item's file uploaded through the kernel's file check (PDF, JPEG,
PNG; size-limited), who uploaded and checked it, served to authorised staff only — never to
sponsor users — following the claim's branch after a transfer; downloads audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from lindung.claims import intake, services
from lindung.claims.models import ClaimDocument
from lindung.core.errors import ServiceError
from lindung.core.files.models import StoredFile
from lindung.core.models import AuditEvent
from tests.core import files_samples as samples

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def claim(covered, users):
    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    intake.open_claim(claim, actor=users["officer"], claimant_name="Siti Aminah")
    return claim


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_officer_uploads_on_the_intake_page_and_staff_download_it(claim, users):
    officer = _login(users["officer"])
    page = officer.get(reverse("claims:intake", args=[claim.number])).content.decode()
    assert 'data-testid="document-form"' in page and 'enctype="multipart/form-data"' in page
    response = officer.post(
        reverse("claims:intake", args=[claim.number]),
        {"form": "document", "doc-code": "death_certificate", "doc-file": SimpleUploadedFile("akta.pdf", samples.PDF), "doc-note": "asli"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = ClaimDocument.objects.get(claim=claim)
    assert (doc.code, doc.uploaded_by, doc.note) == ("death_certificate", users["officer"], "asli")
    assert doc.file.kind == "claim_document" and doc.file.owner_type == "claims.claimdocument" and doc.file.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="claims.document_upload", object_id=str(claim.pk)).count() == 1
    # The claim page links the file; the verifier downloads it, and the download is audited.
    verifier = _login(users["verifier"])
    page = verifier.get(reverse("claims:detail", args=[claim.number])).content.decode()
    url = reverse("core:file_download", args=[doc.file_id])
    assert url in page
    response = verifier.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == samples.PDF
    assert AuditEvent.objects.filter(action="file.download", object_id=str(doc.file_id), actor=users["verifier"]).count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [("akta.pdf", samples.EXE), ("akta.pdf", samples.HTML), ("foto.png", samples.CSV), ("kk.pdf", samples.xlsx(samples.sheet("A1", [])))],
)
def test_a_forbidden_file_type_is_refused_with_a_clear_message(claim, users, name, content):
    officer = _login(users["officer"])
    response = officer.post(
        reverse("claims:intake", args=[claim.number]), {"form": "document", "doc-code": "family_card", "doc-file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "PDF, JPEG, PNG" in page  # what is accepted
    assert not ClaimDocument.objects.exists() and not StoredFile.objects.exists()


def test_an_oversized_document_is_refused(claim, users, api_client, settings):
    settings.LINDUNG_UPLOAD_LIMITS = {"claim_document": 2048}
    big = SimpleUploadedFile("scan.pdf", samples.PDF + b"0" * 5000)
    response = api_client(users["officer"]).post(f"/api/v1/claims/{claim.number}/documents", {"code": "heir_ktp", "file": big})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large" and "2 KB" in error["message"] and error["fields"].keys() == {"file"}
    assert not ClaimDocument.objects.exists()


def test_the_api_uploads_multipart_and_lists_the_files(claim, users, api_client):
    api = api_client(users["officer"])
    response = api.post(
        f"/api/v1/claims/{claim.number}/documents", {"code": "heir_ktp", "file": SimpleUploadedFile("ktp.jpg", samples.JPEG), "note": "KTP istri"}
    )
    assert response.status_code == 201, response.content
    item = next(d for d in response.json()["documents"] if d["code"] == "heir_ktp")
    assert item["status"] == "uploaded" and item["files"] == 1
    (upload,) = item["uploads"]
    assert upload["content_type"] == "image/jpeg" and upload["uploaded_by"] == "officer-user" and upload["check"] == "pending"
    assert api.get(upload["download"]).status_code == 200
    bad = api.post(f"/api/v1/claims/{claim.number}/documents", {"code": "no_such_item", "file": SimpleUploadedFile("x.pdf", samples.PDF)})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"code": "unknown document"}
    # In the OpenAPI schema, as multipart.
    schema = api.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/claims/{number}/documents"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert "/api/v1/claims/{number}/letter" in schema["paths"] and "/api/v1/files/{file_id}" in schema["paths"]


def test_sponsor_users_never_see_documents(claim, users, api_client):
    doc = services.upload_document(claim, actor=users["officer"], code="death_certificate", upload=SimpleUploadedFile("a.pdf", samples.PDF))
    for sponsor in (users["sponsor"], users["sponsor_riau"]):  # its own worker's claim, or another sponsor's
        assert _login(sponsor).get(reverse("core:file_download", args=[doc.file_id])).status_code == 404
        assert api_client(sponsor).get(f"/api/v1/files/{doc.file_id}").status_code == 404
        response = api_client(sponsor).post(
            f"/api/v1/claims/{claim.number}/documents", {"code": "heir_ktp", "file": SimpleUploadedFile("k.pdf", samples.PDF)}
        )
        assert response.status_code in (403, 404)
    own = api_client(users["sponsor"]).get(f"/api/v1/claims/{claim.number}")
    assert own.status_code == 200 and own.json()["documents"] == []
    assert ClaimDocument.objects.count() == 1
    assert not AuditEvent.objects.filter(action="file.download").exists()


def test_a_transferred_claims_files_follow_the_new_branch(claim, users, other_branch, make_user):
    from lindung.claims import transfer

    doc = services.upload_document(claim, actor=users["officer"], code="family_card", upload=SimpleUploadedFile("kk.png", samples.PNG))
    url = reverse("core:file_download", args=[doc.file_id])
    medan = make_user("verifier", "verifikator-medan", user_branch=other_branch)
    assert _login(medan).get(url).status_code == 404
    assert _login(users["verifier"]).get(url).status_code == 200
    transfer.transfer_claim(claim, actor=users["officer"], to_branch=other_branch, reason="The widow moved to Medan (Sumatera Utara).")
    assert _login(medan).get(url).status_code == 200
    assert _login(users["verifier"]).get(url).status_code == 404


def test_uploads_end_with_the_decision(claim, users):
    from lindung.claims.models import Claim, ClaimStatus

    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.APPROVED)
    claim.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        services.upload_document(claim, actor=users["officer"], code="other", upload=SimpleUploadedFile("a.pdf", samples.PDF))
    assert exc.value.code == "not_editable"


def test_the_cli_uploads_and_checks_a_document(claim, users, tmp_path, capsys):
    path = tmp_path / "akta-kematian.pdf"
    path.write_bytes(samples.PDF)
    call_command("claim", "document", claim.number, "--upload", str(path), "--code", "death_certificate", "--as", "officer-user", "--json")
    out = json.loads(capsys.readouterr().out)
    item = next(d for d in out["documents"] if d["code"] == "death_certificate")
    (upload,) = item["uploads"]
    assert upload["name"] == "akta-kematian.pdf" and upload["uploaded_by"] == "officer-user"
    evil = tmp_path / "akta.pdf"
    evil.write_bytes(samples.EXE)
    with pytest.raises(CommandError) as exc:
        call_command("claim", "document", claim.number, "--upload", str(evil), "--code", "heir_ktp", "--as", "officer-user")
    assert "PDF, JPEG, PNG" in str(exc.value)
    assert ClaimDocument.objects.count() == 1


def test_letter_and_document_downloads_are_audited(claim, users, api_client):
    from lindung.claims.models import Claim, ClaimStatus

    doc = services.upload_document(claim, actor=users["officer"], code="death_certificate", upload=SimpleUploadedFile("a.pdf", samples.PDF))
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.APPROVED)
    head = _login(users["branch_head"])
    first = head.get(reverse("claims:letter", args=[claim.number]))
    assert first.status_code == 200 and b"".join(first.streaming_content).startswith(b"%PDF")
    claim.refresh_from_db()
    letter_id = claim.decision_letter_id
    assert letter_id is not None
    again = api_client(users["verifier"]).get(f"/api/v1/claims/{claim.number}/letter")
    assert again.status_code == 200
    claim.refresh_from_db()
    assert claim.decision_letter_id == letter_id  # rendered once, kept
    head.get(reverse("core:file_download", args=[doc.file_id]))
    events = AuditEvent.objects.filter(action="file.download")
    assert sorted(e.changes["kind"] for e in events) == ["claim_document", "decision_letter", "decision_letter"]
    assert _login(users["sponsor"]).get(reverse("claims:letter", args=[claim.number])).status_code == 404
    assert api_client(users["sponsor"]).get(f"/api/v1/claims/{claim.number}/letter").status_code == 404
