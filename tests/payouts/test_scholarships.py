"""Yearly scholarships: SMP into SMA across school years, the yearly opening, stop events (the 2025
working exception, marriage, the age limit) and what is still owed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.core.errors import ServiceError
from lindung.payouts import selectors, services
from lindung.payouts.models import OrderGroup, PaymentOrder, ScholarshipSchedule, ScholarshipYear
from tests.core import files_samples as samples
from tests.payouts.helpers import with_scholarship

D = dt.date
pytestmark = pytest.mark.django_db


def _proof(year, actor):
    services.attach_enrolment_proof(year, actor=actor, upload=SimpleUploadedFile("rapor.pdf", samples.PDF))


def test_smp_into_sma_across_school_years_stopped_by_marriage_and_the_liabilities(covered_workers, ready_claim, users, settings):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    rizki, ani = with_scholarship(claim, [("Rizki", D(2009, 9, 1), "SMP", 3), ("Ani", D(2001, 3, 1), "PT", 2)])
    services.create_orders_for_claim(claim, actor=users["finance"])
    schedule = ScholarshipSchedule.objects.get(heir=rizki)
    assert schedule.max_total == 87_000_000 and schedule.projected[0]["level"] == "SMP"
    officer, head = users["officer"], users["branch_head"]

    assert services.open_school_year(2023, actor=officer)["opened"] == 2
    y2023 = ScholarshipYear.objects.get(schedule=schedule, school_year=2023)
    services.record_enrolment(
        y2023, actor=officer, level="SMP", school_class=9, school_name="SMPN 2 Dumai", bank_code="009", account_number="1234567001"
    )
    with pytest.raises(ServiceError) as no_proof:
        services.approve_scholarship_year(y2023, actor=head)
    assert no_proof.value.code == "proof_missing"
    _proof(y2023, officer)
    order = services.approve_scholarship_year(y2023, actor=head)
    assert (order.group, order.amount, order.payee_name, order.account_number) == (OrderGroup.SCHOLARSHIP, 2_000_000, "Rizki", "1234567001")

    again = services.open_school_year(2023, actor=officer)
    assert again["opened"] == 0 and again["already_open"] == 2
    services.open_school_year(2024, actor=officer)
    y2024 = ScholarshipYear.objects.get(schedule=schedule, school_year=2024)
    services.record_enrolment(
        y2024, actor=officer, level="SMA", school_class=10, school_name="SMAN 1 Dumai", bank_code="009", account_number="1234567001"
    )
    _proof(y2024, officer)
    assert services.approve_scholarship_year(y2024, actor=head).amount == 3_000_000

    # Ani turns 23 before school year 2024 starts: the opening of 2024 ended her schedule by itself
    ended = ScholarshipSchedule.objects.get(heir=ani)
    assert (ended.status, ended.stop_reason, ended.stop_date) == ("ended", "age_limit", D(2024, 7, 1))

    owed = selectors.liabilities(user=users["finance"], school_year=2025)
    # unpaid: the 42 million benefit order and the two approved scholarship years; SMA 2 due in 2025; SMA 3 and PT later
    assert owed["approved_unpaid"] == 42_000_000 + 2_000_000 + 3_000_000
    assert owed["scholarships_this_year"] == 3_000_000
    assert owed["scholarships_future"] == 3_000_000 + 5 * 12_000_000  # SMA 3, then five years of higher education
    (row,) = owed["per_sponsor"]
    assert row["sponsor"] == "Pemerintah Kota Dumai" and row["total"] == owed["total"]

    # working after 24 February 2025 for three months: the exception keeps the scholarship
    with pytest.raises(ServiceError) as kept:
        services.record_stop_event(schedule, actor=officer, reason="working", on=D(2025, 5, 1), work_months=3)
    assert kept.value.code == "working_exception"
    services.open_school_year(2025, actor=officer)
    services.record_stop_event(schedule, actor=officer, reason="married", on=D(2025, 9, 1))
    schedule.refresh_from_db()
    assert (schedule.status, schedule.stop_reason, schedule.stop_date) == ("ended", "married", D(2025, 9, 1))
    assert ScholarshipYear.objects.get(schedule=schedule, school_year=2025).status == "closed"
    assert services.open_school_year(2026, actor=officer)["opened"] == 0
    after = selectors.liabilities(user=users["finance"], school_year=2025)
    assert after["scholarships_this_year"] == 0 and after["scholarships_future"] == 0
    assert after["approved_unpaid"] == 47_000_000
    assert PaymentOrder.objects.filter(group=OrderGroup.SCHOLARSHIP).count() == 2


def test_a_child_not_yet_in_school_receives_it_from_entering_school(covered_workers, ready_claim, users):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    (kid,) = with_scholarship(claim, [("Bayu", D(2019, 1, 10), None, 1)])
    services.create_orders_for_claim(claim, actor=users["finance"])
    schedule = ScholarshipSchedule.objects.get(heir=kid)
    services.open_school_year(2024, actor=users["officer"])
    services.record_not_in_school(ScholarshipYear.objects.get(schedule=schedule, school_year=2024), actor=users["officer"])
    services.open_school_year(2025, actor=users["officer"])
    y = ScholarshipYear.objects.get(schedule=schedule, school_year=2025)
    services.record_enrolment(
        y, actor=users["officer"], level="SD", school_class=1, school_name="SDN 5 Dumai", bank_code="009", account_number="1234567002"
    )
    _proof(y, users["officer"])
    assert services.approve_scholarship_year(y, actor=users["branch_head"]).amount == 1_500_000
    schedule.refresh_from_db()
    assert schedule.status == "active"


def test_cli_opens_the_school_year_and_exports_and_imports_a_batch(covered_workers, ready_claim, users, finance2, tmp_path):
    from django.core.management import call_command

    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    with_scholarship(claim, [("Rizki", D(2009, 9, 1), "SMP", 3)])
    out = tmp_path / "out.txt"
    with out.open("w") as fh:
        call_command("payouts", "orders", "--as", users["finance"].username, stdout=fh)
        call_command("scholarships", "open", "--year", "2025", "--as", users["officer"].username, "--json", stdout=fh)
    text = out.read_text()
    assert "1 order(s): 42000000 IDR" in text and '"opened": 1' in text
    batch = services.create_batch(list(PaymentOrder.objects.all()), actor=users["finance"])
    services.authorise_batch(batch, actor=finance2)
    xml = tmp_path / "batch.xml"
    call_command("payouts", "export", batch.number, "--out", str(xml), "--as", users["finance"].username)
    assert b"<NbOfTxs>1</NbOfTxs>" in xml.read_bytes()
    answer = tmp_path / "answer.csv"
    order = PaymentOrder.objects.get()
    answer.write_text(f"reference,status,amount\n{order.number},PAID,42000000\n")
    with out.open("w") as fh:
        call_command("payouts", "import-answer", batch.number, str(answer), "--as", users["finance"].username, "--json", stdout=fh)
    assert f'"paid": [\n    "{order.number}"' in out.read_text()


def test_api_scholarship_year_and_liabilities(covered_workers, ready_claim, users, api_client):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    with_scholarship(claim, [("Rizki", D(2009, 9, 1), "SMP", 3)])
    services.create_orders_for_claim(claim, actor=users["finance"])
    officer = api_client(users["officer"])
    r = officer.post("/api/v1/payouts/scholarships/open", {"year": 2024}, content_type="application/json")
    assert r.status_code == 201 and r.json()["opened"] == 1
    (item,) = officer.get("/api/v1/payouts/scholarships?year=2024").json()["items"]
    r = officer.post(
        f"/api/v1/payouts/scholarships/{item['id']}/enrolment",
        {"level": "SMA", "school_class": 10, "school_name": "SMAN 1 Dumai", "bank_code": "009", "account_number": "1234567001"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["amount"] == 3_000_000
    r = officer.post(f"/api/v1/payouts/scholarships/{item['id']}/proof", {"file": SimpleUploadedFile("rapor.pdf", samples.PDF)})
    assert r.status_code == 200 and r.json()["proof"] is True
    r = api_client(users["branch_head"]).post(f"/api/v1/payouts/scholarships/{item['id']}/approve", content_type="application/json")
    assert r.status_code == 201 and r.json()["group"] == "scholarship"
    owed = api_client(users["finance"]).get("/api/v1/payouts/liabilities?school_year=2024").json()
    assert owed["approved_unpaid"] == 42_000_000 and owed["scholarships_this_year"] == 3_000_000
    history = api_client(users["finance"]).get(f"/api/v1/payouts/claims/{claim.number}/history").json()
    assert [h["group"] for h in history] == ["benefit", "scholarship"]
    assert api_client(users["sponsor"]).get("/api/v1/payouts/liabilities").status_code == 403


@pytest.mark.parametrize("year", [0, 1, 10000])
def test_api_school_year_outside_the_calendar_is_a_validation_error(users, api_client, year):
    """Schemathesis: ``{"year": 0}`` to /scholarships/open answered 500 (``year 0 is out of range``)."""
    officer = api_client(users["officer"])
    r = officer.post("/api/v1/payouts/scholarships/open", {"year": year}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert "year" in r.json()["error"]["fields"]
    assert officer.get(f"/api/v1/payouts/scholarships?year={year}").status_code == 422
    assert api_client(users["finance"]).get(f"/api/v1/payouts/liabilities?school_year={year}").status_code == 422
