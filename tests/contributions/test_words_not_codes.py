"""Statuses, reasons, job kinds and audit actions show in words on Indonesian pages, never as
the codes stored in the database."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from lindung.contributions import billing
from lindung.core.jobs import start_job

pytestmark = pytest.mark.django_db

RAW_CODES = [
    "covered",
    "not_covered",
    "grace",
    "active",
    "unpaid",
    "registered",
    "roster_import",
    "membership_cards",
    "contributions.billing_run",
    "contributions.daily",
    "sponsor.create",
    "agreement.create",
    "participant.bulk_grace",
]
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


def visible_text(page: str) -> str:
    """The text a reader sees: no tags, no attributes (codes may stay in data-* attributes)."""
    return html.unescape(_TAGS.sub(" ", page))


def raw_codes_in(page: str) -> list[str]:
    text = visible_text(page)
    return [code for code in RAW_CODES if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]


def test_the_scanner_sees_a_code_in_text_but_not_in_attributes():
    assert raw_codes_in('<td data-status="covered">terlindungi</td>') == []
    assert raw_codes_in("<td>not_covered</td><p>grace</p>") == ["not_covered", "grace"]


def test_main_pages_show_words(make_agreement, make_workers, users, client):
    from lindung.membership.status import bulk_change_status

    agreement = make_agreement()
    workers = make_workers(3, agreement=agreement)
    billing.run_billing(period=dt.date(2023, 10, 1), today=dt.date(2023, 10, 1))
    bulk_change_status([workers[0].pk], from_status="active", to="grace", effective_date=dt.date(2023, 11, 16), reason="unpaid")
    job = start_job("contributions.daily", actor=users["admin"], params={"on": "2023-11-16"})
    client.force_login(users["admin"])
    kpj = workers[0].kpj_number
    pages = [
        "/",
        "/audit/",
        "/participants/",
        f"/participants/{kpj}/",
        reverse("contributions:participant", kwargs={"kpj": kpj}) + "?on=2023-10-15",
        reverse("contributions:participant", kwargs={"kpj": kpj}) + "?on=2024-06-01",
        "/sponsors/",
        reverse("contributions:invoice_list"),
        f"/jobs/{job.pk}/",
    ]
    found = {}
    for url in pages:
        resp = client.get(url)
        assert resp.status_code == 200, url
        codes = raw_codes_in(resp.content.decode())
        if codes:
            found[url] = codes
    assert found == {}
