"""Rosters as offices make them (issue 9 items 1 and 2): header and data found, villages by name."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from lindung.core.errors import FileRejected
from lindung.membership import roster
from lindung.membership.models import Participant
from lindung.membership.roster import layout
from lindung.membership.roster.regions import RegionNames
from lindung.registry.models import Person
from tests.membership.conftest import person_row
from tests.membership.office_rosters import DUMAI_WORKERS, SECOND_WORKERS, SIGNATURE, office_xlsx, second_layout_xlsx

pytestmark = pytest.mark.django_db
START = dt.date(2023, 10, 1)


def _errors(summary) -> list[dict]:
    with open(summary.error_file, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_office_xlsx_enrols_exactly_the_valid_workers_and_ignores_the_signature(agreement, data_dir, tmp_path):
    path = office_xlsx(tmp_path / "DAFTAR PEKERJA RENTAN 2024.xlsx")
    summary = roster.import_roster(path, agreement=agreement, start=START)
    valid = [w for w in DUMAI_WORKERS if w[-1]]
    assert summary.enrolled == len(valid) == 5
    assert summary.header_row == 5 and summary.rows == len(DUMAI_WORKERS) + 1
    assert summary.by_reason == {"region_name_unknown": 1, "nik_format": 1}, summary.by_reason
    assert summary.ignored_lines == len(SIGNATURE)
    assert [i["text"] for i in summary.ignored] == SIGNATURE
    people = {p.full_name: p for p in Person.objects.all()}
    assert set(people) == {w[0] for w in valid}
    assert people["Siti Aminah"].region_id == "14.72.01.1006"  # Kel. Purnama
    assert people["Joko Susilo"].region_id == "14.72.01.1003"  # "Pangkalan Sesei", misspelt
    assert people["Dewi Lestari"].region_id == "14.72.02.1002"  # Desa Teluk Binjai
    assert people["Siti Aminah"].birth_date == dt.date(1980, 5, 12) and people["Siti Aminah"].phone == "08127000001"
    assert people["Budi Santoso"].address == "Jl. Merdeka No. 2"
    errors = {e["kode_kesalahan"]: e for e in _errors(summary)}
    unknown = errors["region_name_unknown"]
    assert unknown["baris"] == "12" and "Sukamaju" in unknown["keterangan"] and "Kec. Dumai Barat" in unknown["keterangan"]
    assert errors["nik_format"]["baris"] == "13"


def test_second_layout_sheet_choice_named_months_and_a_total_line(agreement, data_dir, tmp_path):
    path = second_layout_xlsx(tmp_path / "data.xlsx")
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.sheet == "Data" and summary.header_row == 1
    assert summary.enrolled == len(SECOND_WORKERS) and summary.rejected == 0 and summary.ignored_lines == 1
    people = {p.full_name: p for p in Person.objects.all()}
    assert people["Sri Wahyuni"].birth_date == dt.date(1991, 12, 1)  # "1 Desember 1991"
    assert people["Yusuf Hamzah"].region_id == "14.72.03.1007"  # Bukit Kapur in Kec. Bukit Kapur
    assert people["Hendra Gunawan"].sex == "M" and people["Hendra Gunawan"].address == "RT/RW 001/002"


def test_a_code_column_still_wins_over_names(agreement, data_dir, roster_file):
    header = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "kode_wilayah", "kelurahan", "kecamatan"]
    row = person_row(serial=1)[:5] + ["Purnama", "Dumai Barat"]
    summary = roster.import_roster(roster_file([row], header=header), agreement=agreement, start=START)
    assert summary.enrolled == 1 and Person.objects.get().region_id == "14.72.01.1003"


def test_ambiguous_and_unknown_names_are_row_errors_naming_candidates(agreement, data_dir, roster_file):
    header = ["NIK", "NAMA", "TGL LAHIR", "JK", "KELURAHAN"]
    rows = [person_row(serial=1)[:4] + ["Bagan Besar Timor"], person_row(serial=2)[:4] + ["Bagan"]]
    summary = roster.import_roster(roster_file(rows, header=header), agreement=agreement, start=START)
    assert summary.enrolled == 1 and Person.objects.get().region_id == "14.72.03.1006"
    (error,) = _errors(summary)
    assert error["kode_kesalahan"] == "region_name_unknown" and "Bagan" in error["keterangan"] and "mungkin" in error["keterangan"]


def test_same_village_name_in_two_districts_needs_the_district(regions):
    names = RegionNames("14.72")
    # "Bukit Kapur" is a village only in Kec. Bukit Kapur; "Dumai Kota" only in Kec. Dumai Kota.
    assert names.resolve("KEL. BUKIT KAPUR")[0] == "14.72.03.1007"
    assert names.resolve("dumai  kota", "Kec. Dumai Kota")[0] == "14.72.06.1003"
    code, why, note = names.resolve("Purnama", "Bukit Kapur")
    assert "Kec. Bukit Kapur" in note
    assert code is None and why == "region_name_unknown"
    assert RegionNames("14.72.01").resolve("Teluk Binjai")[0] is None  # another district's village is not a candidate


def test_headers_as_offices_write_them():
    found = layout.find_layout(
        [
            _row(1, ["DAFTAR PEKERJA", "", ""]),
            _row(3, ["NO", "NO. KTP", "NAMA PESERTA", "TTL", "L/P", "DESA", "KEC.", "NO HP", "RT/RW", "NOMOR INDUK KEPENDUDUKAN"]),
            _row(4, ["1", "1472015003900001", "Siti", "Dumai, 10-03-1990", "P", "Purnama", "Dumai Barat", "0812", "1/2", ""]),
        ]
    )
    assert found.header_row == 3
    assert found.index == {"nik": 1, "name": 2, "ttl": 3, "sex": 4, "village": 5, "district": 6, "phone": 7, "rt_rw": 8}
    assert layout.split_ttl("Dumai, 12-05-1980") == ("Dumai", "12-05-1980")
    assert layout.split_ttl("Tanjung Pinang 12 Mei 1980") == ("Tanjung Pinang", "12 Mei 1980")
    assert layout.is_column_numbers(["(1)", "(2)", "(3)", ""]) and not layout.is_column_numbers(["1", "Siti", "2"])


def test_no_header_in_the_first_rows_is_refused_naming_the_columns(agreement, data_dir, roster_file):
    with pytest.raises(FileRejected) as exc:
        roster.import_roster(roster_file([["a", "b"]], header=["foo", "bar"]), agreement=agreement, start=START)
    assert exc.value.errors[0].code == "missing_column" and "nik" in exc.value.message and "kelurahan" in exc.value.message
    assert not Participant.objects.exists()


def _row(number, cells):
    from lindung.core.tabular import Row

    return Row(number, cells)


def test_the_xlsx_template_lists_the_sponsors_villages_with_drop_downs_and_imports_as_is(agreement, data_dir, users, client, tmp_path):
    from openpyxl import load_workbook

    client.force_login(users["sponsor"])
    response = client.get("/roster/template.xlsx?sponsor=PEMKO-DUMAI")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Daftar pekerja", "Kelurahan"]
    villages = list(wb["Kelurahan"].iter_rows(min_row=2, values_only=True))
    names = RegionNames("14.72")
    assert len(villages) == len(names.villages) and ("Purnama", "14.72.01.1006", "Dumai Barat") in villages
    validations = {str(dv.sqref): dv.formula1 for dv in wb["Daftar pekerja"].data_validations.dataValidation}
    assert validations["D2:D5000"] == '"L,P"' and validations["E2:E5000"] == f"=Kelurahan!$A$2:$A${len(villages) + 1}"
    # every drop-down entry resolves to its own code
    assert all(names.resolve(choice)[0] == code for choice, code, _district in villages)
    # the template with its example row imports as it is
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 1 and Person.objects.get().region_id == villages[0][1]
    assert client.get("/roster/template.xlsx?sponsor=PEMPROV-RIAU").status_code == 404


def test_a_mapping_corrects_the_columns_in_the_service_the_cli_and_the_api(agreement, data_dir, roster_file, users, api_client):
    import json
    from io import StringIO

    from django.core.management import call_command

    header = ["NIK", "NAMA", "LAHIR", "JK", "WILAYAH", "KETERANGAN"]
    good = person_row(serial=1)
    rows = [[good[0], good[1], good[2], good[3], good[4], "Nelayan"]]
    path = roster_file(rows, header=header)
    with pytest.raises(FileRejected) as exc:
        roster.import_roster(path, agreement=agreement, start=START)
    assert exc.value.errors[0].code == "missing_column"
    with pytest.raises(FileRejected) as exc:
        roster.import_roster(path, agreement=agreement, start=START, mapping={"birth_date": "LAHIR", "region_code": "Z"})
    assert exc.value.errors[0].code == "bad_mapping" and "'Z'" in exc.value.message
    summary = roster.import_roster(
        path, agreement=agreement, start=START, dry_run=True, mapping={"birth_date": "lahir", "region_code": "E", "occupation": 6}
    )
    assert summary.enrolled == 1 and summary.rejected == 0
    out = StringIO()
    call_command(
        "roster",
        "import",
        str(path),
        "--sponsor",
        "PEMKO-DUMAI",
        "--start",
        "2023-10-01",
        "--map",
        "birth_date=LAHIR",
        "--map",
        "region_code=5",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["enrolled"] == 1
    assert Person.objects.get().occupation == ""
    client = api_client(users["sponsor"])
    other = roster_file([person_row(serial=2)[:5] + ["Buruh"]], header=header)
    with open(other, "rb") as fh:
        r = client.post(
            "/api/v1/roster-imports",
            {
                "file": fh,
                "sponsor": "PEMKO-DUMAI",
                "start": "2023-10-01",
                "mapping": json.dumps({"birth_date": "LAHIR", "region_code": "WILAYAH", "occupation": "F"}),
            },
        )
    assert r.status_code == 201, r.content
    assert r.json()["summary"]["enrolled"] == 1 and Person.objects.filter(occupation="Buruh").count() == 1
    with open(other, "rb") as fh:
        bad = client.post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI", "mapping": "[1]"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_mapping"


def test_web_mapping_step_previews_corrects_and_is_remembered(agreement, data_dir, roster_file, users, client):
    from lindung.membership.models import RosterImport

    client.force_login(users["sponsor"])
    header = ["NIK", "NAMA", "LAHIR", "JK", "WILAYAH"]
    first = roster_file([person_row(serial=1)[:5]], header=header)
    with open(first, "rb") as fh:
        r = client.post("/sponsors/PEMKO-DUMAI/roster/", {"agreement": "PKS-DUMAI-2023", "file": fh, "start": "2023-10-01"})
    batch = RosterImport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/roster/imports/{batch.pk}/columns/"
    assert batch.job_id is None and not Person.objects.exists()  # nothing written before the user confirms
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'id="preview-rows"' in html and "Siti Aminah" in html
    # a needed field left unmapped is asked for again
    again = client.post(r["Location"], {"map_nik": "0", "map_name": "1", "map_sex": "3"})
    assert again.status_code == 400 and 'id="columns-error"' in again.content.decode()
    done = client.post(r["Location"], {"map_nik": "0", "map_name": "1", "map_birth_date": "2", "map_sex": "3", "map_region_code": "4"})
    assert done.status_code == 302 and done["Location"] == f"/roster/imports/{batch.pk}/"
    batch.refresh_from_db()
    assert batch.status == "done" and batch.summary["enrolled"] == 1 and batch.summary["cover_start"] == "2023-10-01"
    # the next file with the same columns is imported at once with the remembered mapping
    second = roster_file([person_row(serial=2)[:5]], header=header)
    with open(second, "rb") as fh:
        r = client.post("/sponsors/PEMKO-DUMAI/roster/", {"agreement": "PKS-DUMAI-2023", "file": fh, "start": "2023-10-01"})
    latest = RosterImport.objects.latest("pk")
    assert r["Location"] == f"/roster/imports/{latest.pk}/" and latest.status == "done" and latest.summary["enrolled"] == 1
    # asked for, the step is shown even when every column was found
    third = roster_file([person_row(serial=3)])
    with open(third, "rb") as fh:
        r = client.post("/sponsors/PEMKO-DUMAI/roster/", {"agreement": "PKS-DUMAI-2023", "file": fh, "start": "2023-10-01", "check_columns": "on"})
    assert r["Location"].endswith("/columns/")
    assert client.get(r["Location"]).context["found"]["missing"] == []
