"""Every download of a document with personal data writes the audit event ``file.download``: the
invoice and statement PDFs and the reconciliation workbook (web and API), made for the download and
never stored, like the stored files the file view serves. A refused download writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lindung.contributions import billing
from lindung.contributions.models import Invoice
from lindung.core.models import AuditEvent

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(make_agreement, make_workers, sponsors):
    workers = make_workers(3, agreement=make_agreement())
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(sponsor=sponsors["dumai"]), workers


def _downloads():
    return list(AuditEvent.objects.filter(action="file.download").order_by("id"))


def _web(user):
    c = Client()
    c.force_login(user)
    return c


def test_invoice_and_statement_pdfs_and_the_reconciliation_workbook_are_audited(billed, users, sponsors, api_client):
    invoice, workers = billed
    web = _web(users["finance"])
    kpj = workers[0].kpj_number
    downloads = [
        (f"/contributions/invoices/{invoice.number}/pdf/", "invoice_pdf", "contributions.invoice", str(invoice.pk)),
        (f"/contributions/participants/{kpj}/pdf/", "contribution_statement_pdf", "membership.participant", str(workers[0].pk)),
        (
            "/contributions/sponsors/PEMKO-DUMAI/statement/?start=2023-01-01&end=2023-12-31&format=pdf",
            "sponsor_statement_pdf",
            "membership.sponsor",
            str(sponsors["dumai"].pk),
        ),
        ("/contributions/reconciliation/?start=2023-01-01&end=2023-12-31&format=xlsx", "reconciliation_xlsx", "", ""),
    ]
    for url, kind, object_type, object_id in downloads:
        before = len(_downloads())
        r = web.get(url)
        assert r.status_code == 200, url
        events = _downloads()[before:]
        assert len(events) == 1, url
        (e,) = events
        assert (e.changes["kind"], e.object_type, e.object_id, e.source) == (kind, object_type, object_id, "web")
        assert e.actor == users["finance"] and e.changes["bytes"] == len(r.content) and e.changes["name"]
    e = AuditEvent.objects.get(action="file.download", changes__kind="invoice_pdf")
    assert e.sponsor_id_ref == sponsors["dumai"].pk  # the sponsor sees its own downloads in its trail
    api = api_client(users["finance"])
    r = api.get(f"/api/v1/contributions/invoices/{invoice.number}/pdf")
    assert r.status_code == 200
    e = _downloads()[-1]
    assert (e.changes["kind"], e.source, e.object_id, e.changes["bytes"]) == ("invoice_pdf", "api", str(invoice.pk), len(r.content))


def test_a_refused_download_writes_no_event(billed, users, api_client):
    invoice, workers = billed
    riau = _web(users["sponsor_riau"])
    assert riau.get(f"/contributions/invoices/{invoice.number}/pdf/").status_code == 404
    assert riau.get(f"/contributions/participants/{workers[0].kpj_number}/pdf/").status_code == 404
    assert api_client(users["sponsor_riau"]).get(f"/api/v1/contributions/invoices/{invoice.number}/pdf").status_code == 404
    assert _downloads() == []
