"""Payouts fixtures: covered Dumai workers whose deaths are decided claims ready for payment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lindung.claims import heirs as heirs_service
from lindung.claims import intake
from lindung.claims.models import ClaimHeir
from lindung.claims.workflow import CLAIM
from lindung.contributions import billing, payments
from lindung.contributions.models import Invoice
from lindung.registry.models import FamilyMember
from tests.claims.conftest import upload_all, valid_nik_workers  # noqa: F401  (fixtures)
from tests.contributions.conftest import employer, make_agreement, make_workers  # noqa: F401  (fixtures)

D = dt.date


def pain001_schema():
    """The official pain.001.001.09 XSD as the sepaxml package ships it (not copied here)."""
    import sepaxml
    import xmlschema

    return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"))


@pytest.fixture
def covered_workers(make_agreement, valid_nik_workers):  # noqa: F811
    """``covered_workers(n)``: sponsored Dumai workers covered October 2023 – March 2024, each with a
    spouse on the family register (the entitled heir)."""

    def make(n):
        agreement = make_agreement()
        workers = valid_nik_workers(n, agreement=agreement)
        billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
        billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 1))
        for invoice in Invoice.objects.order_by("period_start"):
            payments.record_payment(
                amount=invoice.total,
                paid_on=invoice.period_start + dt.timedelta(days=10),
                reference=invoice.number,
                bank_reference=f"BRK-{invoice.pk}",
            )
        for i, w in enumerate(workers):
            FamilyMember.objects.create(
                person=w.person, relation="spouse", full_name=f"Ahli Waris {i + 1}", nik=f"14720155088{i + 1:05d}", birth_date=D(1985, 8, 15), sex="F"
            )
        return workers

    return make


@pytest.fixture
def ready_claim(users):
    """``ready_claim(worker)``: a JKM death decided and ready for payment (42,000,000 to the spouse)."""

    def make(worker, *, death=D(2024, 2, 10), bank_code="009", account_number="1234567890", children=()):
        claim = intake.report_death(worker, actor=users["officer"], death_date=death)
        CLAIM.perform(claim, "open", actor=users["officer"])
        intake.update_claim(claim, actor=users["officer"], claimant_name="Ahli Waris", claimant_relation="spouse")
        spouse = ClaimHeir.objects.get(claim=claim, relation="spouse")
        heirs_service.set_payees(
            claim,
            [{"kind": "heir", "heir": spouse.pk, "share": 10_000, "bank_code": bank_code, "account_number": account_number}],
            actor=users["officer"],
        )
        upload_all(claim, users["officer"])
        CLAIM.perform(claim, "submit", actor=users["officer"])
        claim.documents.update(check_result="accepted", checked_by=users["verifier"])
        CLAIM.perform(claim, "verify", actor=users["verifier"])
        CLAIM.perform(claim, "approve", actor=users["branch_head"])
        CLAIM.perform(claim, "release", actor=None)
        claim.refresh_from_db()
        return claim

    return make


@pytest.fixture
def finance2(make_user):
    return make_user("finance", "keuangan-2")
