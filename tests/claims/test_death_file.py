"""A file of deaths matched and opened as cases awaiting the heirs' claim, with row errors."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.claims.death_file import open_from_rows
from lindung.claims.models import Claim, ClaimStatus
from lindung.claims.workflow import CLAIM
from lindung.core.models import AuditEvent
from lindung.membership.models import Participant, StatusChange
from lindung.registry.models import Person

D = dt.date
pytestmark = pytest.mark.django_db


def test_death_file_opens_cases_and_reports_row_errors(covered, users):
    a, b, c, _d = covered
    rows = [
        {"nik": a.person.nik, "name": a.person.full_name, "death_date": "2024-02-10"},
        {"nik": b.person.nik, "name": "NAMA LAIN", "death_date": D(2024, 3, 5)},
        {"nik": "1472", "name": "x", "death_date": "2024-01-01"},
        {"nik": "1472019999990001", "name": "Unknown", "death_date": "2024-01-01"},
        {"nik": c.person.nik, "name": c.person.full_name, "death_date": "2099-01-01"},
        {"nik": c.person.nik, "name": c.person.full_name, "death_date": "31-02-2024"},
        {"nik": a.person.nik, "name": a.person.full_name, "death_date": "2024-02-10"},
    ]
    result = open_from_rows(rows, actor=users["officer"], today=D(2024, 4, 1))
    assert result.rows == 7 and len(result.opened) == 2
    assert {(e.row, e.code, e.field) for e in result.errors} == {
        (4, "nik_format", "nik"),
        (5, "not_found", "nik"),
        (6, "date_future", "death_date"),
        (7, "date", "death_date"),
        (8, "duplicate", "nik"),
    }
    assert [(w.row, w.code) for w in result.warnings] == [(3, "name_differs")]
    assert result.cover == {"covered": 2}
    claims = Claim.objects.filter(number__in=result.opened).order_by("event_date")
    assert [c.status for c in claims] == [ClaimStatus.REPORTED] * 2 and claims[0].source == "death_file"
    # the deaths are recorded and the memberships ended through the status service
    a.refresh_from_db()
    assert a.status == Participant.Status.ENDED and a.exit_reason == "death" and a.end_date == D(2024, 2, 10)
    assert Person.objects.get(pk=a.person_id).death_date == D(2024, 2, 10)
    assert StatusChange.objects.filter(participant=a, reason="death").count() == 1
    # heirs from the family register with the entitled class
    first = claims[0]
    assert {h.relation for h in first.heirs.filter(entitled=True)} == {"spouse", "child"}
    assert [d.transition for d in CLAIM.history(first)] == ["create"]
    assert AuditEvent.objects.filter(action="claims.death_file").count() == 1
    # the same file again opens nothing: each death is reported already
    again = open_from_rows(rows[:2], actor=users["officer"], today=D(2024, 4, 1))
    assert again.opened == [] and {e.code for e in again.errors} == {"death_claim_exists"}


def test_death_file_sees_only_the_sponsors_own_workers(covered, users, make_agreement, valid_nik_workers):
    riau = make_agreement(sponsor="riau", number="PKS-RIAU-2024")
    (other,) = valid_nik_workers(1, agreement=riau)
    result = open_from_rows([{"nik": other.person.nik, "death_date": "2024-01-05"}], actor=users["sponsor"], today=D(2024, 4, 1))
    assert result.opened == [] and result.errors[0].code == "not_found"


def test_death_file_read_from_a_workbook_with_the_files_row_numbers(covered, users, tmp_path):
    from openpyxl import Workbook

    from lindung.claims.death_file import open_from_file
    from lindung.core.errors import FileRejected, ServiceError

    a, b, _c, _d = covered
    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR KEMATIAN"])
    ws.append([])
    ws.append(["NIK", "NAMA", "TANGGAL MENINGGAL"])
    ws.append([a.person.nik, a.person.full_name, D(2024, 2, 10)])
    ws.append([b.person.nik, b.person.full_name, "5 Maret 2024"])
    ws.append(["1472", "x", "05-03-2024"])
    path = tmp_path / "kematian.xlsx"
    wb.save(path)
    # The first non-empty row is the header: a title row above it is not a death file's header.
    with pytest.raises(FileRejected) as exc:
        open_from_file(path, name=path.name, actor=users["officer"], today=D(2024, 4, 1))
    assert exc.value.errors[0].code == "missing_column" and exc.value.errors[0].row == 1
    ws.delete_rows(1, 2)
    wb.save(path)
    result = open_from_file(path, name=path.name, actor=users["officer"], today=D(2024, 4, 1))
    assert len(result.opened) == 2 and [(e.row, e.code) for e in result.errors] == [(4, "nik_format")]
    with pytest.raises(ServiceError):
        open_from_file(path, name="kematian.txt", actor=users["officer"])


def test_claim_death_file_command_opens_the_cases_of_a_file(covered, users, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    a, _b, _c, _d = covered
    path = tmp_path / "kematian.csv"
    path.write_text(f"NIK;Nama;Tanggal Meninggal\n{a.person.nik};{a.person.full_name};10-02-2024\n1472;x;10-02-2024\n", encoding="utf-8")
    out = StringIO()
    call_command("claim", "death-file", str(path), "--as", users["officer"].username, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["rows"] == 2 and data["opened"] == 1 and [(e["row"], e["code"]) for e in data["errors"]] == [(3, "nik_format")]
    assert Claim.objects.filter(number__in=data["claims"], source="death_file").count() == 1


def test_death_file_uploaded_through_the_api_opens_cases_staff_only(covered, users, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, _b, _c, _d = covered
    today = dt.date.today()
    csv = (f"NIK;NAMA;TANGGAL MENINGGAL\n{a.person.nik};{a.person.full_name};{today:%d-%m-%Y}\n1472;x;{today:%d-%m-%Y}\n").encode()
    sponsor = api_client(users["sponsor"]).post("/api/v1/death-files", {"file": SimpleUploadedFile("kematian.csv", csv)})
    assert sponsor.status_code == 403 and Claim.objects.count() == 0
    r = api_client(users["officer"]).post("/api/v1/death-files", {"file": SimpleUploadedFile("kematian.csv", csv)})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["rows"], body["opened"], body["rejected"]) == (2, 1, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "nik")]
    assert Claim.objects.get().participant == a
    exe = api_client(users["officer"]).post("/api/v1/death-files", {"file": SimpleUploadedFile("kematian.csv", b"MZ\x90\x00" + b"\x00" * 64)})
    assert exe.status_code in (400, 422) and Claim.objects.count() == 1
