"""The Dumai scenario: built through the services, carried on to today, checked against the story.

Two builds (each replays 39+ months), so the assertions are grouped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lindung.claims.models import Claim
from lindung.claims.workflow import CLAIM
from lindung.contributions.models import Invoice
from lindung.demo.dumai import build, check
from lindung.membership.models import Participant, RosterImport, SponsorAgreement
from lindung.payouts.models import PaymentOrder, ScholarshipYear
from lindung.rules.months import add_months

pytestmark = pytest.mark.django_db
WORKERS = 20
D = dt.date


def test_check_builds_the_scenario_on_an_empty_database_and_every_figure_matches(settings, capsys):
    settings.DEBUG = True
    call_command("demo", "dumai", "--workers", str(WORKERS), "--check", "--quiet-logins")
    out = capsys.readouterr().out
    assert "first-quarter billing" in out and "✗" not in out and "Every published figure matches." in out
    figures = {f.name: f for f in check.run().figures}
    assert figures["first-quarter billing (Oct–Dec 2023)"].computed == WORKERS * 16_800 * 3
    assert figures["workers sponsored in 2024 (from 1 October)"].computed == 2 * WORKERS
    assert figures["hand-over total in words"].computed == "lima ratus empat juta rupiah"

    # the programme runs from October 2023 to today: yearly agreements, both rosters imported from XLSX
    today = dt.date.today()
    numbers = list(SponsorAgreement.objects.filter(sponsor__code="PEMKO-DUMAI").order_by("start_date").values_list("number", flat=True))
    assert numbers[0] == "PKS-DUMAI-2023" and len(numbers) == len([y for y in range(2023, today.year + 1) if D(y, 10, 1) <= today])
    imports = RosterImport.objects.filter(sponsor__code="PEMKO-DUMAI", dry_run=False).order_by("pk")
    assert [i.file_name.endswith(".xlsx") for i in imports] == [True, True] and imports[0].summary["enrolled"] == WORKERS
    assert imports[0].created_by.username == "disnaker"
    # an office's list: title rows, NO column, kelurahan by name, the signature block reported as ignored lines
    assert imports[0].summary["rejected"] == 0
    # billed to the current month and paid: today's living workers are active
    assert Invoice.objects.filter(sponsor__code="PEMKO-DUMAI", period_start=today.replace(day=1)).exists()
    alive = Participant.objects.filter(sponsor__code="PEMKO-DUMAI").exclude(status="ended")
    assert alive.count() > 0 and set(alive.values_list("status", flat=True)) == {"active"}

    # the second quarter was paid late: its workers were in grace on the hand-over day
    q2 = Invoice.objects.get(sponsor__code="PEMKO-DUMAI", period_start=D(2024, 1, 1))
    assert q2.status == "paid" and q2.allocations.get().applied_on == D(2024, 4, 16)
    first = alive.order_by("kpj_number").filter(start_date=D(2023, 10, 1)).first()
    moves = list(first.status_changes.order_by("effective_date", "pk").values_list("effective_date", "to_status", "reason"))
    assert [m for m in moves if m[0] <= D(2024, 3, 21)][-1][1:] == ("grace", "unpaid")
    assert (D(2024, 4, 30), "active", "arrears_paid") in moves

    # the story's cases, decided by three users on their days of the story
    paid = Claim.objects.filter(status="ready_for_payment", event_date__lte=D(2024, 3, 21), program="JKM")
    assert paid.count() == 4 and {c.benefit_total for c in paid} == {42_000_000}
    by = {d.transition: (d.actor_username, d.at.date()) for d in CLAIM.history(paid.order_by("event_date").first())}
    assert by["submit"][0] == "petugas" and by["verify"][0] == "verifikator" and by["approve"][0] == "kepala"
    assert by["approve"][1] == D(2023, 11, 7)
    moved = Claim.objects.get(transfers__isnull=False)
    assert moved.branch.code == "MEDAN" and moved.status == "draft"
    jkk = Claim.objects.get(program="JKK", event_date=D(2023, 12, 5))
    assert check.status_on(jkk, D(2024, 3, 21)) == "verified" and jkk.accident is not None
    # the hand-over lists the 12 JKM cases of Rp 504 juta; its note accounts for the other two of the 14
    from lindung.payouts.models import HandoverEvent

    event = HandoverEvent.objects.get(date=D(2024, 3, 21))
    assert event.cases.count() == 12 and "Dari 14 kasus" in event.note and "JKK" in event.note and "Sumatera Utara" in event.note

    # the fisher's children are paid their scholarship in every school year from his claim to today,
    # each year opened, proven by the school's letter, approved by the branch head and paid by the bank
    years = list(range(2023, (today.year if today >= D(today.year, 7, 15) else today.year - 1) + 1))
    opened = sorted(set(ScholarshipYear.objects.values_list("school_year", flat=True)))
    assert opened == years and len(years) >= 3
    paid = check.scholarships_paid()
    assert sorted(paid) == years and all(n >= 1 for n, _amount in paid.values())
    assert paid == check.scholarships_expected(today)
    year = ScholarshipYear.objects.filter(status="approved").order_by("pk").first()
    assert year.proof_id is not None and year.school_name and year.schedule.claim == jkk
    order = year.orders.get()
    assert order.status == "paid" and order.batch.status == "closed" and order.amount == year.amount
    assert figures["school years opened for scholarships"].computed == ", ".join(map(str, years))


def test_a_second_run_changes_nothing_and_a_difference_fails_the_check(settings, capsys):
    settings.DEBUG = True
    build.build(workers=WORKERS)
    before = (Participant.objects.count(), Invoice.objects.count(), Claim.objects.count())
    again = build.build(workers=WORKERS)
    assert again.steps["invoices"] == again.steps["payments"] == again.steps["enrolled"] == 0
    assert (Participant.objects.count(), Invoice.objects.count(), Claim.objects.count()) == before
    assert check.run().ok

    def wrong():
        return [f.name.strip() for f in check.run().figures if not f.ok]

    # a scholarship paid for less than the rules give, then one payment missing
    order = PaymentOrder.objects.filter(group="scholarship", scholarship_year__school_year=2024).order_by("pk").first()
    PaymentOrder.objects.filter(pk=order.pk).update(amount=order.amount - 1, benefit_amount=order.benefit_amount - 1)
    assert wrong() == ["amount, school year 2024/2025"]
    PaymentOrder.objects.filter(pk=order.pk).update(amount=order.amount, benefit_amount=order.benefit_amount, status="failed")
    assert wrong() == ["scholarships paid, school year 2024/2025 (rules)", "amount, school year 2024/2025"]
    PaymentOrder.objects.filter(pk=order.pk).update(status="paid")
    # a worker whose page says "in grace" while the coverage answer and the card say covered
    worker = Participant.objects.filter(sponsor__code="PEMKO-DUMAI", status="active").order_by("kpj_number").first()
    Participant.objects.filter(pk=worker.pk).update(status="grace")
    assert wrong() == [f"workers active today ({dt.date.today():%d-%m-%Y})", "workers whose page, coverage and card agree today"]
    assert any(p.startswith(f"{worker.kpj_number}: page=grace, coverage=active") for p in check.run().problems)
    Participant.objects.filter(pk=worker.pk).update(status="active")
    assert check.run().ok
    # a paid claim's benefit no longer adds up to the published hand-over total
    Claim.objects.filter(status="ready_for_payment", event_date__lte=D(2024, 3, 21)).order_by("event_date").update(benefit_total=41_000_000)
    with pytest.raises(CommandError, match="differ"):
        call_command("demo", "dumai", "--check", "--quiet-logins")
    assert "✗" in capsys.readouterr().out


def test_a_database_with_the_small_demo_keeps_it(settings, capsys):
    from lindung.demo.loading import load_demo

    settings.DEBUG = True
    load_demo()
    before = Participant.objects.count()
    call_command("demo", "dumai", "--quiet-logins")  # as make run does on an older database
    assert Participant.objects.count() == before and not build.is_built()
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo", "dumai", "--check", "--quiet-logins")


def test_full_adds_the_city_wide_layer_through_the_services_and_a_wrong_figure_fails(settings, capsys):
    from lindung.demo.dumai import full
    from lindung.membership.models import Employer, Project

    settings.DEBUG = True
    size = 12 * WORKERS
    call_command("demo", "dumai", "--workers", str(WORKERS), "--full", "--full-size", str(size), "--check", "--quiet-logins")
    out = capsys.readouterr().out
    assert "participants of the city, all segments" in out and "✗" not in out
    # the city counts --full-size participants: sponsored, non-ASN and other wage earners, construction, self-paying
    assert Participant.objects.count() == size
    by = full.counts()
    assert set(by) == {"BPU", "PU", "JAKON"} and by["PU"] > by["JAKON"] > 0
    city = Employer.objects.get(npp=full.CITY_NPP)
    assert Participant.objects.filter(employer=city).count() == round(size * 5_300 / 70_000)
    assert Project.objects.count() == len(full.PROJECTS)
    # registered by the officer (audited), billed and paid month by month: today's wage earners are covered
    today = dt.date.today()
    since = full.layer_since(today)
    assert since == max(D(2023, 10, 1), add_months(today.replace(day=1), -11))
    assert Invoice.objects.filter(employer=city, period_start=today.replace(day=1), status="paid").exists()
    assert (
        Invoice.objects.filter(payer_type="self", kind="prepayment", status="paid").count()
        == Participant.objects.filter(segment="BPU", agreement__isnull=True).count()
    )
    figures = {f.name.strip(): f for f in check.run(full_size=size).figures}
    covered = figures[f"city-wide participants covered today ({today:%d-%m-%Y})"]
    assert covered.ok and covered.computed > 0
    # a second run changes nothing; a wage earner moved to another employer shows in the table
    again = build.build(workers=WORKERS, full_size=size)
    assert again.steps["invoices"] == again.steps["payments"] == 0 and Participant.objects.count() == size
    moved = Participant.objects.filter(employer=city).order_by("pk").first()
    Participant.objects.filter(pk=moved.pk).update(employer=Employer.objects.exclude(pk=city.pk).order_by("pk").first())
    assert [f.name.strip() for f in check.run(full_size=size).figures if not f.ok] == ["non-ASN staff of the city (5,300 of 70,000)"]
    with pytest.raises(CommandError, match="differ"):
        call_command("demo", "dumai", "--check", "--full", "--full-size", str(size), "--quiet-logins")
    assert "✗" in capsys.readouterr().out
