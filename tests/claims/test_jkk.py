"""JKK claims: stage-I report timeliness, reimbursements from receipts, the claim expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.claims import benefit, documents, eligibility, intake
from lindung.claims.models import Claim
from lindung.claims.workflow import CLAIM
from lindung.contributions import billing, payments
from lindung.contributions.models import Invoice
from lindung.core.errors import ServiceError
from lindung.core.workflow import WorkflowError

from .conftest import upload_all

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def pu_worker(employer, valid_nik_workers):
    (worker,) = valid_nik_workers(1, segment="PU", wage=3_000_000, employer=employer, risk_class="low", start=D(2024, 1, 1))
    billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 1))
    billing.run_billing(period=D(2024, 2, 1), today=D(2024, 2, 1))
    for invoice in Invoice.objects.filter(status="issued"):
        payments.record_payment(
            amount=invoice.total, paid_on=invoice.period_start + dt.timedelta(days=20), reference=invoice.number, bank_reference=f"PU-{invoice.pk}"
        )
    return worker


def test_a_late_stage_one_report_is_flagged_and_the_claim_goes_on(pu_worker, users):
    accident = dt.datetime(2024, 2, 5, 7, 0)
    claim = intake.report_accident(
        pu_worker,
        actor=users["officer"],
        accident_at=accident,
        place="Kilang Dumai",
        description="Hand caught in a pump",
        reported_at=accident + dt.timedelta(hours=60),
    )
    assert claim.accident.reported_late
    assert not claim.accident.employer_pays_first  # before Permenaker 1/2025
    check = next(c for c in eligibility.evaluate(claim) if c.code == "accident_report")
    assert check.result == "warn" and not check.blocks and "60 jam" in check.reason


def test_medical_and_transport_receipts_are_reimbursed_to_the_participant(pu_worker, users):
    accident = dt.datetime(2024, 2, 5, 7, 0)
    claim = intake.report_accident(
        pu_worker,
        actor=users["officer"],
        accident_at=accident,
        place="Kilang Dumai",
        description="Burn",
        reported_at=accident + dt.timedelta(hours=3),
    )
    intake.open_claim(claim, actor=users["officer"], outcome="medical")
    intake.add_reimbursement(claim, actor=users["officer"], kind="medical", amount=7_250_000, description="RSUD Dumai")
    intake.add_reimbursement(claim, actor=users["officer"], kind="transport", mode="land", amount=6_000_000, description="ambulance to Pekanbaru")
    with pytest.raises(ServiceError) as exc:
        intake.add_reimbursement(claim, actor=users["officer"], kind="transport", amount=100)
    assert exc.value.fields == {"mode": "land, sea or air"}
    from lindung.claims import heirs as heirs_service

    heirs_service.set_payees(claim, [{"kind": "participant", "bank_code": "014", "account_number": "1234567890"}], actor=users["officer"])
    upload_all(claim, users["officer"], accept_by=users["verifier"])
    codes = {i.code for i in documents.checklist(claim) if i.required}
    assert {"doctor_certificate", "medical_receipts", "transport_receipts"} <= codes
    CLAIM.perform(claim, "submit", actor=users["officer"])
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    claim.refresh_from_db()
    # medical 7,250,000 as medically needed + land transport capped at 5,000,000 = 12,250,000
    assert claim.benefit_total == 12_250_000
    assert claim.deadline_detail["working_days"] == 7
    (paid,) = benefit.payee_amounts(claim)
    assert paid["payee"].kind == "participant" and paid["amount"] == 12_250_000


def test_an_expired_jkk_claim_cannot_go_on(users, employer, valid_nik_workers):
    (worker,) = valid_nik_workers(1, segment="PU", wage=2_000_000, employer=employer, risk_class="low", start=D(2016, 1, 1))
    accident = dt.datetime(2018, 5, 1, 10, 0)
    claim = intake.report_accident(
        worker, actor=users["officer"], accident_at=accident, place="Dumai", description="Fall", reported_at=accident + dt.timedelta(hours=5)
    )
    Claim.objects.filter(pk=claim.pk).update(opened_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    claim.refresh_from_db()
    check = next(c for c in eligibility.evaluate(claim) if c.code == "claim_expiry")
    # accidents before 2019-12-02: 2 years (PP 44/2015 Pasal 48) → the right lapsed on 2020-05-01
    assert check.result == "fail" and check.blocks and "1 Mei 2020" in check.reason and check.reference == "PP 44/2015 Pasal 48"
    intake.open_claim(claim, actor=users["officer"], outcome="medical")
    with pytest.raises(WorkflowError) as exc:
        CLAIM.perform(claim, "submit", actor=users["officer"])
    assert "claim_expiry" in exc.value.fields and "Hak klaim gugur" in exc.value.message
