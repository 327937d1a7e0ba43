"""Claims fixtures: covered Dumai workers (billed and paid October 2023 – March 2024) with families."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.claims.models import ClaimDocument
from lindung.contributions import billing, payments
from lindung.contributions.models import Invoice
from lindung.registry.models import FamilyMember, Person
from tests.contributions.conftest import employer, make_agreement, make_workers  # noqa: F401  (fixtures)

D = dt.date


_serial = {"n": 0}


@pytest.fixture
def valid_nik_workers(make_workers):  # noqa: F811
    """``make_workers`` with NIKs that parse (Dumai Barat, born 1 January 1980, serial per worker)."""

    def make(n, **kwargs):
        workers = make_workers(n, **kwargs)
        for w in workers:
            _serial["n"] += 1
            Person.objects.filter(pk=w.person_id).update(nik=f"1472010101{80:02d}{_serial['n'] % 10000 or 1:04d}")
            w.person.refresh_from_db()
        return workers

    return make


@pytest.fixture
def covered(make_agreement, valid_nik_workers):  # noqa: F811
    """Four sponsored Dumai workers, covered October 2023 – March 2024 (both quarters paid)."""
    agreement = make_agreement()
    workers = valid_nik_workers(4, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 1))
    for invoice in Invoice.objects.order_by("period_start"):
        payments.record_payment(
            amount=invoice.total, paid_on=invoice.period_start + dt.timedelta(days=10), reference=invoice.number, bank_reference=f"BRK-{invoice.pk}"
        )
    worker = workers[0]
    person = worker.person
    FamilyMember.objects.create(
        person=person, relation="spouse", full_name="Siti Aminah", nik="1472015508850002", birth_date=D(1985, 8, 15), sex="F", phone="081234567890"
    )
    FamilyMember.objects.create(person=person, relation="child", full_name="Rizki Pratama", birth_date=D(2011, 9, 15), sex="M")
    FamilyMember.objects.create(
        person=person,
        relation="child",
        full_name="Nur Aisyah",
        birth_date=D(2016, 2, 1),
        sex="F",
        school_level="SD",
    )
    FamilyMember.objects.create(person=person, relation="parent", full_name="Ahmad Yusuf", birth_date=D(1950, 1, 1), sex="M")
    return workers


def upload_all(claim, actor, *, accept_by=None):
    """Stand-in for the uploads of the checklist's required items (the kernel's stored files are
    attached by the intake page; here only the checklist state matters)."""
    from django.utils import timezone

    from lindung.claims import documents

    for item in documents.checklist(claim):
        if item.required and not item.uploaded:
            ClaimDocument.objects.create(
                claim=claim,
                code=item.code,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
                check_result=ClaimDocument.Check.ACCEPTED if accept_by else ClaimDocument.Check.PENDING,
                checked_by=accept_by,
                checked_at=timezone.now() if accept_by else None,
            )
