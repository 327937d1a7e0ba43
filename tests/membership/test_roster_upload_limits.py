"""Uploaded spreadsheets are inspected before anything reads them (the probe's findings): a
1.6 KB XLSX claiming a cell at XFD1048576, a zip bomb, an oversized upload — each refused with a
clear message, nothing recorded, and the process goes on serving."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lindung.core.files.models import StoredFile
from lindung.membership.models import RosterImport
from tests.core import files_samples as samples

pytestmark = pytest.mark.django_db


def _web(user):
    client = Client()
    client.force_login(user)
    return client


def _upload_web(client, content, name="roster.xlsx"):
    return client.post(
        reverse("membership:roster_upload", kwargs={"code": "PEMKO-DUMAI"}),
        {"agreement": "PKS-DUMAI-2023", "file": SimpleUploadedFile(name, content)},
    )


def test_the_far_cell_xlsx_is_refused_on_the_web_and_the_server_goes_on(users, agreement, data_dir):
    client = _web(users["sponsor"])
    response = _upload_web(client, samples.far_cell_xlsx())
    assert response.status_code == 200
    page = response.content.decode()
    assert "1.048.576" in page and "16.384" in page  # the message says what the sheet claims
    assert not RosterImport.objects.exists() and not StoredFile.objects.exists()
    # Still serving: the next page answers.
    assert client.get(reverse("membership:roster_upload", kwargs={"code": "PEMKO-DUMAI"})).status_code == 200


def test_the_far_cell_xlsx_and_a_zip_bomb_are_refused_by_the_api(users, agreement, api_client, data_dir):
    api = api_client(users["officer"])
    for content, code in ((samples.far_cell_xlsx(), "sheet_too_large"), (samples.zip_bomb_xlsx(64), "workbook_compression_ratio")):
        response = api.post("/api/v1/roster-imports", {"file": SimpleUploadedFile("roster.xlsx", content), "sponsor": "PEMKO-DUMAI"})
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] == code and error["fields"].keys() == {"file"}
    assert not RosterImport.objects.exists() and not StoredFile.objects.exists()


def test_the_cli_refuses_the_far_cell_xlsx(users, agreement, tmp_path, data_dir):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "far.xlsx"
    path.write_bytes(samples.far_cell_xlsx())
    with pytest.raises((CommandError, SystemExit)):
        call_command("roster", "import", str(path), "--sponsor", "PEMKO-DUMAI")
    assert not RosterImport.objects.exists()


def test_an_upload_over_the_kind_limit_is_refused(users, agreement, api_client, settings, data_dir):
    settings.LINDUNG_UPLOAD_LIMITS = {"roster": 10_000}
    content = b"nik,nama\n" + b"1472015003900001,Siti Aminah\n" * 1000
    response = api_client(users["officer"]).post("/api/v1/roster-imports", {"file": SimpleUploadedFile("r.csv", content), "sponsor": "PEMKO-DUMAI"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert not RosterImport.objects.exists()


def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(users, agreement, api_client, settings, data_dir):
    settings.LINDUNG_UPLOAD_MAX_REQUEST_BYTES = 50_000
    content = b"nik,nama\n" + b"1472015003900001,Siti Aminah\n" * 3000
    api = api_client(users["officer"])
    response = api.post("/api/v1/roster-imports", {"file": SimpleUploadedFile("r.csv", content), "sponsor": "PEMKO-DUMAI"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
    web = _web(users["sponsor"])
    assert _upload_web(web, content, "r.csv").status_code == 413
    assert not RosterImport.objects.exists()


def test_the_default_limits_refuse_a_200_mb_roster():
    from lindung.core.files.kinds import get_kind
    from lindung.core.files.middleware import max_request_bytes

    assert get_kind("roster").limit <= 100 * 1024 * 1024 < 200 * 1024 * 1024
    assert max_request_bytes() < 200 * 1024 * 1024


def test_an_accepted_upload_is_streamed_to_the_storage_and_handed_to_the_job(users, agreement, api_client, roster_file, data_dir):
    from tests.membership.conftest import person_row

    path = roster_file([person_row()])
    with open(path, "rb") as fh:
        response = api_client(users["officer"]).post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI"})
    assert response.status_code in (201, 202, 422), response.content  # done, running, or rows refused
    batch = RosterImport.objects.get()
    stored = batch.stored_file
    assert (stored.kind, stored.owner_type, stored.owner_id, stored.sponsor_ref) == (
        "roster",
        "membership.rosterimport",
        str(batch.pk),
        batch.sponsor_id,
    )
    assert batch.job.params["import_id"] == batch.pk
    assert not (data_dir / "roster").exists()  # no copy beside the storage


def test_other_spreadsheet_uploads_are_checked_too(users, api_client, data_dir, sponsors):
    finance = api_client(users["finance"])
    response = finance.post("/api/v1/contributions/bank-statements", {"file": SimpleUploadedFile("bank.xlsx", samples.far_cell_xlsx())})
    assert response.status_code == 400 and response.json()["error"]["code"] == "sheet_too_large"
    response = finance.post("/api/v1/contributions/bank-statements", {"file": SimpleUploadedFile("bank.csv", samples.PDF)})
    assert response.status_code == 400 and response.json()["error"]["code"] == "file_type_refused"
