"""Writes of the membership context."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Participant, Sponsor, SponsorAgreement, SponsorshipPeriod, StatusChange
from lindung.membership.status import change_status
from lindung.registry.models import Region


def branch_for_region(region_code: str):
    """The branch office whose region is ``region_code`` or its nearest enclosing region (a city's
    sponsor belongs to the city's branch, a village's to its city's), or None."""
    from lindung.accounts.models import Branch

    parts = region_code.split(".")
    ancestors = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    by_region = {b.region_id: b for b in Branch.objects.filter(region_id__in=ancestors).order_by("code")}
    return next((by_region[code] for code in ancestors if code in by_region), None)


# A sponsor code is part of URLs (/sponsors/<code>/), file names and spreadsheet cells: letters,
# digits, '.', '_' and '-', beginning with a letter or a digit (so never a formula: '=2+5').
SPONSOR_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,29}")


def _require_perm(actor, perm: str) -> None:
    """A user acting (web, API, ``--as`` on the CLI) must hold ``perm``; system work (actor None,
    the demo, migrations) is not a user."""
    if actor is not None and getattr(actor, "is_authenticated", False) and not actor.has_perm(perm):
        raise ServiceError("forbidden", _("You do not have permission for this action."), status=403)


@transaction.atomic
def sponsor_create(
    *, actor, code: str, name: str, type: str, region_code: str, funding_source: str = Sponsor.FundingSource.APBD, branch=None
) -> Sponsor:
    """Create a sponsor. Without ``branch`` it belongs to the branch office of its region (see
    ``branch_for_region``), so that branch's officers see it and the workers it enrols."""
    _require_perm(actor, "membership.add_sponsor")
    code = (code or "").strip()
    name = (name or "").strip()
    fields: dict[str, str] = {}
    if not code:
        fields["code"] = "required"
    elif not SPONSOR_CODE.fullmatch(code):
        fields["code"] = "letters, digits, '.', '_' and '-' only (at most 30), beginning with a letter or a digit"
    if not name:
        fields["name"] = "required"
    if "code" not in fields and Sponsor.objects.filter(code=code).exists():
        raise ServiceError("duplicate", _("A sponsor with code %(code)s exists already.") % {"code": repr(code)}, {"code": "duplicate"}, status=409)
    if type not in Sponsor.Type.values:
        fields["type"] = f"must be one of {', '.join(Sponsor.Type.values)}"
    if funding_source not in Sponsor.FundingSource.values:
        fields["funding_source"] = f"must be one of {', '.join(Sponsor.FundingSource.values)}"
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        fields["region"] = f"unknown region code {region_code!r}"
    if fields:
        raise ServiceError("invalid", _("The sponsor could not be created."), fields)
    if branch is None:
        branch = branch_for_region(region.code)
    sponsor = Sponsor.objects.create(code=code, name=name, type=type, region=region, funding_source=funding_source, branch=branch)
    audit.record(actor=actor, action="sponsor.create", obj=sponsor, changes=audit.diff(None, audit.snapshot(sponsor)), sponsor_id=sponsor.pk)
    return sponsor


# --- Sponsor agreements and sponsorship periods -------------------------------------------------


