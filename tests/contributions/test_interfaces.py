"""Web, API and CLI of the contributions context."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from lindung.contributions import billing, payments, services
from lindung.contributions.models import ContributionPayment, Invoice
from lindung.core.models import AuditEvent

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(make_agreement, make_workers, sponsors):
    agreement = make_agreement()
    workers = make_workers(5, agreement=agreement)
    riau = make_agreement(sponsor="riau", number="PKS-RIAU-2023", billing="monthly")
    make_workers(2, agreement=riau)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(sponsor=sponsors["dumai"]), workers


def test_cli_billing_run_json_is_idempotent(make_agreement, make_workers, users):
    make_workers(3, agreement=make_agreement())
    out = io.StringIO()
    call_command("billing", "run", "--period", "2023-10", "--json", "--as", users["finance"].username, stdout=out)
    assert json.loads(out.getvalue()) == {"invoices": 1, "lines": 18, "total": 3 * 3 * 16_800, "created": 1}
    out = io.StringIO()
    call_command("billing", "run", "--period", "2023-12", "--sponsor", "PEMKO-DUMAI", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 0
    assert AuditEvent.objects.filter(action="contributions.billing_run", source="cli", actor=users["finance"]).count() == 1
    with pytest.raises(CommandError):
        call_command("billing", "run", "--period", "2023-13")
    with pytest.raises(CommandError):
        call_command("billing", "run", "--period", "2023-10", "--sponsor", "NOPE")


def test_cli_payments_and_coverage(billed, tmp_path):
    invoice, workers = billed
    f = tmp_path / "bank.csv"
    f.write_text(f"date,amount,reference,bank_reference\n2023-10-10,{invoice.total},{invoice.number},X1\n")
    out = io.StringIO()
    call_command("payments", "import", str(f), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"rows": 1, "matched": 1, "unmatched": 0, "total": invoice.total}
    bad = tmp_path / "bad.csv"
    bad.write_text("date,amount,reference,bank_reference\nnot-a-date,10,x,X2\n")
    err = io.StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        call_command("payments", "import", str(bad), stderr=err)
    assert "row 2, field date" in err.getvalue()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("payments", "import", str(bad), stderr=err)
    assert "baris 2, kolom date" in err.getvalue()
    out = io.StringIO()
    call_command("coverage", workers[0].kpj_number, "2023-11-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "covered" and data["invoices"] == [invoice.number] and data["payments"] == ["X1"]
    out = io.StringIO()
    call_command("coverage", "--daily", "--on", "2023-11-01", stdout=out)
    assert json.loads(out.getvalue())["status"] == "succeeded"


def test_api_billing_payments_and_scoping(billed, users, api_client):
    invoice, workers = billed
    finance = api_client(users["finance"])
    r = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json")
    # A billing run is a job: 201 with the summary and the job's id once it finished (inline here).
    assert r.status_code == 201 and r.json()["created"] == 0 and r.json()["job_id"]
    r = finance.get("/api/v1/contributions/invoices?status=open")
    assert r.status_code == 200 and r.json()["count"] == 2  # the Dumai quarter and Riau's monthly October
    body = {"amount": invoice.total + 1000, "paid_on": "2023-10-10", "reference": invoice.number, "bank_reference": "API-1"}
    r = finance.post("/api/v1/contributions/payments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert r.status_code == 201 and r.json()["status"] == "matched"
    again = finance.post("/api/v1/contributions/payments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and ContributionPayment.objects.count() == 1
    dup = finance.post("/api/v1/contributions/payments", body, content_type="application/json")
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate_bank_reference"
    r = finance.get(f"/api/v1/contributions/coverage/{workers[0].kpj_number}?on=2023-12-31&program=JKM")
    assert r.json()["status"] == "covered" and r.json()["paid_through"] == "2023-12-31"
    r = finance.get(f"/api/v1/contributions/participants/{workers[0].kpj_number}/statement")
    assert r.json()["paid"] == 3 * 16_800
    r = finance.get("/api/v1/contributions/sponsors/PEMKO-DUMAI/statement?start=2023-01-01&end=2023-12-31")
    assert r.json()["billed"] == invoice.total and r.json()["credit"] == 1000
    pdf = finance.get(f"/api/v1/contributions/invoices/{invoice.number}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Sponsor users see their own invoices only; others' are 404.
    riau_invoice = Invoice.objects.exclude(sponsor=invoice.sponsor).first()
    sponsor = api_client(users["sponsor"])
    assert sponsor.get(f"/api/v1/contributions/invoices/{invoice.number}").status_code == 200
    assert sponsor.get(f"/api/v1/contributions/invoices/{riau_invoice.number}").status_code == 404
    assert sponsor.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json").status_code == 403
    r = finance.post("/api/v1/contributions/payments", {"amount": 0, "paid_on": "2023-10-10"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"amount": "must be positive"}


def test_api_bank_statement_rejected_and_settlement_needs_branch_head(billed, users, api_client):
    invoice, _ = billed
    from django.core.files.uploadedfile import SimpleUploadedFile

    finance = api_client(users["finance"])
    f = SimpleUploadedFile("b.csv", b"date,amount,reference,bank_reference\n2023-10-10,-5,x,R1\n", content_type="text/csv")
    r = finance.post("/api/v1/contributions/bank-statements", {"file": f})
    assert r.status_code == 400 and r.json()["error"]["code"] == "file_rejected" and "row 2" in r.json()["error"]["fields"]
    body = {"amount": invoice.total, "paid_on": "2024-01-20", "reason": "APBD late", "document_reference": "SP2D-1"}
    assert finance.post(f"/api/v1/contributions/invoices/{invoice.number}/settle-arrears", body, content_type="application/json").status_code == 403
    head = api_client(users["branch_head"])
    r = head.post(f"/api/v1/contributions/invoices/{invoice.number}/settle-arrears", body, content_type="application/json")
    assert r.status_code == 201


def test_web_pages(billed, users, client):
    invoice, workers = billed
    client.force_login(users["finance"])
    r = client.get("/contributions/")
    assert r.status_code == 200 and invoice.number in r.content.decode()
    r = client.get(f"/contributions/invoices/{invoice.number}/")
    assert "dua ratus lima puluh dua ribu rupiah".capitalize() in r.content.decode()  # 5 × 16,800 × 3 = 252,000
    assert client.get(f"/contributions/invoices/{invoice.number}/pdf/").content.startswith(b"%PDF")
    r = client.post(
        "/contributions/payments/", {"action": "record", "amount": "1000", "paid_on": "2023-10-10", "reference": "?", "bank_reference": "W1"}
    )
    assert r.status_code == 302 and ContributionPayment.objects.get().status == "unmatched"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("b.csv", b"date,amount,reference,bank_reference\n2023-10-10,abc,x,W2\n")
    r = client.post("/contributions/payments/", {"action": "import", "file": bad})
    assert r.status_code == 400 and "row-errors" in r.content.decode() and ContributionPayment.objects.count() == 1
    r = client.post("/contributions/payments/", {"action": "match", "payment": ContributionPayment.objects.get().pk, "invoice": invoice.number})
    assert r.status_code == 302 and ContributionPayment.objects.get().status == "matched"
    r = client.get(f"/contributions/participants/{workers[0].kpj_number}/?on=2023-10-05")
    assert r.status_code == 200 and "grace" in r.content.decode()
    assert "Riwayat iuran" in r.content.decode() and "Lunas sampai" in r.content.decode()  # Indonesian by default
    assert client.get(f"/contributions/participants/{workers[0].kpj_number}/pdf/").content.startswith(b"%PDF")
    r = client.get("/contributions/sponsors/PEMKO-DUMAI/statement/?start=2023-01-01&end=2023-12-31")
    assert r.status_code == 200
    assert client.get("/contributions/sponsors/PEMKO-DUMAI/statement/?start=2023-01-01&end=2023-12-31&format=pdf").content.startswith(b"%PDF")
    r = client.get("/contributions/reconciliation/?start=2023-01-01&end=2023-12-31&format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3 and sum(r[4] for r in rows[1:]) == sum(i.total for i in Invoice.objects.all())
    r = client.post("/contributions/", {"period": "2023-11"})
    assert r.status_code == 302


def test_web_sponsor_sees_own_invoices_only(billed, users, client):
    invoice, _ = billed
    client.force_login(users["sponsor_riau"])
    assert client.get(f"/contributions/invoices/{invoice.number}/").status_code == 404
    assert invoice.number not in client.get("/contributions/").content.decode()
    assert client.post("/contributions/", {"period": "2023-11"}).status_code == 404


def test_home_panel_shows_open_invoices_and_unmatched_payments(billed, users, client):
    payments.record_payment(amount=500, paid_on=D(2023, 10, 1), reference="?", bank_reference="H1", actor=users["finance"])
    client.force_login(users["finance"])
    page = client.get("/").content.decode()
    # Exact figures, on fixed dates (billed on 2023-10-01, the payment dated then): nothing here
    # depends on the day the test runs.
    assert "2 tagihan terbuka, Rp 285.600 belum dibayar." in page
    assert '<a href="/contributions/payments/">Pembayaran belum dicocokkan: 1</a>' in page
    from lindung.contributions.selectors import home_figures

    assert home_figures(users["finance"]) == {"open_invoices": 2, "outstanding": 252_000 + 33_600, "unmatched_payments": 1}
    assert home_figures(users["sponsor"])["unmatched_payments"] == 0


def test_web_refund_after_death(billed, users, client):
    invoice, workers = billed
    payments.record_payment(amount=invoice.total, paid_on=D(2023, 10, 10), invoice=invoice, bank_reference="R1")
    from lindung.membership.status import change_status

    change_status(workers[2], to="ended", effective_date=D(2023, 11, 3), reason="death")
    client.force_login(users["finance"])
    page = client.get(f"/contributions/participants/{workers[2].kpj_number}/").content.decode()
    assert "refund-form" in page
    r = client.post(f"/contributions/participants/{workers[2].kpj_number}/", {"action": "refund"})
    assert r.status_code == 302
    from lindung.contributions.models import Refund

    assert Refund.objects.get().amount == 16_800  # December only; November, the month of death, stays billed
    client.force_login(users["sponsor"])
    assert client.post(f"/contributions/participants/{workers[2].kpj_number}/", {"action": "refund"}).status_code == 404


def test_api_money_moving_posts_honour_idempotency_key(billed, users, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lindung.contributions.models import ArrearsSettlement, BankImport, Refund
    from lindung.membership.status import change_status

    invoice, workers = billed
    finance = api_client(users["finance"])
    # Bank statement upload (multipart): a retry with the same key and file replays the answer.
    csv = f"date,amount,reference,bank_reference\n2023-10-10,16800,{invoice.number},IDEM-1\n".encode()
    first = finance.post("/api/v1/contributions/bank-statements", {"file": SimpleUploadedFile("b.csv", csv)}, HTTP_IDEMPOTENCY_KEY="up-1")
    again = finance.post("/api/v1/contributions/bank-statements", {"file": SimpleUploadedFile("b.csv", csv)}, HTTP_IDEMPOTENCY_KEY="up-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert BankImport.objects.count() == 1 and ContributionPayment.objects.count() == 1
    other = SimpleUploadedFile("b.csv", csv.replace(b"IDEM-1", b"IDEM-2"))
    assert finance.post("/api/v1/contributions/bank-statements", {"file": other}, HTTP_IDEMPOTENCY_KEY="up-1").status_code == 422
    # Matching an unmatched payment.
    loose = payments.record_payment(
        amount=500, paid_on=dt.date(2023, 10, 11), reference="no reference", bank_reference="LOOSE-1", actor=users["finance"]
    )
    url = f"/api/v1/contributions/payments/{loose.pk}/match"
    r1 = finance.post(url, {"invoice": invoice.number}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1")
    r2 = finance.post(url, {"invoice": invoice.number}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert r1.status_code == r2.status_code == 200 and r2.json()["status"] == "matched"
    assert finance.post(url, {"invoice": invoice.number}, content_type="application/json").status_code == 409  # without the key: refused
    # Settling arrears (branch head).
    head = api_client(users["branch_head"])
    body = {"amount": 16_800, "paid_on": "2024-01-20", "reason": "APBD late", "document_reference": "SP2D-9", "bank_reference": "SET-1"}
    url = f"/api/v1/contributions/invoices/{invoice.number}/settle-arrears"
    s1 = head.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1")
    s2 = head.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert s1.status_code == s2.status_code == 201 and s1.json() == s2.json() and ArrearsSettlement.objects.count() == 1
    # Refund after death.
    invoice.refresh_from_db()
    payments.record_payment(amount=invoice.outstanding, paid_on=dt.date(2023, 10, 12), invoice=invoice, bank_reference="REST")
    change_status(workers[0], to="ended", effective_date=dt.date(2023, 10, 20), reason="death")
    url = f"/api/v1/contributions/participants/{workers[0].kpj_number}/refund-after-death"
    f1 = finance.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r-1")
    f2 = finance.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert f1.status_code == f2.status_code == 201 and f1.json() == f2.json() and Refund.objects.count() == 1
    # Billing run.
    b1 = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-11"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="b-1")
    b2 = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-11"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert b1.status_code == b2.status_code and b1.json() == b2.json()


def test_cli_daily_job_rejects_a_bad_date_and_fails_loudly(billed):
    with pytest.raises(CommandError, match="--on"):
        call_command("coverage", "--daily", "--on", "2024-13-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--date"):
        call_command("payments", "record", "--amount", "1000", "--date", "12/10/2023", stdout=io.StringIO())


def test_prepayment_on_cli_api_and_web(make_workers, users, api_client, client):
    from lindung.core.errors import ServiceError

    a, b, c = make_workers(3, start=dt.date(2024, 1, 1))  # self-paying BPU workers
    out = io.StringIO()
    call_command("billing", "prepay", a.kpj_number, "--from", "2024-01", "--months", "6", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 6 * 16_800 and data["due_date"] == "2024-01-15" and data["virtual_account"].startswith("88023")
    with pytest.raises(CommandError, match="already billed"):
        call_command("billing", "prepay", a.kpj_number, "--from", "2024-03", "--months", "3", stdout=io.StringIO())
    with pytest.raises(CommandError, match="before the start"):
        call_command("billing", "prepay", b.kpj_number, "--from", "2023-12", "--months", "3", stdout=io.StringIO())
    finance = api_client(users["finance"])
    url = f"/api/v1/contributions/participants/{b.kpj_number}/prepay"
    r1 = finance.post(url, {"first_month": "2024-01", "months": 12}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-1")
    r2 = finance.post(url, {"first_month": "2024-01", "months": 12}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json() and r1.json()["total"] == 12 * 16_800
    assert r1.json()["kind"] == "prepayment" and r1.json()["period_end"] == "2024-12-01"
    r = finance.post(url.replace(b.kpj_number, c.kpj_number), {"first_month": "2024-01", "months": 5}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"months": "1, 3, 6 or 12"}
    assert api_client(users["sponsor"]).post(url, {"first_month": "2025-01", "months": 3}, content_type="application/json").status_code in (403, 404)
    client.force_login(users["officer"])
    page = client.get(f"/contributions/participants/{c.kpj_number}/").content.decode()
    assert 'data-testid="prepay-form"' in page
    r = client.post(f"/contributions/participants/{c.kpj_number}/", {"action": "prepay", "first_month": "2024-01", "months": "3"})
    assert r.status_code == 302 and Invoice.objects.get(participant=c).total == 3 * 16_800
    # The monthly run skips prepaid months; months already billed cannot be prepaid.
    assert billing.run_billing(period=dt.date(2024, 2, 1), today=dt.date(2024, 2, 1)).created == 0
    with pytest.raises(ServiceError):
        billing.prepay(participant=c, first_month=dt.date(2024, 3, 1), months=1)


def test_web_money_forms_record_once_when_submitted_twice(billed, users, client):
    invoice, _ = billed
    client.force_login(users["finance"])
    page = client.get("/contributions/payments/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    assert len(key) == 32
    form = {"action": "record", "amount": "1000", "paid_on": "2023-10-10", "reference": invoice.number, "idempotency_key": key}
    assert client.post("/contributions/payments/", {**form, "amount": "1.000,5"}).status_code == 302  # refused: the key stays usable
    assert ContributionPayment.objects.count() == 0
    client.post("/contributions/payments/", form)
    client.post("/contributions/payments/", form)  # a double click or a browser resubmission
    assert ContributionPayment.objects.count() == 1
    client.post("/contributions/payments/", {**form, "idempotency_key": "another-form"})
    assert ContributionPayment.objects.count() == 2  # a new form is a new payment
    client.force_login(users["branch_head"])
    page = client.get(f"/contributions/invoices/{invoice.number}/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    settle = {
        "action": "settle",
        "amount": "500",
        "paid_on": "2024-01-20",
        "reason": "APBD late",
        "document_reference": "SP2D-7",
        "idempotency_key": key,
    }
    client.post(f"/contributions/invoices/{invoice.number}/", settle)
    client.post(f"/contributions/invoices/{invoice.number}/", settle)
    assert ContributionPayment.objects.filter(method="settlement").count() == 1


def test_cancel_invoice_on_api_cli_and_web(billed, users, api_client, client):
    invoice, _ = billed
    riau = Invoice.objects.exclude(pk=invoice.pk).get()
    sponsor = api_client(users["sponsor"])
    assert (
        sponsor.post(f"/api/v1/contributions/invoices/{invoice.number}/cancel", {"reason": "x"}, content_type="application/json").status_code == 403
    )
    finance = api_client(users["finance"])
    r = finance.post(
        f"/api/v1/contributions/invoices/{invoice.number}/cancel",
        {"reason": "wrong agreement"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="c-1",
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["outstanding"] == 0
    again = finance.post(
        f"/api/v1/contributions/invoices/{invoice.number}/cancel",
        {"reason": "wrong agreement"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="c-1",
    )
    assert again.json() == r.json() and Invoice.objects.filter(kind="credit_note").count() == 1
    assert (
        finance.post(f"/api/v1/contributions/invoices/{invoice.number}/cancel", {"reason": "again"}, content_type="application/json").status_code
        == 409
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("billing", "cancel", "INV-NOPE", "--reason", "x", stdout=out)
    client.force_login(users["officer"])
    assert 'data-testid="cancel-form"' in client.get(f"/contributions/invoices/{riau.number}/").content.decode()
    assert client.post(f"/contributions/invoices/{riau.number}/", {"action": "cancel", "reason": "duplicate"}).status_code == 302
    riau.refresh_from_db()
    assert riau.status == "cancelled"
    call_command("billing", "run", "--period", "2023-10", "--correction", stdout=io.StringIO())
    assert Invoice.objects.filter(kind="adjustment").count() == 2  # both payers billed again


def test_web_money_form_key_stays_usable_when_recording_fails_unexpectedly(billed, users, client, monkeypatch):
    """The form's key is stored in the same transaction as the money: a failure that is not a
    refusal (a database error, a crash) must not leave the key spent with nothing recorded."""
    invoice, _ = billed
    client.force_login(users["finance"])
    client.raise_request_exception = False
    page = client.get("/contributions/payments/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {"action": "record", "amount": "1000", "paid_on": "2023-10-10", "reference": invoice.number, "idempotency_key": key}
    real = payments.record_payment

    def crash(**kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(payments, "record_payment", crash)
    assert client.post("/contributions/payments/", form).status_code == 500
    monkeypatch.setattr(payments, "record_payment", real)
    client.post("/contributions/payments/", form)  # the user sends the same form again
    assert ContributionPayment.objects.count() == 1
    client.force_login(users["branch_head"])
    page = client.get(f"/contributions/invoices/{invoice.number}/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    settle = {
        "action": "settle",
        "amount": "500",
        "paid_on": "2024-01-20",
        "reason": "APBD late",
        "document_reference": "SP2D-7",
        "idempotency_key": key,
    }
    real_settle = services.settle_arrears

    def crash_settle(**kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(services, "settle_arrears", crash_settle)
    assert client.post(f"/contributions/invoices/{invoice.number}/", settle).status_code == 500
    monkeypatch.setattr(services, "settle_arrears", real_settle)
    client.post(f"/contributions/invoices/{invoice.number}/", settle)
    assert ContributionPayment.objects.filter(method="settlement").count() == 1
