"""An agreement's usage: the premium of one worker under it and the workers and premium it has
committed (quota and budget), and the default start of cover for an import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from lindung.membership.models import SponsorAgreement, SponsorshipPeriod
from lindung.rules import ContributionCase, calculate_contribution
from lindung.rules.months import month_starts, next_month


class Pricer:
    """Monthly premium of one worker under an agreement, from the rules engine (cached per month)."""

    def __init__(self, agreement: SponsorAgreement):
        self.agreement = agreement
        self._month: dict[dt.date, int] = {}

    def monthly(self, month: dt.date) -> int:
        if month not in self._month:
            a = self.agreement
            result = calculate_contribution(ContributionCase(segment="BPU", on=month, programs=tuple(a.programs), wage=a.declared_income))
            self._month[month] = int(result.total)
        return self._month[month]

    def cost(self, start: dt.date, end: dt.date | None = None) -> int:
        """Premium from the month of ``start`` to the month of ``end`` (default: agreement end),
        every month counted whole."""
        last = min(end or self.agreement.end_date, self.agreement.end_date)
        first = max(start, self.agreement.start_date)
        if last < first:
            return 0
        return sum(self.monthly(m) for m in month_starts(first, last))


@dataclass
class AgreementUsage:
    active: int
    committed: int
    quota: int
    budget: int

    @property
    def quota_left(self) -> int:
        return max(self.quota - self.active, 0)

    @property
    def budget_left(self) -> int:
        return max(self.budget - self.committed, 0)


def agreement_usage(agreement: SponsorAgreement, pricer: Pricer | None = None) -> AgreementUsage:
    """Workers under the agreement now (open sponsorship periods) and the premium it has committed:
    every period of the agreement priced from its start to its end (or the agreement's end)."""
    pricer = pricer or Pricer(agreement)
    active = 0
    committed = 0
    for start, end, n in (
        SponsorshipPeriod.objects.filter(agreement=agreement).values_list("start_date", "end_date").annotate(n=Count("id")).order_by()
    ):
        if end is None:
            active += n
        committed += n * pricer.cost(start, end)
    return AgreementUsage(active=active, committed=committed, quota=agreement.quota, budget=agreement.budget)


def default_cover_start(agreement: SponsorAgreement, today: dt.date | None = None) -> dt.date:
    """The agreement's start when importing before it; else the first day of the next month."""
    today = today or timezone.localdate()
    if today < agreement.start_date:
        return agreement.start_date
    return next_month(today)
