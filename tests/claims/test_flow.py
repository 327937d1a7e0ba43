"""A claim from a reported death to ready for payment, and what is refused on the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from lindung.claims import benefit, eligibility, intake
from lindung.claims import heirs as heirs_service
from lindung.claims.models import Claim, ClaimHeir, ClaimStatus, ClaimTransfer, Outcome
from lindung.claims.workflow import CLAIM
from lindung.contributions import billing, payments
from lindung.contributions.models import Invoice
from lindung.core.errors import ServiceError
from lindung.core.workflow import WorkflowError
from lindung.membership.models import Participant, StatusChange
from lindung.registry.models import Person

from .conftest import upload_all

D = dt.date
pytestmark = pytest.mark.django_db


def _heir(claim, relation):
    return (
        ClaimHeir.objects.get(claim=claim, relation=relation)
        if relation != "child"
        else ClaimHeir.objects.filter(claim=claim, relation="child").order_by("birth_date").first()
    )


def _ready_jkm(covered, users, death=D(2024, 2, 10)):
    worker = covered[0]
    claim = intake.report_death(worker, actor=users["officer"], death_date=death, note="reported by the kelurahan")
    CLAIM.perform(claim, "open", actor=users["officer"])
    intake.update_claim(claim, actor=users["officer"], claimant_name="Siti Aminah", claimant_relation="spouse")
    spouse = _heir(claim, "spouse")
    heirs_service.set_payees(
        claim, [{"kind": "heir", "heir": spouse.pk, "share": 10_000, "bank_code": "119", "account_number": "1234567890"}], actor=users["officer"]
    )
    upload_all(claim, users["officer"])
    return claim


def test_reported_death_to_ready_for_payment_with_the_42_million_breakdown(covered, users):
    worker = covered[0]
    claim = intake.report_death(worker, actor=users["officer"], death_date=D(2024, 2, 10))
    assert claim.status == ClaimStatus.REPORTED and claim.number.startswith("KLM-")
    # the death is on the register and the membership ended through the status service
    worker.refresh_from_db()
    assert worker.status == Participant.Status.ENDED and worker.exit_reason == "death" and worker.end_date == D(2024, 2, 10)
    assert Person.objects.get(pk=worker.person_id).death_date == D(2024, 2, 10)
    assert StatusChange.objects.filter(participant=worker, to_status="ended", reason="death").exists()
    # heirs known from the family register: spouse and children are the entitled class, the parent is not
    assert {h.relation: h.entitled for h in claim.heirs.all() if h.relation != "child"} == {"spouse": True, "parent": False}
    assert claim.heirs.filter(relation="child", entitled=True).count() == 2

    CLAIM.perform(claim, "open", actor=users["officer"])
    spouse = _heir(claim, "spouse")
    heirs_service.set_payees(claim, [{"kind": "heir", "heir": spouse.pk, "bank_code": "119", "account_number": "1234567890"}], actor=users["officer"])
    upload_all(claim, users["officer"])
    CLAIM.perform(claim, "submit", actor=users["officer"])
    assert claim.complete_on is not None and claim.deadline is not None
    upload_all(claim, users["officer"])  # nothing more to upload
    claim.documents.update(check_result="accepted", checked_by=users["verifier"])
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    CLAIM.perform(claim, "approve", actor=users["branch_head"])
    CLAIM.perform(claim, "release", actor=None)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.READY
    assert claim.benefit_total == 42_000_000
    codes = {c["code"]: (c["amount"], c["reference"]) for c in claim.benefit["components"]}
    assert codes == {
        "santunan_sekaligus": (20_000_000, "PP 82/2019 (Pasal 34 ayat (1) huruf a PP 44/2015 as amended)"),
        "santunan_berkala": (12_000_000, "PP 82/2019 (Pasal 34 ayat (1) huruf b PP 44/2015 as amended)"),
        "biaya_pemakaman": (10_000_000, "PP 82/2019 (Pasal 34 ayat (1) huruf c PP 44/2015 as amended)"),
    }
    assert claim.benefit["total_in_words"] == "empat puluh dua juta rupiah"
    # 4 contribution months: the scholarship's 36-month condition is not met (cash unaffected)
    assert claim.benefit["scholarship"]["eligible"] is False
    (paid,) = benefit.payee_amounts(claim)
    assert paid["amount"] == 42_000_000 and paid["payee"].heir == spouse
    assert [d.transition for d in CLAIM.history(claim)] == ["create", "open", "submit", "verify", "approve", "release"]


def test_a_second_death_claim_is_refused(covered, users):
    worker = covered[0]
    intake.report_death(worker, actor=users["officer"], death_date=D(2024, 2, 10))
    with pytest.raises(ServiceError) as exc:
        intake.report_death(worker, actor=users["officer"], death_date=D(2024, 2, 10))
    assert exc.value.code == "death_claim_exists" and "KLM-" in exc.value.message
    # and the database refuses it too, whatever the service does
    claim = Claim.objects.get(participant=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(participant=worker, branch=claim.branch, program="JKK", outcome=Outcome.DEATH, event_date=D(2024, 2, 10))


def test_a_death_on_a_date_without_cover_cannot_be_verified(covered, users):
    # April 2024 is not billed; the last paid month is March: 15 August is beyond the 3-month grace window
    claim = _ready_jkm(covered, users, death=D(2024, 8, 15))
    checks = {c.code: c for c in eligibility.evaluate(claim)}
    assert checks["cover"].result == "fail" and checks["cover"].blocks
    assert "15 Agustus 2024" in checks["cover"].reason and checks["cover"].reference  # the date in words
    with pytest.raises(WorkflowError) as exc:
        CLAIM.perform(claim, "submit", actor=users["officer"])
    assert exc.value.code == "checks_failed" and "cover" in exc.value.fields
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT  # blocked, never deleted
    # cover cannot be overridden
    with pytest.raises(ServiceError) as refused:
        intake.override_check(claim, actor=users["verifier"], code="cover", reason="please")
    assert refused.value.code == "not_overridable"


def test_the_verifier_cannot_approve_their_own_verification(covered, users):
    claim = _ready_jkm(covered, users)
    CLAIM.perform(claim, "submit", actor=users["officer"])
    claim.documents.update(check_result="accepted", checked_by=users["verifier"])
    with pytest.raises(WorkflowError) as own:
        CLAIM.perform(claim, "verify", actor=users["officer"])
    assert own.value.code in ("permission_denied", "maker_checker")
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    users["verifier"].user_permissions.add(*Permission.objects.filter(codename="approve_claim"))
    verifier = type(users["verifier"]).objects.get(pk=users["verifier"].pk)  # fresh permission cache
    with pytest.raises(WorkflowError) as exc:
        CLAIM.perform(claim, "approve", actor=verifier)
    assert exc.value.code == "maker_checker"
    assert "orang lain" in exc.value.message


def test_return_for_correction_and_reject_need_a_reason_and_the_step_owner(covered, users):
    claim = _ready_jkm(covered, users)
    CLAIM.perform(claim, "submit", actor=users["officer"])
    with pytest.raises(WorkflowError) as no_reason:
        CLAIM.perform(claim, "return", actor=users["verifier"])
    assert no_reason.value.code == "reason_required"
    CLAIM.perform(claim, "return", actor=users["verifier"], reason="heir_certificate_unreadable", note="The heir certificate scan is unreadable.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED and "unreadable" in claim.status_reason
    intake.update_claim(claim, actor=users["officer"], claimant_phone="0812")
    CLAIM.perform(claim, "submit", actor=users["officer"])
    with pytest.raises(WorkflowError):
        CLAIM.perform(claim, "reject", actor=users["officer"], reason="x")
    CLAIM.perform(claim, "reject", actor=users["verifier"], reason="not_heir", note="The claimant is not an heir.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_payee_shares_that_do_not_add_up_are_refused(covered, users):
    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    spouse, child = _heir(claim, "spouse"), _heir(claim, "child")
    with pytest.raises(ServiceError) as exc:
        heirs_service.set_payees(
            claim,
            [
                {"heir": spouse.pk, "share": 5_000, "bank_code": "119", "account_number": "1234567890"},
                {"heir": child.pk, "share": 4_000, "bank_code": "119", "account_number": "1234567891"},
            ],
            actor=users["officer"],
        )
    assert exc.value.code == "shares_do_not_add_up" and "9000" in exc.value.message
    assert claim.payees.count() == 0
    with pytest.raises(ServiceError) as parent:
        heirs_service.set_payees(
            claim, [{"heir": _heir(claim, "parent").pk, "bank_code": "119", "account_number": "1234567890"}], actor=users["officer"]
        )
    assert parent.value.code == "not_entitled"
    with pytest.raises(ServiceError) as account:
        heirs_service.set_payees(claim, [{"heir": spouse.pk, "bank_code": "002", "account_number": "1234"}], actor=users["officer"])
    assert account.value.code == "invalid_account" and "payees.0.account_number" in account.value.fields
    assert "15" in account.value.message
    # two heirs, 6,000 + 4,000: 42,000,000 split 25,200,000 and 16,800,000
    heirs_service.set_payees(
        claim,
        [
            {"heir": spouse.pk, "share": 6_000, "bank_code": "119", "account_number": "1234567890"},
            {"heir": child.pk, "share": 4_000, "bank_code": "008", "account_number": "1234567890123"},
        ],
        actor=users["officer"],
    )
    claim.benefit = benefit.frozen_view(claim, benefit.compute(claim))
    assert [a["amount"] for a in benefit.payee_amounts(claim)] == [25_200_000, 16_800_000]


def test_no_heirs_funeral_to_the_arranger_and_the_rest_to_the_fund(covered, users):
    worker = covered[1]  # no family registered
    claim = intake.report_death(worker, actor=users["officer"], death_date=D(2024, 3, 1))
    CLAIM.perform(claim, "open", actor=users["officer"])
    intake.update_claim(claim, actor=users["officer"], funeral_arranger="Ketua RT 03 Purnama")
    assert heirs_service.payee_problems(claim) == ["Belum ada penerima yang ditunjuk."]
    heirs_service.set_payees(claim, [{"kind": "funeral_arranger", "bank_code": "119", "account_number": "9876543210"}], actor=users["officer"])
    problems = heirs_service.payee_problems(claim)
    assert problems == ["Tanpa ahli waris, manfaat selain biaya pemakaman menjadi milik Dana Jaminan Sosial: tambahkan sebagai penerima."]
    heirs_service.set_payees(
        claim,
        [{"kind": "funeral_arranger", "bank_code": "119", "account_number": "9876543210"}, {"kind": "social_security_fund"}],
        actor=users["officer"],
    )
    assert heirs_service.payee_problems(claim) == []
    claim.benefit = benefit.frozen_view(claim, benefit.compute(claim))
    amounts = {a["payee"].kind: a["amount"] for a in benefit.payee_amounts(claim)}
    assert amounts == {"funeral_arranger": 10_000_000, "social_security_fund": 32_000_000}


def test_sponsor_reports_a_death_of_its_own_workers_only(covered, users, make_agreement, valid_nik_workers):
    claim = intake.report_death(covered[2], actor=users["sponsor"], death_date=D(2024, 1, 5))
    assert claim.source == "sponsor" and claim.sponsor.code == covered[2].sponsor.code
    riau = make_agreement(sponsor="riau", number="PKS-RIAU-2023")
    (riau_worker,) = valid_nik_workers(1, agreement=riau)
    with pytest.raises(ServiceError) as exc:
        intake.report_death(riau_worker, actor=users["sponsor"], death_date=D(2024, 1, 5))
    assert exc.value.status == 404
    assert not Claim.objects.visible_to(users["sponsor_riau"]).filter(pk=claim.pk).exists()
    assert Claim.objects.visible_to(users["sponsor"]).filter(pk=claim.pk).exists()
    assert not ClaimHeir.objects.visible_to(users["sponsor"]).exists()  # never heirs, documents or accounts


def test_jkk_death_at_a_wage_of_1_800_000_yields_108_400_000(covered, users, employer, valid_nik_workers):
    (pu,) = valid_nik_workers(1, segment="PU", wage=1_800_000, employer=employer, risk_class="low")
    billing.run_billing(period=D(2023, 11, 1), today=D(2023, 11, 1))
    for invoice in Invoice.objects.filter(status="issued"):
        payments.record_payment(amount=invoice.total, paid_on=D(2023, 12, 10), reference=invoice.number, bank_reference=f"PU-{invoice.pk}")
    accident = dt.datetime(2023, 11, 20, 9, 30)
    claim = intake.report_accident(
        pu,
        actor=users["officer"],
        accident_at=accident,
        place="Pelabuhan Dumai",
        description="Fell from a crane",
        reported_at=accident + dt.timedelta(hours=20),
    )
    assert not claim.accident.reported_late
    intake.record_accident_death(claim, actor=users["officer"], death_date=D(2023, 11, 20))
    pu.refresh_from_db()
    assert pu.exit_reason == "death"
    result = benefit.compute(claim)
    assert result.total == 108_400_000
    assert [(c.code, c.amount) for c in result.components] == [
        ("santunan_kematian", 86_400_000),
        ("santunan_berkala", 12_000_000),
        ("biaya_pemakaman", 10_000_000),
    ]


def test_a_decided_claim_keeps_its_amounts_after_a_parameter_change(covered, users, tmp_path, monkeypatch):
    claim = _ready_jkm(covered, users)
    CLAIM.perform(claim, "submit", actor=users["officer"])
    claim.documents.update(check_result="accepted", checked_by=users["verifier"])
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    CLAIM.perform(claim, "approve", actor=users["branch_head"])
    # a later regulation raises the JKM lump sum for deaths from 2024-01-01 (data change only)
    from lindung.rules import params as rules_params

    extra = tmp_path / "amendment"
    extra.mkdir()
    (extra / "jkm.yaml").write_text(
        "parameters:\n  jkm.lump_sum:\n    values:\n      2024-01-01: {value: 30000000, reference: Amendment (test)}\n", encoding="utf-8"
    )
    amended = rules_params.load_parameters([extra])
    monkeypatch.setattr(benefit, "load_parameters", lambda: amended)
    assert benefit.compute(claim).total == 52_000_000  # a new calculation would differ …
    claim.refresh_from_db()
    assert claim.benefit_total == 42_000_000  # … the decided claim does not
    assert next(c for c in claim.benefit["components"] if c["code"] == "santunan_sekaligus")["amount"] == 20_000_000
    # the frozen calculation record and its parameter snapshot show the original value and reference
    from lindung.core.calculations import redisplay

    shown = redisplay(claim.calculation)
    assert shown["total"] == 42_000_000 and claim.benefit["snapshot"] == shown["snapshot"]["digest"][:16]
    lump = next(p for p in shown["parameters_used"] if p["name"] == "jkm.lump_sum")
    assert lump["value"] == 20_000_000 and lump["reference"].startswith("PP 82/2019")


def test_a_late_claim_carries_its_compensation_in_working_days(covered, users):
    claim = _ready_jkm(covered, users)
    CLAIM.perform(claim, "submit", actor=users["officer"])
    claim.documents.update(check_result="accepted", checked_by=users["verifier"])
    CLAIM.perform(claim, "verify", actor=users["verifier"])
    # the application was complete on Thursday 4 April 2024: the deadline is 17 April (Idul Fitri, joint leave)
    Claim.objects.filter(pk=claim.pk).update(complete_on=D(2024, 4, 4))
    claim.refresh_from_db()
    late = benefit.late_compensation(claim, paid_on=D(2024, 4, 22))
    assert late["deadline"] == "2024-04-17" and late["days_late"] == 5
    assert late["amount"] == 2_100_000  # 1% × 5 × 42,000,000
    assert late["amount_in_words"] == "dua juta seratus ribu rupiah"
    assert benefit.late_compensation(claim, paid_on=D(2024, 4, 17))["amount"] == 0
    heirs_part = benefit.payee_amounts(claim, extra=late["amount"])
    assert sum(a["amount"] for a in heirs_part) == 44_100_000


def test_transfer_keeps_history_and_moves_the_scope(covered, users, other_branch, make_user):
    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 2, 10))
    from lindung.claims import transfer

    transfer.transfer_claim(claim, actor=users["officer"], to_branch=other_branch, reason="The widow moved to Medan (Sumatera Utara).")
    claim.refresh_from_db()
    assert claim.branch == other_branch
    assert ClaimTransfer.objects.filter(claim=claim).count() == 1
    assert not Claim.objects.visible_to(users["officer"]).filter(pk=claim.pk).exists()
    medan_officer = make_user("officer", "petugas-medan", user_branch=other_branch)
    assert Claim.objects.visible_to(medan_officer).filter(pk=claim.pk).exists()
    assert ClaimTransfer.objects.visible_to(medan_officer).filter(claim=claim).exists()
    assert [d.transition for d in CLAIM.history(claim)] == ["create"]


def test_a_death_in_the_bpu_grace_window_is_payable_once_the_arrears_are_paid(covered, users):
    # paid through 31 March 2024; a death on 15 April falls in the 3-month grace window
    claim = intake.report_death(covered[0], actor=users["officer"], death_date=D(2024, 4, 15))
    cover = next(c for c in eligibility.evaluate(claim) if c.code == "cover")
    assert cover.result == "fail" and cover.blocks and "masa tenggang" in cover.reason
    assert cover.reference and "grace_event_policy" not in cover.reference  # the policy's legal reference, not its name
    billing.run_billing(period=D(2024, 4, 1), today=D(2024, 4, 1))
    q2 = Invoice.objects.get(period_start=D(2024, 4, 1))
    payments.record_payment(amount=q2.total, paid_on=D(2024, 4, 20), reference=q2.number, bank_reference="BRK-Q2")
    cover = next(c for c in eligibility.evaluate(claim) if c.code == "cover")
    assert cover.result == "pass"


def test_a_death_before_a_later_recorded_end_moves_the_end_to_the_death(covered, users):
    from lindung.membership.registration import end_membership

    worker = covered[3]
    end_membership(worker, actor=users["officer"], effective_date=D(2024, 3, 31), reason="ended_by_sponsor")
    claim = intake.report_death(worker, actor=users["officer"], death_date=D(2024, 3, 5))
    worker.refresh_from_db()
    assert (worker.status, worker.end_date, worker.exit_reason) == ("ended", D(2024, 3, 5), "death")
    checks = {c.code: c for c in eligibility.evaluate(claim)}
    assert checks["participant_status"].result == "pass" and checks["cover"].result == "pass"
