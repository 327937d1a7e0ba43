"""Audit summaries are stored as a message id and parameters and shown in the reader's language:
an Indonesian audit page shows no English summary; events written before messages were kept
still show their text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from bench.roster_gen import write_roster
from lindung.accounts import services as accounts
from lindung.core import audit
from lindung.core.files.serving import record_document_download
from lindung.core.models import AuditEvent
from lindung.membership import roster, services
from lindung.membership.cards import participant_card_pdf
from lindung.membership.status import bulk_change_status
from tests.factories import SponsoredParticipantFactory

pytestmark = pytest.mark.django_db

# Words of the English summaries the services wrote before: none may show on an Indonesian page.
ENGLISH = re.compile(
    r"\b(rows?|enrolled|rejected|created|updated|unchanged|deleted|cancelled|retried|downloaded|printed|moved|workers?|"
    r"invoices?|lines|payments|matched|approval|temporary|password|shown|cases|opened|errors|from|to|on|of)\b"
)


def _summaries(html: str) -> list[str]:
    cells = re.findall(r'<td data-testid="audit-summary">(.*?)</td>', html, re.S)
    # the summary is the cell's first line; the changes follow, one per line
    return [re.sub(r"<[^>]+>", "", cell.split("<br>")[0]).strip() for cell in cells]


@pytest.fixture
def events(users, sponsors, tmp_path, settings):
    """Events written by real services: a roster import, a sponsor move, a bulk status change, a
    password reset, a card download, a retention purge."""
    settings.DATA_DIR = tmp_path / "data"
    agreement = services.agreement_create(
        actor=users["admin"],
        sponsor=sponsors["dumai"],
        number="PKS-DUMAI-2023",
        start_date=dt.date(2023, 10, 1),
        end_date=dt.date(2024, 9, 30),
        budget=1_008_000_000,
        quota=5000,
    )
    path = tmp_path / "roster.csv"
    write_roster(path, 12, seed=3)
    roster.import_roster(path, agreement=agreement, actor=users["officer"], start=dt.date(2023, 10, 1))
    renewal = services.agreement_create(
        actor=users["admin"],
        sponsor=sponsors["dumai"],
        number="PKS-DUMAI-2024",
        start_date=dt.date(2024, 10, 1),
        end_date=dt.date(2025, 9, 30),
        budget=2_016_000_000,
        quota=10000,
    )
    services.agreement_renew(actor=users["admin"], from_agreement=agreement, to_agreement=renewal)
    worker = SponsoredParticipantFactory()
    bulk_change_status([worker.pk], from_status="active", to="grace", effective_date=dt.date(2024, 3, 1), reason="unpaid", actor=None)
    accounts.password_reset(actor=users["admin"], user=users["officer"])
    participant_card_pdf(worker, "https://lindung.example", actor=users["admin"])
    audit.purge(before=dt.date(2000, 1, 1), actor=users["admin"])
    record_document_download(users["admin"], worker, document="invoice_pdf", name="tagihan.pdf", size=10)
    return AuditEvent.objects.exclude(summary="")


def test_every_summary_is_stored_as_a_message_and_read_in_the_readers_language(events):
    assert events.count() >= 6
    for event in events:
        assert event.summary_message and event.summary_message["id"], event.action
        with translation.override("id"):
            indonesian = audit.summary_text(event)
        with translation.override("en"):
            english = audit.summary_text(event)
        assert indonesian == event.summary  # the stored text is the site's language (Indonesian)
        assert indonesian != english, (event.action, english)


def test_indonesian_audit_page_shows_no_english_summary(client, users, events):
    client.force_login(users["admin"])
    html = client.get("/audit/").content.decode()
    shown = [s for s in _summaries(html) if s]
    assert len(shown) >= 6
    english = [s for s in shown if ENGLISH.search(s.split(":", 1)[-1] if s.startswith("roster") else s)]
    assert not english, english
    assert "didaftarkan" in html and "kata sandi sementara dibuat" in html and "PDF tagihan tagihan.pdf diunduh" in html
    # codes shown in words: the object's kind, the changed fields of a model
    assert ">peserta<" in html.lower() or "Peserta" in html
    assert "membership.participant</span>" not in html


def test_english_page_shows_english_summaries(client, users, events):
    client.force_login(users["admin"])
    client.cookies["lindung_language"] = "en"
    html = client.get("/audit/").content.decode()
    assert "temporary password set" in html
    assert re.search(r"\d+ rows, \d+ enrolled, \d+ rejected", html)


def test_event_written_before_messages_still_reads(client, users):
    old = audit.record(actor=users["admin"], action="sponsor.update", object_type="membership.sponsor", object_id=1, summary="changed by hand")
    known = audit.record(actor=None, action="user.password_reset", object_type="accounts.user", object_id=1, summary="temporary password set")
    assert old.summary_message is None
    with translation.override("id"):
        assert audit.summary_text(old) == "changed by hand"
        assert audit.summary_text(known) == "kata sandi sementara dibuat"  # a whole message of the catalogue
    client.force_login(users["admin"])
    assert "changed by hand" in client.get("/audit/").content.decode()


def test_message_parameters_are_shown_in_words_and_language_formats():
    stored = audit.Message(
        gettext_noop("Wage report %(month)s: %(count)s workers, %(total)s"),
        month=audit.as_month(dt.date(2024, 3, 5)),
        count=6573,
        total=audit.as_rupiah(9744000),
    ).as_json()
    with translation.override("id"):
        assert audit.render_message(stored) == "Laporan upah Maret 2024: 6.573 pekerja, Rp 9.744.000"
    with translation.override("en"):
        assert audit.render_message(stored) == "Wage report March 2024: 6,573 workers, Rp 9,744,000"
    broken = {"id": "%(missing)s", "params": {}}
    assert audit.render_message(broken) is None


def test_the_api_answers_summaries_in_the_requests_language(users, events, api_client):
    """``GET /api/v1/audit-events`` reads summaries as the audit pages do: in Indonesian by default,
    in English when the request chose English (the language cookie), never the stored text only."""
    api = api_client(users["admin"])
    by_id = {e.pk: e for e in events}

    def summaries() -> dict[int, str]:
        body = api.get("/api/v1/audit-events?page_size=200").json()
        return {item["id"]: item["summary"] for item in body["items"] if item["id"] in by_id}

    indonesian = summaries()
    assert len(indonesian) == len(by_id) >= 6
    for pk, text in indonesian.items():
        with translation.override("id"):
            assert text == audit.summary_text(by_id[pk])
    assert "kata sandi sementara dibuat" in indonesian.values()
    api.cookies["lindung_language"] = "en"
    english = summaries()
    for pk, text in english.items():
        with translation.override("en"):
            assert text == audit.summary_text(by_id[pk]), by_id[pk].action
        assert text != indonesian[pk], by_id[pk].action
    assert "temporary password set" in english.values()
    assert any(re.fullmatch(r".+: \d+ rows, \d+ enrolled, \d+ rejected", t) for t in english.values())