def _parse_date(value, field: str, fields: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        fields[field] = "must be a date YYYY-MM-DD"
        return None


@transaction.atomic
def agreement_create(
    *,
    actor,
    sponsor: Sponsor,
    number: str,
    start_date,
    end_date,
    budget: int,
    quota: int,
    billing_frequency: str = SponsorAgreement.Billing.MONTHLY,
    programs: tuple[str, ...] | list[str] = ("JKK", "JKM"),
    declared_income: int = 1_000_000,
    eligible_region_code: str | None = None,
    min_age: int = 18,
    max_age: int = 65,
) -> SponsorAgreement:
    """Create a sponsor's agreement (PKS). The premium package is BPU ``programs`` at
    ``declared_income``; the rules engine prices it per month (16,800 for JKK+JKM at 1,000,000)."""
    _require_perm(actor, "membership.add_sponsoragreement")
    fields: dict[str, str] = {}
    number = (number or "").strip()
    if not number:
        fields["number"] = "required"
    elif SponsorAgreement.objects.filter(sponsor=sponsor, number=number).exists():
        raise ServiceError(
            "duplicate",
            _("Sponsor %(sponsor)s has an agreement %(number)s already.") % {"sponsor": sponsor.code, "number": repr(number)},
            {"number": "duplicate"},
            status=409,
        )
    start = _parse_date(start_date, "start", fields)
    end = _parse_date(end_date, "end", fields)
    if start and end and end < start:
        fields["end"] = "must not be before the start"
    if billing_frequency not in SponsorAgreement.Billing.values:
        fields["billing"] = f"must be one of {', '.join(SponsorAgreement.Billing.values)}"
    if quota is None or int(quota) <= 0:
        fields["quota"] = "must be a positive number of workers"
    if budget is None or int(budget) < 0:
        fields["budget"] = "must be a non-negative amount in rupiah"
    programs = [p.upper() for p in programs]
    if not programs or not set(programs) <= {"JKK", "JKM"} or "JKK" not in programs:
        fields["programs"] = "BPU sponsorship covers JKK, optionally with JKM"
    if int(declared_income or 0) <= 0:
        fields["declared_income"] = "must be positive"
    if not (0 <= int(min_age) <= int(max_age) <= 120):
        fields["age"] = "the age range must satisfy 0 <= min <= max <= 120"
    region = None
    if eligible_region_code:
        region = Region.objects.filter(code=eligible_region_code).first()
        if region is None:
            fields["region"] = f"unknown region code {eligible_region_code!r}"
    if fields:
        raise ServiceError("invalid", _("The agreement could not be created."), fields)
    agreement = SponsorAgreement.objects.create(
        sponsor=sponsor,
        number=number,
        start_date=start,
        end_date=end,
        programs=programs,
        declared_income=int(declared_income),
        budget=int(budget),
        quota=int(quota),
        billing_frequency=billing_frequency,
        eligible_region=region,
        min_age=int(min_age),
        max_age=int(max_age),
    )
    audit.record(actor=actor, action="agreement.create", obj=agreement, changes=audit.diff(None, audit.snapshot(agreement)), sponsor_id=sponsor.pk)
    return agreement


@transaction.atomic
def sponsorship_move(*, actor, participant: Participant, to_agreement: SponsorAgreement, effective_date: dt.date) -> SponsorshipPeriod:
    """Move a sponsored worker to another agreement (of the same or another sponsor) from
    ``effective_date``: the open period closes the day before, a new one opens; the participant,
    KPJ number and history stay. A worker in grace because the old agreement ended (reason
    ``agreement_ended``) becomes active again (reason ``sponsorship_renewed``)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == Participant.Status.ENDED:
        raise ServiceError("ended", _("An ended membership cannot be moved."), {"participant": "ended"})
    if participant.segment != "BPU":
        raise ServiceError("not_bpu", _("Only BPU workers can be sponsored."), {"participant": "not BPU"})
    if participant.agreement_id == to_agreement.pk:
        raise ServiceError("same_agreement", _("The worker is under this agreement already."), {"agreement": "same"})
    if not (to_agreement.start_date <= effective_date <= to_agreement.end_date):
        raise ServiceError("outside_agreement", _("The move date is outside the new agreement's period."), {"effective_date": "outside period"})
    open_period = SponsorshipPeriod.objects.filter(participant=participant, end_date__isnull=True).first()
    if open_period is not None:
        if effective_date <= open_period.start_date:
            raise ServiceError("invalid", _("The move date must be after the start of the current sponsorship."), {"effective_date": "too early"})
        open_period.end_date = effective_date - dt.timedelta(days=1)
        open_period.end_reason = Participant.ExitReason.MOVED if to_agreement.sponsor_id != participant.sponsor_id else Participant.ExitReason.OTHER
        open_period.save(update_fields=["end_date", "end_reason"])
    before = audit.snapshot(participant, ["agreement_id", "sponsor_id", "programs", "wage", "branch_id"])
    participant.agreement = to_agreement
    participant.sponsor = to_agreement.sponsor
    participant.programs = list(to_agreement.programs)
    participant.wage = to_agreement.declared_income
    if to_agreement.sponsor.branch_id:
        participant.branch_id = to_agreement.sponsor.branch_id
    participant.save(update_fields=["agreement", "sponsor", "programs", "wage", "branch", "updated_at"])
    period = SponsorshipPeriod.objects.create(
        participant=participant, agreement=to_agreement, sponsor=to_agreement.sponsor, start_date=effective_date
    )
    if participant.status == Participant.Status.GRACE and _grace_reason(participant) == "agreement_ended":
        # In grace only because the old agreement ended (daily job): the renewal sponsors the worker again.
        change_status(
            participant,
            to=Participant.Status.ACTIVE,
            effective_date=effective_date,
            reason="sponsorship_renewed",
            note=to_agreement.number,
            actor=actor,
        )
    audit.record(
        actor=actor,
        action="participant.move_sponsor",
        obj=participant,
        changes=audit.diff(before, audit.snapshot(participant, ["agreement_id", "sponsor_id", "programs", "wage", "branch_id"])),
        summary=audit.Message(gettext_noop("moved to %(agreement)s from %(date)s"), agreement=str(to_agreement), date=audit.as_date(effective_date)),
        sponsor_id=to_agreement.sponsor_id,
    )
    return period


def _grace_reason(participant: Participant) -> str:
    last = (
        StatusChange.objects.filter(participant=participant, to_status=Participant.Status.GRACE)
        .order_by("-pk")
        .values_list("reason", flat=True)
        .first()
    )
    return last or ""


def sponsorship_end(*, actor, participant: Participant, effective_date: dt.date, note: str = "") -> Participant:
    """The sponsor ends a worker's sponsored membership (exit reason ``ended_by_sponsor``); the
    open sponsorship period closes on the same date (through the status service)."""
    if participant.sponsor_id is None:
        raise ServiceError("not_sponsored", _("This membership is not sponsored."), {"participant": "not sponsored"})
    return change_status(
        participant,
        to=Participant.Status.ENDED,
        effective_date=effective_date,
        reason=Participant.ExitReason.ENDED_BY_SPONSOR,
        note=note,
        actor=actor,
    )


@transaction.atomic
def agreement_renew(*, actor, from_agreement: SponsorAgreement, to_agreement: SponsorAgreement, effective_date: dt.date | None = None) -> int:
    """Renew an agreement: every worker still sponsored under ``from_agreement`` (an open
    sponsorship period) moves to ``to_agreement`` from ``effective_date`` (default: its start), the
    way ``sponsorship_move`` moves one, set-based (a city renews its PKS for thousands of workers at
    once). The quota and the budget of the new agreement must hold them all, else nothing moves.
    Workers in grace only because the old agreement ended become active again
    (``sponsorship_renewed``). Returns how many moved."""
    from lindung.membership.roster.usage import Pricer, agreement_usage
    from lindung.membership.status import bulk_change_status

    _require_perm(actor, "membership.add_sponsoragreement")
    effective = effective_date or to_agreement.start_date
    if from_agreement.pk == to_agreement.pk:
        raise ServiceError("same_agreement", _("An agreement cannot be renewed into itself."), {"agreement": "same"})
    if not (to_agreement.start_date <= effective <= to_agreement.end_date):
        raise ServiceError("outside_agreement", _("The move date is outside the new agreement's period."), {"effective_date": "outside period"})
    # Lock both agreements (a roster import into either holds the same lock).
    list(SponsorAgreement.objects.select_for_update().filter(pk__in=[from_agreement.pk, to_agreement.pk]))
    periods = list(
        SponsorshipPeriod.objects.filter(agreement=from_agreement, end_date__isnull=True, start_date__lt=effective).values_list(
            "pk", "participant_id"
        )
    )
    if not periods:
        return 0
    pricer = Pricer(to_agreement)
    usage = agreement_usage(to_agreement, pricer)
    n = len(periods)
    if usage.active + n > to_agreement.quota:
        raise ServiceError(
            "over_quota",
            _("Agreement %(number)s has room for %(left)s more workers; %(n)s would move.")
            % {"number": to_agreement.number, "left": usage.quota_left, "n": n},
            {"quota": f"{usage.active} + {n} > {to_agreement.quota}"},
        )
    cost = n * pricer.cost(effective)
    if usage.committed + cost > to_agreement.budget:
        raise ServiceError(
            "over_budget",
            _("Agreement %(number)s's budget does not cover the %(n)s workers moving.") % {"number": to_agreement.number, "n": n},
            {"budget": f"{usage.committed} + {cost} > {to_agreement.budget}"},
        )
    period_ids = [pk for pk, _pid in periods]
    participant_ids = [pid for _pk, pid in periods]
    reason = Participant.ExitReason.MOVED if to_agreement.sponsor_id != from_agreement.sponsor_id else Participant.ExitReason.OTHER
    chunk = 2000
    for i in range(0, n, chunk):
        SponsorshipPeriod.objects.filter(pk__in=period_ids[i : i + chunk]).update(end_date=effective - dt.timedelta(days=1), end_reason=reason)
        updates = {
            "agreement": to_agreement,
            "sponsor": to_agreement.sponsor,
            "programs": list(to_agreement.programs),
            "wage": to_agreement.declared_income,
            "updated_at": timezone.now(),
        }
        if to_agreement.sponsor.branch_id:
            updates["branch_id"] = to_agreement.sponsor.branch_id
        Participant.objects.filter(pk__in=participant_ids[i : i + chunk]).update(**updates)
    SponsorshipPeriod.objects.bulk_create(
        [
            SponsorshipPeriod(participant_id=pid, agreement=to_agreement, sponsor=to_agreement.sponsor, start_date=effective)
            for pid in participant_ids
        ],
        batch_size=chunk,
    )
    in_grace = set(Participant.objects.filter(pk__in=participant_ids, status=Participant.Status.GRACE).values_list("pk", flat=True))
    renewed = 0
    if in_grace:
        last_grace: dict[int, str] = {}
        for pid, why in (
            StatusChange.objects.filter(participant_id__in=in_grace, to_status=Participant.Status.GRACE)
            .order_by("pk")
            .values_list("participant_id", "reason")
        ):
            last_grace[pid] = why
        ids = [pid for pid, why in last_grace.items() if why == "agreement_ended"]
        renewed = bulk_change_status(ids, from_status="grace", to="active", effective_date=effective, reason="sponsorship_renewed", actor=actor)
    audit.record(
        actor=actor,
        action="agreement.renew",
        obj=to_agreement,
        changes={"from": from_agreement.number, "to": to_agreement.number, "effective_date": effective, "moved": n, "reactivated": renewed},
        summary=audit.Message(
            gettext_noop("%(count)s workers moved from %(from)s to %(to)s from %(date)s"),
            count=n,
            **{"from": from_agreement.number, "to": to_agreement.number},
            date=audit.as_date(effective),
        ),
        sponsor_id=to_agreement.sponsor_id,
    )
    return n
