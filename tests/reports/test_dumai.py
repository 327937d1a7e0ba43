"""The report on the Dumai story (a small build, 20 workers, replayed to the end of April 2024): the
published figures — 5,000 workers from October 2023 (here 20), the first quarter's 252,000,000
(here 20 × 16,800 × 3), 14 cases by the hand-over and the 504,000,000 handed over on 21 March 2024."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.demo.dumai import build
from lindung.demo.dumai.story import FIRST_WORKERS, HANDOVER_TOTAL, PREMIUM, STORY_DAY
from lindung.reports import selectors
from lindung.reports.periods import parse_period

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
WORKERS = 20
D = dt.date


def test_the_report_tells_the_dumai_story(settings):
    from lindung.accounts.models import User

    settings.DEBUG = True
    build.build(workers=WORKERS, today=D(2024, 4, 30))
    sponsor_user = User.objects.get(username="disnaker")

    def report(period):
        return selectors.programme_report(user=sponsor_user, code="PEMKO-DUMAI", period=parse_period(period), today=D(2024, 4, 30))

    first = report("2023-Q4")
    assert first.membership.new == WORKERS == FIRST_WORKERS * WORKERS // 5_000  # 5,000 from October 2023, scaled
    assert first.contributions.billed == WORKERS * PREMIUM * 3  # 252,000,000 at 5,000 workers
    assert first.contributions.received == first.contributions.billed and first.contributions.arrears_at_end == 0

    story = report("2024-Q1")
    by = {c.program: c for c in story.claims}
    assert story.cases_to_date == 14 and (by["JKM"].reported_to_date, by["JKK"].reported_to_date) == (13, 1)
    assert by["JKM"].paid_to_date == 4 and by["JKM"].paid_amount_to_date == 4 * 42_000_000
    assert [(h.date, h.cases, h.paid, h.total) for h in story.handovers] == [(STORY_DAY, 12, 4, HANDOVER_TOTAL)]
    assert story.handover_total == 504_000_000
    # the second quarter (January–March 2024) was paid late, on 16 April: in arrears at the end of March
    assert story.contributions.arrears_at_end == story.contributions.billed > 0 and story.contributions.received == 0
    april = report("2024-04").contributions  # the late quarter and the next quarter's invoice (April–June)
    assert april.received == story.contributions.billed + 3 * april.billed

    # the staff see the same figures; Riau's sponsor user does not see Dumai's report
    head = selectors.programme_report(user=User.objects.get(username="kepala"), code="PEMKO-DUMAI", period=parse_period("2024-Q1"))
    assert head.handover_total == HANDOVER_TOTAL and head.cases_to_date == 14
    from lindung.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.programme_report(user=User.objects.get(username="disnaker-riau"), code="PEMKO-DUMAI", period=parse_period("2024-Q1"))
