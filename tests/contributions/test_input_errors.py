"""Bad input to the contributions forms and API is refused with an error naming the field, never a
server error (issue 10, item 9; issue 8, item 8): amounts beyond any payment, implausible payment
dates, a payment form with a payment that is not a number, and concurrent identical prepayments."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from lindung.contributions import bank_statements, billing, payments
from lindung.contributions.models import ContributionPayment, Invoice
from lindung.core.errors import FileRejected, ServiceError

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(make_agreement, make_workers):
    make_workers(2, agreement=make_agreement(billing="monthly"))
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(period_start=D(2023, 10, 1))


def _post_json(client, url, body: str, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def test_api_payment_amounts_beyond_any_payment_are_refused_naming_the_field(invoice, users, api_client):
    finance = api_client(users["finance"])
    for raw, status in [("1e19", 422), (str(10**18), 422), ("0", 400), ("-5", 400)]:
        r = _post_json(finance, "/api/v1/contributions/payments", f'{{"amount": {raw}, "paid_on": "2023-10-05", "invoice": "{invoice.number}"}}')
        assert r.status_code == status, (raw, r.content)
        assert "amount" in r.json()["error"]["fields"], r.json()
    assert ContributionPayment.objects.count() == 0
    ok = _post_json(finance, "/api/v1/contributions/payments", f'{{"amount": 16800, "paid_on": "2023-10-05", "invoice": "{invoice.number}"}}')
    assert ok.status_code == 201


def test_api_payment_dates_outside_a_plausible_range_are_refused_naming_the_field(invoice, users, api_client):
    finance = api_client(users["finance"])
    for day in ["0193-06-16", "2013-12-31", (dt.date.today() + dt.timedelta(days=1)).isoformat()]:
        r = _post_json(finance, "/api/v1/contributions/payments", f'{{"amount": 16800, "paid_on": "{day}", "invoice": "{invoice.number}"}}')
        assert r.status_code == 400, (day, r.content)
        assert list(r.json()["error"]["fields"]) == ["paid_on"]
    assert ContributionPayment.objects.count() == 0


def test_the_service_refuses_the_same_bounds(invoice):
    with pytest.raises(ServiceError) as exc:
        payments.record_payment(amount=10**18, paid_on=D(2023, 10, 5), invoice=invoice)
    assert exc.value.fields == {"amount": "too large"}
    with pytest.raises(ServiceError) as exc:
        payments.record_payment(amount=16_800, paid_on=D(193, 6, 16), invoice=invoice)
    assert exc.value.fields == {"paid_on": "too early"}
    payments.record_payment(amount=payments.MAX_PAYMENT_AMOUNT, paid_on=D(2014, 1, 1), reference="no invoice")  # the bounds themselves


def test_a_bank_statement_row_with_an_implausible_date_or_amount_is_a_row_error(invoice):
    content = (
        "date,amount,reference,bank_reference\n"
        f"0193-06-16,16800,{invoice.number},B1\n"
        f"2023-10-05,1000000000000000000,{invoice.number},B2\n"
        f"2023-10-05,16800,{invoice.number},B3\n"
    ).encode()
    with pytest.raises(FileRejected) as exc:
        bank_statements.import_bank_statement(content=content, file_name="s.csv")
    assert sorted((e.row, e.field) for e in exc.value.errors) == [(2, "date"), (3, "amount")]
    assert ContributionPayment.objects.count() == 0


def test_web_payment_forms_answer_a_clear_error_for_input_that_is_not_a_number_or_a_date(invoice, users, client):
    client.force_login(users["finance"])
    r = client.post("/contributions/payments/", {"action": "match", "payment": "abc", "invoice": invoice.number}, follow=True)
    assert r.status_code == 200
    assert [str(m) for m in r.context["messages"]] == ["Pilih pembayaran dari antrean yang belum cocok."]
    r = client.post(
        "/contributions/payments/",
        {"action": "record", "amount": "16800", "paid_on": "16/06/0193x", "reference": invoice.number, "idempotency_key": "k1"},
        follow=True,
    )
    assert r.status_code == 200 and ContributionPayment.objects.count() == 0  # not silently recorded as paid today
    assert "bukan tanggal" in " ".join(str(m) for m in r.context["messages"])


def test_a_second_identical_prepayment_is_a_conflict(make_workers, users, api_client):
    (worker,) = make_workers(1, start=D(2024, 1, 1))
    finance = api_client(users["finance"])
    url = f"/api/v1/contributions/participants/{worker.kpj_number}/prepay"
    assert finance.post(url, {"first_month": "2024-01", "months": 6}, content_type="application/json").status_code == 201
    r = finance.post(url, {"first_month": "2024-01", "months": 6}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_billed"


def test_a_prepayment_that_lost_the_race_on_the_invoice_number_is_a_conflict_not_a_server_error(make_workers, monkeypatch):
    """Where the lock does not make the second request wait, the invoice's unique number stops it:
    the answer is the same 409."""
    (worker,) = make_workers(1, start=D(2024, 1, 1))
    billing.prepay(participant=worker, first_month=D(2024, 1, 1), months=3, today=D(2024, 1, 2))
    from lindung.contributions.billing import prepayment

    monkeypatch.setattr(prepayment, "next_sequence", lambda key, first: 1)  # what a racing request computed
    monkeypatch.setattr(prepayment.InvoiceLine.objects, "filter", lambda *a, **k: prepayment.InvoiceLine.objects.none())
    with pytest.raises(ServiceError) as exc:
        billing.prepay(participant=worker, first_month=D(2024, 1, 1), months=3, today=D(2024, 1, 2))
    assert exc.value.code == "already_billed" and exc.value.status == 409
    assert Invoice.objects.filter(participant=worker).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent connections waiting on a row lock (SELECT … FOR UPDATE); the SQLite test database is in "
    "memory (one shared cache), where IMMEDIATE transactions serialise writers but threads cannot wait on each other's lock",
)
@pytest.mark.django_db(transaction=True)
def test_four_concurrent_identical_prepayments_make_one_invoice_and_three_conflicts(make_workers, users, api_client):
    (worker,) = make_workers(1, start=D(2024, 1, 1))
    finance = api_client(users["finance"])
    url = f"/api/v1/contributions/participants/{worker.kpj_number}/prepay"
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def post():
        from django.db import connection as conn

        try:
            barrier.wait(10)
            codes.append(finance.post(url, {"first_month": "2024-01", "months": 6}, content_type="application/json").status_code)
        finally:
            conn.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [201, 409, 409, 409]
    assert Invoice.objects.filter(participant=worker).count() == 1


def test_a_nul_byte_in_a_payment_reference_is_a_field_error_not_a_server_error(invoice, users, api_client):
    finance = api_client(users["finance"])
    r = finance.post(
        "/api/v1/contributions/payments",
        {"amount": 16_800, "paid_on": "2023-10-05", "reference": "PEMBAYARAN\x00X", "invoice": invoice.number},
        content_type="application/json",
    )
    fields = r.json()["error"]["fields"] if r.status_code == 400 else {}
    assert list(fields) == ["reference"] and "NUL" in fields["reference"], r.content
    # A CSV with a NUL byte is refused by the upload check before it is read (not a text file).
    from lindung.core.files.checks import UploadRefused

    content = f"date,amount,reference,bank_reference\n2023-10-05,16800,{invoice.number},B\x001\n".encode()
    with pytest.raises(UploadRefused):
        bank_statements.import_bank_statement(content=content, file_name="s.csv")
    assert ContributionPayment.objects.count() == 0
