"""One source for a participant's status: the participant page, the coverage page and the card
verification page answer from ``contributions.statuses.status_on`` for the same worker on the same
day, also when the status the daily job stored is stale (the job has not run yet)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from lindung.contributions import billing
from lindung.contributions.statuses import refresh_statuses, status_on
from lindung.membership import cards
from lindung.rules.months import add_months, month_start

pytestmark = pytest.mark.django_db


def _three_pages(client, users, worker) -> dict[str, str]:
    client.force_login(users["officer"])
    page = client.get(f"/participants/{worker.kpj_number}/").content.decode()
    cover = client.get(f"/contributions/participants/{worker.kpj_number}/").content.decode()
    client.logout()
    card = client.get(cards.verify_path(worker.kpj_number)).content.decode()  # public, no login

    def shown(html, testid):
        found = re.search(rf'data-testid="{testid}" data-status="(\w+)">(.*?)</(dd|span)>', html, re.S)
        assert found, testid
        return found.group(1), re.sub(r"<[^>]+>|\s+", " ", found.group(2)).strip()

    answers = {"page": shown(page, "status"), "coverage": shown(cover, "status-on"), "card": shown(card, "verify-status")}
    return {k: v[0] for k, v in answers.items()} | {f"{k}_words": v[1] for k, v in answers.items()}


@pytest.mark.parametrize(
    ("months_ago", "expected", "words"),
    [
        (2, "grace", "Dalam masa tenggang"),  # billed two months ago, unpaid, past due: in the arrears window
        (8, "ended", "Berakhir"),  # unpaid beyond the window: a self-paying worker has lapsed
    ],
)
def test_stale_stored_status_all_three_pages_say_the_same(client, users, make_workers, months_ago, expected, words):
    today = timezone.localdate()
    start = add_months(month_start(today), -months_ago)
    (worker,) = make_workers(1, start=start)
    first = start
    while first <= add_months(month_start(today), -1):
        billing.run_billing(period=first, today=first)
        first = add_months(first, 1)
    worker.refresh_from_db()
    assert worker.status == "active"  # stored by enrolment; the daily job has not run
    assert status_on(worker) == expected
    found = _three_pages(client, users, worker)
    assert found["page"] == found["coverage"] == found["card"] == expected, found
    assert words in found["page_words"] and words in found["coverage_words"] and words in found["card_words"]
    client.force_login(users["officer"])
    assert "pembaruan harian belum berjalan" in client.get(f"/participants/{worker.kpj_number}/").content.decode()

    # Once the daily job has run, the stored status is the same answer and the note is gone.
    refresh_statuses(on=today)
    worker.refresh_from_db()
    assert worker.status == expected
    assert _three_pages(client, users, worker)["page"] == expected
    client.force_login(users["officer"])
    assert "pembaruan harian belum berjalan" not in client.get(f"/participants/{worker.kpj_number}/").content.decode()


def test_status_on_is_the_daily_jobs_decision_for_every_worker(make_workers):
    """For workers in every state the ledger gives, ``status_on`` answers what the daily job then stores."""
    today = timezone.localdate()
    workers = []
    for months_ago in (1, 2, 4, 6):
        (w,) = make_workers(1, start=add_months(month_start(today), -months_ago))
        workers.append(w)
    for months_ago in range(6, 0, -1):
        period = add_months(month_start(today), -months_ago)
        billing.run_billing(period=period, today=period)
    before = {w.pk: status_on(w) for w in workers}
    refresh_statuses(on=today)
    for w in workers:
        w.refresh_from_db()
        assert w.status == before[w.pk], (w.start_date, w.status, before[w.pk])
    assert len(set(before.values())) >= 2
    assert status_on(workers[0], today - dt.timedelta(days=400)) in ("active", "ended")
