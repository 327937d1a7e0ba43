"""The payouts pages and API: finance builds a batch, a second finance user authorises, exports and
imports the answer; row errors shown; sponsors see only events with their workers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lindung.payouts import services
from lindung.payouts.models import OrderStatus, PaymentBatch, PaymentOrder

from .conftest import pain001_schema

D = dt.date
pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_web_finance_builds_a_batch_second_user_authorises_exports_and_imports_the_answer(covered_workers, ready_claim, users, finance2):
    a, b = covered_workers(2)
    claims = [ready_claim(a), ready_claim(b)]
    web = _client(users["finance"])
    page = web.get("/payouts/")
    assert page.status_code == 200 and claims[0].number in page.content.decode()
    for c in claims:
        assert web.post(f"/payouts/claims/{c.number}/orders").status_code == 302
    numbers = list(PaymentOrder.objects.order_by("id").values_list("number", flat=True))
    page = web.get("/payouts/").content.decode()
    assert "Rp 42.000.000" in page and "******7890" in page and "1234567890" not in page  # accounts masked in the list
    r = web.post("/payouts/batches/", {"orders": numbers, "execution_date": "2024-03-20", "bank_format": "default"})
    batch = PaymentBatch.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/payouts/batches/{batch.number}/"
    # the maker sees no authorise button and is refused
    assert "action-authorise" not in web.get(r["Location"]).content.decode()
    web.post(r["Location"], {"action": "authorise"})
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.DRAFT
    second = _client(finance2)
    assert "action-authorise" in second.get(r["Location"]).content.decode()
    second.post(r["Location"], {"action": "authorise"})
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.AUTHORISED
    xml = b"".join(web.get(f"/payouts/batches/{batch.number}/export/pain001").streaming_content)
    pain001_schema().validate(xml.decode())
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {OrderStatus.SENT}
    # a wrong answer: row errors listed, nothing applied
    bad = f"reference,status,amount\r\n{numbers[0]},PAID,42000000\r\nPO-X,PAID,1\r\n".encode()
    page = web.post(r["Location"], {"action": "answer", "file": SimpleUploadedFile("hasil.csv", bad)}).content.decode()
    assert 'data-testid="row-errors"' in page and "PO-X" in page
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {OrderStatus.SENT}
    good = f"reference,status,amount\r\n{numbers[0]},PAID,42000000\r\n{numbers[1]},FAILED,42000000\r\n".encode()
    assert web.post(r["Location"], {"action": "answer", "file": SimpleUploadedFile("hasil.csv", good)}).status_code == 302
    assert dict(PaymentOrder.objects.values_list("number", "status")) == {numbers[0]: "paid", numbers[1]: "failed"}
    # re-issue the failed one from its page
    r2 = web.post(f"/payouts/orders/{numbers[1]}/", {"bank_code": "009", "account_number": "1234567111", "account_holder": "Ahli Waris 2"})
    assert r2.status_code == 302 and PaymentOrder.objects.filter(status=OrderStatus.READY).count() == 1


def test_api_batch_flow_and_openapi(covered_workers, ready_claim, users, finance2, api_client):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    api = api_client(users["finance"])
    r = api.post(f"/api/v1/payouts/claims/{claim.number}/orders", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert r.status_code == 201, r.content
    (order,) = r.json()
    assert order["amount"] == 42_000_000 and order["account_number"] == "******7890"
    r = api.post("/api/v1/payouts/batches", {"orders": [order["number"]], "execution_date": "2024-03-20"}, content_type="application/json")
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    refused = api.post(f"/api/v1/payouts/batches/{number}/authorise", {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "maker_checker"
    ok = api_client(finance2).post(f"/api/v1/payouts/batches/{number}/authorise", {"note": "ok"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "authorised"
    xml = b"".join(api.get(f"/api/v1/payouts/batches/{number}/pain001").streaming_content)
    pain001_schema().validate(xml.decode())
    answer = f"reference,status,amount,bank_reference\r\n{order['number']},SUCCESS,42000000,TRX1\r\n".encode()
    r = api.post(f"/api/v1/payouts/batches/{number}/answer", {"file": SimpleUploadedFile("a.csv", answer)})
    assert r.status_code == 201 and r.json()["paid"] == [order["number"]] and r.json()["batch_status"] == "closed"
    again = api.post(f"/api/v1/payouts/batches/{number}/answer", {"file": SimpleUploadedFile("a.csv", answer)})
    assert again.json()["duplicate"] is True
    bad = api.post(f"/api/v1/payouts/batches/{number}/answer", {"file": SimpleUploadedFile("b.csv", b"reference,status\r\nNOPE,PAID\r\n")})
    assert bad.status_code in (400, 422) and bad.json()["error"]["code"] == "file_rejected"
    # The upload check judges the answer by content: an executable named .csv, an HTML page named
    # .xml, a workbook claiming a cell at XFD1048576 are refused before anything reads them.
    from tests.core.files_samples import far_cell_xlsx

    html = b'<?xml version="1.0"?><html><script>alert(1)</script></html>'
    for name, content in (("a.csv", b"MZ\x90\x00" + b"\x00" * 60), ("camt.xml", html), ("a.xlsx", far_cell_xlsx())):
        refused = api.post(f"/api/v1/payouts/batches/{number}/answer", {"file": SimpleUploadedFile(name, content)})
        assert refused.status_code == 400 and refused.json()["error"]["code"] in ("file_type_refused", "sheet_too_large"), refused.content
    schema = api.get("/api/v1/openapi.json").json()
    for p in (
        "/api/v1/payouts/batches/{number}/authorise",
        "/api/v1/payouts/batches/{number}/pain001",
        "/api/v1/payouts/batches/{number}/answer",
        "/api/v1/payouts/handover-events",
    ):
        assert p in schema["paths"]


def test_a_sponsor_sees_the_events_with_their_workers_only(covered_workers, ready_claim, users, api_client):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    services.create_orders_for_claim(claim, actor=users["finance"])
    event = services.create_handover_event(
        actor=users["branch_head"], title="Penyerahan", date=D(2024, 3, 21), place="Dumai", claims=[claim], note="Diserahkan secara simbolis."
    )
    dumai = api_client(users["sponsor"]).get("/api/v1/payouts/handover-events").json()
    assert [e["id"] for e in dumai["items"]] == [event.pk] and dumai["items"][0]["cases"][0]["mark"] == "awaiting_payment"
    riau = api_client(users["sponsor_riau"]).get("/api/v1/payouts/handover-events").json()
    assert riau["items"] == []
    assert api_client(users["sponsor_riau"]).get(f"/api/v1/payouts/handover-events/{event.pk}").status_code == 404
    web = _client(users["sponsor"])
    page = web.get(f"/payouts/events/{event.pk}/")
    assert page.status_code == 200 and 'data-testid="event-note">Diserahkan secara simbolis.<' in page.content.decode()
    assert web.get(f"/payouts/events/{event.pk}/pdf").status_code in (403, 404)
    assert _client(users["branch_head"]).get(f"/payouts/events/{event.pk}/pdf")["Content-Type"] == "application/pdf"


def test_the_batch_and_order_timelines_read_in_words_and_a_sent_batch_has_no_empty_actions(covered_workers, ready_claim, users, finance2):
    from tests.contributions.test_words_not_codes import visible_text

    (worker,) = covered_workers(1)
    orders = services.create_orders_for_claim(ready_claim(worker), actor=users["finance"])
    batch = services.create_batch(orders, actor=users["finance"], execution_date=D(2024, 3, 20))
    services.authorise_batch(batch, actor=finance2, note="periksa")
    b"".join(services.export_pain001(batch, actor=users["finance"]))
    web = _client(users["admin"])
    page = web.get(f"/payouts/batches/{batch.number}/").content.decode()
    timeline = visible_text(page.split("<h2>Riwayat</h2>", 1)[1])
    for words in ("dibuat", "otorisasi", "ekspor"):
        assert f"· {words} ·" in timeline, words
    for code in ("create", "authorise", "export"):
        assert f"· {code} ·" not in timeline, code
    # an exported batch waits for the bank's answer: no "Actions" card with nothing in it
    assert 'data-testid="actions"' not in page and 'data-testid="answer"' in page
    order_page = visible_text(web.get(f"/payouts/orders/{orders[0].number}/").content.decode())
    assert "· dibuat ·" in order_page and "· create ·" not in order_page
