"""``coverage_on_many``: many participants on one date, set-based, with the same answers as
``coverage_on`` for each (paid, grace, agreement ended, lapsed self-paying, before the start)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.contributions import billing, coverage, payments
from lindung.contributions.coverage import coverage_on, coverage_on_many
from lindung.contributions.models import Invoice
from lindung.membership.models import Participant, Project

D = dt.date
pytestmark = pytest.mark.django_db


def _key(r):
    return (r.status, r.reason, r.paid_through, r.grace_ends, r.payable)


@pytest.fixture
def mixed(make_agreement, make_workers, employer):
    ended = make_agreement(end=D(2024, 9, 30))
    make_workers(3, agreement=ended)
    for month in (D(2023, 10, 1), D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1)):
        billing.run_billing(period=month, today=month)
    for n, invoice in enumerate(Invoice.objects.filter(agreement=ended).order_by("period_start")):
        if invoice.period_start != D(2024, 7, 1):  # the last quarter stays unpaid: grace, then ended
            payments.record_payment(amount=invoice.total, paid_on=invoice.due_date, reference=invoice.number, bank_reference=f"PKS-{n}")
    own = make_workers(2, start=D(2024, 1, 1))
    for m in (1, 2, 3):
        billing.run_billing(period=D(2024, m, 1), today=D(2024, m, 1), segments=("self",))
    for invoice in Invoice.objects.filter(participant=own[0]):
        payments.record_payment(amount=invoice.total, paid_on=invoice.due_date, reference=invoice.number, bank_reference=f"OWN-{invoice.pk}")
    paid, unpaid = (
        Project.objects.create(
            contractor=employer,
            number=f"JK-{n}",
            name=f"Proyek {n}",
            contract_value=2_000_000_000,
            start_date=D(2024, 1, 1),
            end_date=D(2024, 12, 31),
        )
        for n in (1, 2)
    )
    for project in (paid, unpaid):
        make_workers(2, segment="JAKON", project=project, start=D(2024, 1, 1), wage=0)
    billing.run_billing(period=D(2024, 1, 1), today=D(2024, 1, 1), segments=("project",))
    invoice = Invoice.objects.get(payer_key=f"project:{paid.pk}")
    payments.record_payment(amount=invoice.total, paid_on=D(2024, 1, 10), reference=invoice.number, bank_reference="JK-1")
    return list(Participant.objects.select_related("agreement", "project").order_by("pk"))


@pytest.mark.parametrize(
    "on", [D(2023, 9, 30), D(2023, 11, 20), D(2024, 2, 15), D(2024, 4, 20), D(2024, 7, 20), D(2024, 8, 15), D(2024, 11, 15), D(2025, 3, 1)]
)
def test_the_bulk_answer_is_the_single_answer_for_every_participant(mixed, on):
    many = coverage_on_many(mixed, on)
    assert set(many) == {p.pk for p in mixed}
    for participant in mixed:
        single = coverage_on(participant, on)
        assert _key(many[participant.pk]) == _key(single), (participant.kpj_number, on)
        assert many[participant.pk].program == single.program
    for program in ("JKK", "JKM"):
        one = coverage_on_many(mixed, on, program=program)
        assert all(_key(one[p.pk]) == _key(coverage_on(p, on, program=program)) for p in mixed)


def test_the_answers_differ_as_the_ledger_says(mixed):
    statuses = {p.kpj_number: r.status for p, r in zip(mixed, coverage_on_many(mixed, D(2024, 8, 15)).values(), strict=True)}
    assert list(statuses.values())[:3] == ["grace"] * 3  # the sponsor's last quarter unpaid
    reasons = [r.reason.code for r in coverage_on_many(mixed, D(2024, 11, 15)).values()]
    assert reasons[:3] == ["agreement_ended"] * 3


def test_queries_do_not_grow_with_the_number_of_participants(mixed, monkeypatch):
    on = D(2024, 11, 15)
    with CaptureQueriesContext(connection) as few:
        coverage_on_many(mixed[:2], on)
    with CaptureQueriesContext(connection) as all_:
        coverage_on_many(mixed, on)
    assert len(all_) <= len(few) + 1 <= 5  # + the projects' invoices
    monkeypatch.setattr(coverage, "BULK_CHUNK", 2)  # chunked: the same answers, a few queries a chunk
    assert {k: _key(v) for k, v in coverage_on_many(mixed, on).items()} == {p.pk: _key(coverage_on(p, on)) for p in mixed}
