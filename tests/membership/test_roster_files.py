"""Roster files through the kernel's tabular reader: encodings, workbooks, refusals (issue 10 item 11)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bench.roster_gen import HEADER
from lindung.core.errors import FileRejected, ServiceError
from lindung.membership import roster
from lindung.membership.models import Participant, RosterImport
from lindung.registry.models import Person
from tests.membership.conftest import person_row

pytestmark = pytest.mark.django_db
START = dt.date(2023, 10, 1)


def _text(rows) -> str:
    return "".join(",".join(r) + "\r\n" for r in [HEADER, *rows])


def test_shift_jis_roster_is_refused_not_enrolled_as_mojibake(agreement, data_dir, tmp_path):
    path = tmp_path / "jis.csv"
    rows = [person_row(serial=i, name=n) for i, n in enumerate(["山田太郎", "佐藤花子", "鈴木一郎"], start=1)]
    path.write_bytes(_text(rows).encode("shift_jis"))
    with pytest.raises(FileRejected) as exc:
        roster.import_roster(path, agreement=agreement, start=START)
    assert exc.value.errors[0].code == "implausible_text"
    assert not Person.objects.exists()
    assert RosterImport.objects.get().status == RosterImport.Status.REJECTED


def test_utf16le_without_bom_is_read(agreement, data_dir, tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(_text([person_row(serial=1, name="Siti Aminah")]).encode("utf-16-le"))
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 1 and Person.objects.get().full_name == "Siti Aminah"


def test_header_only_roster_says_no_data_rows(agreement, data_dir, roster_file):
    with pytest.raises(FileRejected) as exc:
        roster.import_roster(roster_file([]), agreement=agreement, start=START)
    assert exc.value.errors[0].code == "no_data_rows" and exc.value.errors[0].row == 2
    batch = RosterImport.objects.get()
    assert batch.status == RosterImport.Status.REJECTED and "no_data_rows" in batch.summary["error"]


def test_api_answers_422_for_a_refused_import_and_400_for_a_wrong_extension(users, agreement, api_client, data_dir, roster_file, tmp_path):
    client = api_client(users["sponsor"])
    with open(roster_file([]), "rb") as fh:
        r = client.post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI", "agreement": "PKS-DUMAI-2023", "start": "2023-10-01"})
    assert r.status_code == 422, r.content
    assert r.json()["status"] == "rejected" and r.json()["summary"]["error"]
    txt = tmp_path / "daftar.txt"
    txt.write_text(_text([person_row()]), encoding="utf-8")
    before = RosterImport.objects.count()
    with open(txt, "rb") as fh:
        r = client.post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI", "agreement": "PKS-DUMAI-2023", "start": "2023-10-01"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_file"
    assert RosterImport.objects.count() == before


def test_cli_wrong_extension_leaves_no_import_row(agreement, data_dir, tmp_path):
    path = tmp_path / "daftar.txt"
    path.write_text(_text([person_row()]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("roster", "import", str(path), "--sponsor", "PEMKO-DUMAI", "--start", "2023-10-01", stdout=StringIO(), stderr=StringIO())
    assert not RosterImport.objects.exists()
    with pytest.raises(ServiceError):
        roster.import_roster(path, agreement=agreement, start=START)
    assert not RosterImport.objects.exists()


def test_ods_and_tsv_rosters_are_enrolled(agreement, data_dir, tmp_path):
    from tests.core.test_tabular import _ods

    ods = tmp_path / "daftar.ods"
    ods.write_bytes(_ods([HEADER, person_row(serial=1)]))
    assert roster.import_roster(ods, agreement=agreement, start=START).enrolled == 1
    tsv = tmp_path / "daftar.tsv"
    tsv.write_text("\t".join(HEADER) + "\n" + "\t".join(person_row(serial=2, name="Budi")) + "\n", encoding="utf-8")
    assert roster.import_roster(tsv, agreement=agreement, start=START).enrolled == 1
    assert Participant.objects.count() == 2


def test_xlsx_with_a_leading_blank_row_numbers_rows_as_the_sheet(agreement, data_dir, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([])
    ws.append(HEADER)
    ws.append(person_row(serial=1))
    ws.append(person_row(serial=2, jenis_kelamin="X"))
    path = tmp_path / "r.xlsx"
    wb.save(path)
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 1 and summary.by_reason == {"bad_sex": 1}
    import csv

    with open(summary.error_file, encoding="utf-8-sig") as fh:
        (error,) = list(csv.DictReader(fh))
    assert error["baris"] == "4"


def test_formula_like_names_are_row_errors_and_the_error_file_neutralises_them(agreement, data_dir, roster_file):
    import csv

    payloads = ['=HYPERLINK("http://evil.example","klik")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)"]
    rows = [person_row(serial=i, name=p) for i, p in enumerate(payloads, start=1)]
    rows.append(person_row(serial=9, name="Siti", alamat="=1+1", jenis_kelamin="X"))
    summary = roster.import_roster(roster_file(rows), agreement=agreement, start=START)
    assert summary.enrolled == 0 and summary.by_reason == {"formula_like": 3, "bad_sex": 1}
    with open(summary.error_file, encoding="utf-8-sig") as fh:
        errors = list(csv.DictReader(fh))
    assert [e["nama"] for e in errors[:3]] == ["'" + p for p in payloads]
    assert errors[3]["alamat"] == "'=1+1"
    assert all(not v.startswith(("=", "+", "@")) for e in errors for v in e.values())
