"""Roster import: checks, enrolment, limits, idempotency, crash safety."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from bench.roster_gen import BAD_KINDS, write_roster
from lindung.core import tabular
from lindung.core.errors import FileRejected
from lindung.core.models import AuditEvent
from lindung.membership import roster, services
from lindung.membership.kpj import is_valid_kpj
from lindung.membership.models import Employer, Participant, RosterImport, SponsorshipPeriod, StatusChange
from lindung.membership.roster import reading, writing
from lindung.membership.roster.usage import Pricer, default_cover_start
from lindung.registry.models import Person
from tests.membership.conftest import person_row

pytestmark = pytest.mark.django_db
START = dt.date(2023, 10, 1)


def read_errors(path):
    with open(path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_generated_roster_enrols_good_rows_and_reports_every_bad_kind(agreement, data_dir, tmp_path):
    path = write_roster(tmp_path / "r.csv", 550, seed=3)
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.rows == 550
    assert summary.enrolled + summary.rejected == 550
    kinds = set(BAD_KINDS) - {"sex_mismatch", "missing_field"}
    assert kinds <= set(summary.by_reason)
    assert summary.by_reason["missing_field"] >= 1
    assert summary.warnings >= 1 and summary.by_reason["sex_mismatch"] == summary.warnings
    assert Participant.objects.filter(agreement=agreement, status="active").count() == summary.enrolled
    assert Person.objects.count() == summary.enrolled
    assert SponsorshipPeriod.objects.filter(agreement=agreement, end_date__isnull=True, import_batch_id=summary.import_id).count() == summary.enrolled
    assert StatusChange.objects.filter(to_status="active", effective_date=START).count() == summary.enrolled
    p = Participant.objects.select_related("person").first()
    assert p.segment == "BPU" and p.programs == ["JKK", "JKM"] and p.wage == 1_000_000
    assert p.sponsor_id == agreement.sponsor_id and p.branch_id == agreement.sponsor.branch_id and p.start_date == START
    kpjs = sorted(Participant.objects.values_list("kpj_number", flat=True))
    assert all(is_valid_kpj(k) and k.startswith("23") for k in kpjs)
    assert len(set(kpjs)) == len(kpjs)
    errors = read_errors(summary.error_file)
    assert {r["kode_kesalahan"] for r in errors} >= kinds
    assert all(r["baris"].isdigit() and r["keterangan"] for r in errors)
    assert [int(r["baris"]) for r in errors] == sorted(int(r["baris"]) for r in errors)
    batch = RosterImport.objects.get(pk=summary.import_id)
    assert batch.status == "done" and batch.summary["enrolled"] == summary.enrolled
    event = AuditEvent.objects.get(action="roster.import")
    assert event.changes["enrolled"] == summary.enrolled


def test_reimport_is_a_no_op(agreement, data_dir, tmp_path):
    path = write_roster(tmp_path / "r.csv", 120, seed=5)
    first = roster.import_roster(path, agreement=agreement, start=START)
    counts = (Person.objects.count(), Participant.objects.count(), SponsorshipPeriod.objects.count(), StatusChange.objects.count())
    again = roster.import_roster(path, agreement=agreement, start=START)
    assert again.enrolled == 0 and again.already_enrolled == first.enrolled
    assert (Person.objects.count(), Participant.objects.count(), SponsorshipPeriod.objects.count(), StatusChange.objects.count()) == counts


def test_nik_disagreeing_with_birth_date_is_a_warning_on_the_person(agreement, data_dir, roster_file):
    row = person_row(tanggal_lahir="1991-03-10")
    summary = roster.import_roster(roster_file([row]), agreement=agreement, start=START)
    assert summary.enrolled == 1 and summary.warnings == 1
    assert Person.objects.get().nik_warnings == ["birth_date_mismatch"]
    assert read_errors(summary.error_file)[0]["kode_kesalahan"] == "birth_date_mismatch"


def test_english_headers_any_order_semicolons_and_date_formats(agreement, data_dir, roster_file):
    header = ["Region_Code", "SEX", "Name", "Birth_Date", "NIK"]
    a = person_row(serial=1)
    b = person_row(serial=2, sex="M", district="14.72.02", village="14.72.02.1004", birth=dt.date(1980, 1, 2))
    rows = [[a[4], "F", a[1], "10/03/1990", a[0]], [b[4], "L", "Budi", "02-01-1980", b[0]]]
    summary = roster.import_roster(roster_file(rows, header=header, delimiter=";"), agreement=agreement, start=START)
    assert summary.enrolled == 2, summary.by_reason
    assert set(Person.objects.values_list("birth_date", flat=True)) == {dt.date(1990, 3, 10), dt.date(1980, 1, 2)}


def test_missing_required_column_rejects_the_file(agreement, data_dir, roster_file):
    with pytest.raises(FileRejected) as exc:
        roster.import_roster(roster_file([["1"]], header=["nik", "nama"]), agreement=agreement, start=START)
    assert "tanggal_lahir" in exc.value.message
    assert RosterImport.objects.get().status == "rejected"


def test_xlsx_roster(agreement, data_dir, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", 60, seed=9, bad_share=0)
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.rows == 60 and summary.enrolled == 60


def test_quota_and_budget_limits_report_the_rest(sponsors, data_dir, roster_file):
    small = services.agreement_create(
        actor=None,
        sponsor=sponsors["dumai"],
        number="PKS-SMALL",
        start_date=START,
        end_date=dt.date(2024, 9, 30),
        budget=3 * 201_600,
        quota=4,
    )
    rows = [person_row(serial=i) for i in range(1, 7)]
    summary = roster.import_roster(roster_file(rows), agreement=small, start=START)
    assert summary.enrolled == 3
    assert summary.by_reason == {"over_budget": 3}
    bigger_budget = services.agreement_create(
        actor=None,
        sponsor=sponsors["riau"],
        number="PKS-QUOTA",
        start_date=START,
        end_date=dt.date(2024, 9, 30),
        budget=10**9,
        quota=2,
        eligible_region_code="14.72",
    )
    rows = [person_row(serial=i, district="14.72.03", village="14.72.03.1001") for i in range(1, 5)]
    summary = roster.import_roster(roster_file(rows), agreement=bigger_budget, start=START)
    assert summary.enrolled == 2 and summary.by_reason == {"over_quota": 2}
    rows_in_error_file = [int(r["baris"]) for r in read_errors(summary.error_file)]
    assert rows_in_error_file == [4, 5]


def test_budget_counts_the_rest_of_the_period_from_cover_start(agreement, data_dir):
    usage = roster.agreement_usage(agreement)
    assert (usage.active, usage.committed) == (0, 0)
    pricer = Pricer(agreement)
    assert pricer.cost(START) == 12 * 16_800
    assert pricer.cost(dt.date(2024, 7, 15)) == 3 * 16_800
    assert default_cover_start(agreement, today=dt.date(2023, 9, 1)) == START
    assert default_cover_start(agreement, today=dt.date(2023, 12, 5)) == dt.date(2024, 1, 1)


def test_all_or_nothing_enrols_nothing_when_a_row_fails(agreement, data_dir, roster_file):
    rows = [person_row(serial=1), person_row(serial=2, jenis_kelamin="X")]
    summary = roster.import_roster(roster_file(rows), agreement=agreement, start=START, all_or_nothing=True)
    assert summary.enrolled == 0 and summary.rejected == 1
    assert Participant.objects.count() == 0 and Person.objects.count() == 0
    assert RosterImport.objects.get().status == "rejected"


def test_dry_run_writes_nothing(agreement, data_dir, roster_file):
    summary = roster.import_roster(roster_file([person_row()]), agreement=agreement, start=START, dry_run=True)
    assert summary.enrolled == 1 and summary.dry_run
    assert Person.objects.count() == 0 and Participant.objects.count() == 0


def test_existing_person_is_reused_and_active_elsewhere_is_rejected(agreement, sponsors, data_dir, roster_file, regions):
    a, b, c = person_row(serial=1), person_row(serial=2), person_row(serial=3)
    known = Person.objects.create(nik=a[0], full_name="SITI  AMINAH", birth_date=dt.date(1990, 3, 10), sex="F")
    riau = services.agreement_create(
        actor=None, sponsor=sponsors["riau"], number="PKS-RIAU", start_date=START, end_date=dt.date(2024, 9, 30), budget=10**9, quota=10
    )
    roster.import_roster(roster_file([b]), agreement=riau, start=START)
    employer = Employer.objects.create(npp="12345678", name="PT Contoh", risk_class="low")
    pu_person = Person.objects.create(nik=c[0], full_name="Siti C", birth_date=dt.date(1990, 3, 10), sex="F")
    Participant.objects.create(kpj_number="23999999990", person=pu_person, segment="PU", wage=3_000_000, employer=employer, start_date=START)
    summary = roster.import_roster(roster_file([a, b, c]), agreement=agreement, start=START)
    # Active elsewhere: held for the branch office, under a code that does not say why.
    assert summary.enrolled == 1 and summary.by_reason == {"verification_needed": 2}
    known.refresh_from_db()
    assert known.participants.get().agreement == agreement
    assert known.full_name == "SITI  AMINAH" and known.region_id == "14.72.01.1003"  # name kept, blank contact filled in
    assert Person.objects.filter(nik=a[0]).count() == 1


def test_region_outside_the_agreement(sponsors, data_dir, roster_file):
    district_only = services.agreement_create(
        actor=None,
        sponsor=sponsors["dumai"],
        number="PKS-DB",
        start_date=START,
        end_date=dt.date(2024, 9, 30),
        budget=10**9,
        quota=10,
        eligible_region_code="14.72.01",
        min_age=20,
        max_age=30,
    )
    rows = [
        person_row(serial=1, birth=dt.date(1995, 1, 1)),
        person_row(serial=2, birth=dt.date(1995, 1, 1), village="14.72.02.1003"),
        person_row(serial=3, birth=dt.date(1950, 1, 1)),
    ]
    summary = roster.import_roster(roster_file(rows), agreement=district_only, start=START)
    assert summary.enrolled == 1
    assert summary.by_reason == {"region_outside": 1, "age_out_of_range": 1}


def test_a_crash_mid_import_leaves_nothing_and_a_rerun_completes(agreement, data_dir, tmp_path, monkeypatch):
    path = write_roster(tmp_path / "r.csv", 80, seed=11, bad_share=0)
    original = writing.BulkWriter.insert

    def crash(self, table, columns, rows):
        if table == "membership_sponsorshipperiod":
            raise RuntimeError("killed")
        return original(self, table, columns, rows)

    monkeypatch.setattr(writing.BulkWriter, "insert", crash)
    with pytest.raises(RuntimeError):
        roster.import_roster(path, agreement=agreement, start=START)
    assert Person.objects.count() == 0 and Participant.objects.count() == 0
    assert RosterImport.objects.get().status == "failed"
    monkeypatch.setattr(writing.BulkWriter, "insert", original)
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 80 and Participant.objects.count() == 80


def test_cli_roster_import_json(agreement, data_dir, tmp_path):
    path = write_roster(tmp_path / "r.csv", 50, seed=13)
    out = StringIO()
    call_command(
        "roster", "import", str(path), "--sponsor", "PEMKO-DUMAI", "--agreement", "PKS-DUMAI-2023", "--start", "2023-10-01", "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert set(result) >= {"rows", "enrolled", "already_enrolled", "rejected", "warnings", "by_reason", "error_file"}
    assert result["rows"] == 50 and result["enrolled"] == Participant.objects.count()


def test_sample_roster_has_good_and_bad_rows(agreement, data_dir):
    summary = roster.import_roster(roster.SAMPLE_ROSTER, agreement=agreement, start=START)
    assert summary.rows >= 20 and summary.enrolled >= 15 and summary.rejected >= 3


def test_move_and_end_keep_history(agreement, sponsors, data_dir, roster_file):
    roster.import_roster(roster_file([person_row()]), agreement=agreement, start=START)
    riau = services.agreement_create(
        actor=None, sponsor=sponsors["riau"], number="PKS-RIAU", start_date=START, end_date=dt.date(2024, 9, 30), budget=10**9, quota=10
    )
    p = Participant.objects.get()
    services.sponsorship_move(actor=None, participant=p, to_agreement=riau, effective_date=dt.date(2024, 1, 1))
    p.refresh_from_db()
    assert p.sponsor == sponsors["riau"] and p.agreement == riau
    periods = list(p.sponsorships.order_by("start_date").values_list("agreement__number", "start_date", "end_date"))
    assert periods == [("PKS-DUMAI-2023", START, dt.date(2023, 12, 31)), ("PKS-RIAU", dt.date(2024, 1, 1), None)]
    services.sponsorship_end(actor=None, participant=p, effective_date=dt.date(2024, 3, 31))
    p.refresh_from_db()
    assert p.status == "ended" and p.exit_reason == "ended_by_sponsor"
    assert p.sponsorships.get(agreement=riau).end_date == dt.date(2024, 3, 31)
    assert roster.agreement_usage(riau).active == 0


def test_large_xlsx_is_streamed_with_openpyxl(agreement, data_dir, tmp_path, monkeypatch):
    path = write_roster(tmp_path / "r.xlsx", 40, seed=15, bad_share=0)
    monkeypatch.setattr(tabular, "DENSE_CELLS", 1)
    rows = list(reading.iter_file_rows(path))
    assert len(rows) == 41 and rows[0].cells[0] == "nik" and len(rows[1].cells[0]) == 16 and rows[1].number == 2
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 40


def test_windows_1252_and_utf16_csv_files_are_read(agreement, data_dir, tmp_path):
    from bench.roster_gen import HEADER

    a = person_row(serial=1, name="José Aminah")
    b = person_row(serial=2, name="Siti Aminah")
    latin = tmp_path / "excel-ansi.csv"
    latin.write_bytes((";".join(HEADER) + "\r\n" + ";".join(a) + "\r\n").encode("cp1252"))
    utf16 = tmp_path / "excel-unicode.csv"
    utf16.write_bytes(("\t".join(HEADER) + "\r\n" + "\t".join(b) + "\r\n").encode("utf-16"))
    assert roster.import_roster(latin, agreement=agreement, start=START).enrolled == 1
    assert roster.import_roster(utf16, agreement=agreement, start=START).enrolled == 1
    assert set(Person.objects.values_list("full_name", flat=True)) == {"José Aminah", "Siti Aminah"}


def test_dates_without_leading_zeros_and_two_digit_years(agreement, data_dir, roster_file):
    rows = [
        person_row(serial=1, tanggal_lahir="10/3/1990"),
        person_row(serial=2, tanggal_lahir="1990-3-10"),
        person_row(serial=3, tanggal_lahir="10/03/90"),
    ]
    summary = roster.import_roster(roster_file(rows), agreement=agreement, start=START)
    assert summary.enrolled == 2 and summary.by_reason == {"bad_date": 1}
    (error,) = read_errors(summary.error_file)
    assert error["baris"] == "4" and "tahun harus 4 digit" in error["keterangan"] and "tanggal_lahir" in error["keterangan"]


def test_error_file_names_what_is_wrong(sponsors, agreement, data_dir, roster_file):
    rows = [
        person_row(serial=1, tanggal_lahir="1950-03-10"),
        person_row(serial=2, kode_wilayah="14.72.01"),
        person_row(nik="1.47202E+15"),
        person_row(serial=0),
    ]
    summary = roster.import_roster(roster_file(rows), agreement=agreement, start=START)
    notes = {e["kode_kesalahan"]: e["keterangan"] for e in read_errors(summary.error_file)}
    assert notes["age_out_of_range"].endswith("(kolom tanggal_lahir: usia 73 tahun pada 01-10-2023, batas 18-65)")
    assert "'14.72.01'" in notes["region_unknown"]
    nik_notes = [e["keterangan"] for e in read_errors(summary.error_file) if e["kode_kesalahan"] == "nik_format"]
    assert len(nik_notes) == summary.by_reason["nik_format"] == 2
    assert any("notasi ilmiah" in n for n in nik_notes) and any("0000" in n for n in nik_notes)


def test_xlsx_number_cells_nik_excel_dates_and_phones(agreement, data_dir, tmp_path):
    from openpyxl import Workbook

    from bench.roster_gen import HEADER

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    exact = person_row(serial=1)  # last digit 1: Excel cannot have rounded it
    ws.append([int(exact[0]), exact[1], dt.date(1990, 3, 10), "P", exact[4], "", "", 81234567890, ""])
    zero = person_row(serial=10)  # last digit 0: may be Excel's rounding of ...0011 etc.
    ws.append([float(zero[0]), zero[1], 32942, "P", zero[4], "", "", "", ""])
    serial_date = person_row(serial=2)
    ws.append([serial_date[0], serial_date[1], 32942, "P", serial_date[4], "", "", "", float("1472010000000010")])
    path = tmp_path / "numbers.xlsx"
    wb.save(path)
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 1 and summary.by_reason == {"nik_numeric": 1, "bad_family_card": 1}, summary.by_reason
    person = Person.objects.get()
    assert person.nik == exact[0] and person.phone == "081234567890" and person.birth_date == dt.date(1990, 3, 10)
    errors = read_errors(summary.error_file)
    assert [(e["baris"], e["kode_kesalahan"]) for e in errors] == [("3", "nik_numeric"), ("4", "bad_family_card")]
    assert "teks" in errors[0]["keterangan"]
    # 32942 days after 1899-12-30 is 1990-03-10: a date typed into a number cell is read as a date.
    assert reading.parse_date(reading.cell(32942.0)) == dt.date(1990, 3, 10)


def test_streamed_xlsx_applies_the_same_number_cell_rules(agreement, data_dir, tmp_path, monkeypatch):
    from openpyxl import Workbook

    from bench.roster_gen import HEADER

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ok, zero = person_row(serial=1), person_row(serial=10)
    ws.append([int(ok[0]), ok[1], dt.date(1990, 3, 10), "P", ok[4], "", "", "", ""])
    ws.append([int(zero[0]), zero[1], dt.date(1990, 3, 10), "P", zero[4], "", "", "", ""])
    path = tmp_path / "numbers.xlsx"
    wb.save(path)
    monkeypatch.setattr(tabular, "DENSE_CELLS", 1)
    summary = roster.import_roster(path, agreement=agreement, start=START)
    assert summary.enrolled == 1 and summary.by_reason == {"nik_numeric": 1}


def test_kpj_numbers_exhausted_for_the_year_enrols_nothing(agreement, data_dir, roster_file):
    from lindung.core.errors import ServiceError
    from lindung.membership.kpj import MAX_SERIAL
    from lindung.membership.models import KpjSequence

    KpjSequence.objects.create(year=2023, next_serial=MAX_SERIAL)
    rows = [person_row(serial=1), person_row(serial=2)]
    with pytest.raises(ServiceError) as exc:
        roster.import_roster(roster_file(rows), agreement=agreement, start=START)
    assert exc.value.code == "kpj_exhausted"
    assert Participant.objects.count() == 0 and KpjSequence.objects.get(year=2023).next_serial == MAX_SERIAL
    summary = roster.import_roster(roster_file(rows[:1]), agreement=agreement, start=START)
    assert summary.enrolled == 1 and Participant.objects.get().kpj_number.startswith("2399999999")
