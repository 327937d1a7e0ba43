"""Pricing: each distinct (segment, programmes, wage, risk class) combination priced once per month
by the rules engine into ``BillingPrice``, which the line inserts join. Every price records the
parameter snapshot it was priced with (``core.ParameterSnapshot``)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from lindung.contributions.models import BillingPrice, BillingRun
from lindung.core.calculations import snapshot_id_for
from lindung.core.errors import ServiceError
from lindung.rules import ContributionCase, calculate_contribution, load_parameters
from lindung.rules.months import month_end
from lindung.rules.results import CaseError


def price_combinations(run: BillingRun, combos, months: list[dt.date]) -> int:
    """Price each combination for each month once per run. Payer segments share combinations
    (a self-paying BPU worker at the sponsors' declared income): one already priced by the run
    is not priced again, or the line inserts, which join the prices, would bill it twice."""
    params = load_parameters()
    snapshot_id = snapshot_id_for(params)
    priced = {
        (s, tuple(p), w, r, m)
        for s, p, w, r, m in BillingPrice.objects.filter(run=run).values_list("segment", "programs", "wage", "risk_class", "month")
    }
    rows = []
    for segment, programs, wage, risk_class in combos:
        for m in months:
            if (segment, tuple(programs), wage, risk_class or "", m) in priced:
                continue
            priced.add((segment, tuple(programs), wage, risk_class or "", m))
            try:
                result = calculate_contribution(
                    ContributionCase(segment=segment, on=m, programs=tuple(programs), wage=wage, risk_class=risk_class or None), params
                )
            except CaseError as exc:
                raise ServiceError(
                    "cannot_price",
                    _("The rules engine cannot price %(segment)s %(programs)s at wage %(wage)s for %(month)s: %(error)s")
                    % {"segment": segment, "programs": programs, "wage": wage, "month": f"{m:%Y-%m}", "error": exc},
                    {"wage": str(wage)},
                ) from None
            for comp in result.components:
                if comp.program:
                    rows.append(
                        BillingPrice(
                            run=run,
                            segment=segment,
                            programs=programs,
                            wage=wage,
                            risk_class=risk_class or "",
                            month=m,
                            month_end=month_end(m),
                            program=comp.program,
                            amount=comp.amount,
                            reference=comp.reference[:200],
                            snapshot_id=snapshot_id,
                        )
                    )
    BillingPrice.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def sql_date(d: dt.date):
    return connection.ops.adapt_datefield_value(d)
