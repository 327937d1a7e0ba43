"""The contributions list pages and the per-payer loops do not query once per row (issue 8,
item 8): each page costs the same number of queries with one row or many; employer billing does not
load each employer's branch, and settling payments does not load each invoice's sponsor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.contributions import bank_statements, billing, payments
from lindung.contributions.models import Invoice
from lindung.membership.models import Employer

D = dt.date
pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as q:
        fn()
    return len(q.captured_queries)


@pytest.fixture
def monthly_invoices(make_agreement, make_workers):
    """``grow()`` bills one more month of a monthly Dumai agreement (one more invoice, paid)."""
    agreement = make_agreement(billing="monthly")
    make_workers(3, agreement=agreement)
    months = iter([D(2023, 10, 1), D(2023, 11, 1), D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)])

    def grow(n=1):
        for _ in range(n):
            m = next(months)
            billing.run_billing(period=m, today=m)
            inv = Invoice.objects.get(period_start=m, payer_type="sponsor")
            payments.record_payment(amount=inv.total, paid_on=m + dt.timedelta(days=3), reference=inv.number, bank_reference=f"B{m:%Y%m}")

    return grow


@pytest.mark.parametrize(
    "url",
    [
        "/contributions/",
        "/contributions/payments/",
        "/contributions/sponsors/{sponsor}/statement/?start=2023-01-01&end=2024-12-31",
        "/contributions/reconciliation/?start=2023-01-01&end=2024-12-31",
        "/api/v1/contributions/invoices",
        "/api/v1/contributions/payments",
    ],
)
def test_list_pages_cost_the_same_with_one_row_or_many(monthly_invoices, users, client, api_client, django_assert_max_num_queries, url):
    from tests.conftest import DUMAI_SPONSOR

    url = url.format(sponsor=DUMAI_SPONSOR)
    get = api_client(users["finance"]).get if url.startswith("/api/") else client.get
    client.force_login(users["finance"])
    monthly_invoices(1)
    assert get(url).status_code == 200  # warm caches (session, permissions, parameters)
    one = _queries(lambda: get(url))
    monthly_invoices(5)
    with django_assert_max_num_queries(one):
        assert get(url).status_code == 200


def test_employer_billing_does_not_load_each_employers_branch(branch, make_workers):
    for i in range(4):
        employer = Employer.objects.create(npp=f"NPP000{i}", name=f"PT {i}", risk_class="low", branch=branch)
        make_workers(2, segment="PU", employer=employer, start=D(2023, 10, 1))
    with CaptureQueriesContext(connection) as q:
        summary = billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    assert summary.created == 4
    assert not [x["sql"] for x in q.captured_queries if "accounts_branch" in x["sql"]]
    assert set(Invoice.objects.values_list("branch_id", flat=True)) == {branch.pk}


def test_a_bank_statement_does_not_load_each_invoices_sponsor(make_agreement, make_workers, sponsors):
    for i in range(4):
        make_workers(1, agreement=make_agreement(number=f"PKS-{i}", billing="monthly"))
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    invoices = list(Invoice.objects.order_by("number"))
    rows = "".join(f"2023-10-05,{inv.total + 100},{inv.number},BANK-{n}\n" for n, inv in enumerate(invoices))  # each overpaid: a credit
    with CaptureQueriesContext(connection) as q:
        bank_statements.import_bank_statement(content=("date,amount,reference,bank_reference\n" + rows).encode(), file_name="s.csv")
    assert not [x["sql"] for x in q.captured_queries if 'FROM "membership_sponsor"' in x["sql"]]
    assert {p.sponsor_id for p in payments.ContributionPayment.objects.all()} == {sponsors["dumai"].pk}
