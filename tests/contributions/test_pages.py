"""What the contributions pages say at first sight (issue 9, item 5): an invoice past its due date
reads overdue, the payments list names the invoice each payment paid, and a sponsor's home page
links its account statement."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.contributions import billing, payments
from lindung.contributions.models import Invoice

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(make_agreement, make_workers):
    make_workers(2, agreement=make_agreement(billing="monthly"))
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(period_start=D(2023, 10, 1))


def test_an_invoice_past_its_due_date_reads_overdue_before_the_daily_job_ran(invoice, users, client):
    assert invoice.status == "issued" and invoice.due_date < dt.date.today()
    assert invoice.status_on(invoice.due_date) == "issued" and invoice.status_on(invoice.due_date + dt.timedelta(days=1)) == "overdue"
    client.force_login(users["finance"])
    assert client.get(f"/contributions/invoices/{invoice.number}/").context["invoice"].status_label == "Lewat jatuh tempo"
    detail = client.get(f"/contributions/invoices/{invoice.number}/").content.decode()
    assert '<dd data-testid="invoice-status">Lewat jatuh tempo</dd>' in detail
    listing = client.get("/contributions/").content.decode()
    assert "<td>Lewat jatuh tempo</td>" in listing and "<td>Diterbitkan</td>" not in listing
    payments.record_payment(amount=invoice.total, paid_on=D(2023, 10, 5), invoice=invoice, bank_reference="P")
    assert "<td>Lewat jatuh tempo</td>" not in client.get("/contributions/").content.decode()  # a paid invoice is never overdue


def test_the_payments_list_names_the_invoice_each_payment_paid(invoice, users, client):
    payments.record_payment(amount=16_800, paid_on=D(2023, 10, 5), invoice=invoice, bank_reference="PAID-1")
    payments.record_payment(amount=500, paid_on=D(2023, 10, 5), reference="tanpa nomor", bank_reference="WAITING", actor=users["finance"])
    client.force_login(users["finance"])
    page = client.get("/contributions/payments/")
    cells = page.content.decode().split('data-testid="payment-table"')[1]
    link = f'<a href="/contributions/invoices/{invoice.number}/">{invoice.number}</a>'
    assert cells.count(link) == 1
    assert '<td data-testid="payment-invoices">—</td>' in cells  # the unmatched one paid nothing yet


def test_the_sponsor_home_page_links_its_account_statement(invoice, users, client, sponsors):
    client.force_login(users["sponsor"])
    page = client.get("/").content.decode()
    assert f'<a href="/contributions/sponsors/{sponsors["dumai"].code}/statement/">' in page
    client.force_login(users["finance"])
    assert "/statement/" not in client.get("/").content.decode()  # staff choose the sponsor
