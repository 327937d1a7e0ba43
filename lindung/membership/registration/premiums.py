"""Premiums of the registered memberships from the rules engine: a BPU worker's declared-income
range and premium, a PU worker's, a construction project's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from lindung.core.errors import ServiceError
from lindung.core.formatting import number
from lindung.membership.models import Participant, Project, Segment
from lindung.rules import ContributionCase, Result, calculate_contribution, load_parameters
from lindung.rules.results import CaseError

BPU_REQUIRED_PROGRAMS = ("JKK", "JKM")
BPU_OPTIONAL_PROGRAMS = ("JHT",)


def bpu_terms(income: int | None, start: dt.date | None, chosen: Iterable[str], errors: dict[str, str]) -> list[str]:
    """A BPU worker's programmes and declared income checked (JKK and JKM compulsory, JHT optional;
    the income within the JKK bracket limits on ``start``): problems go into ``errors`` by field;
    returns the programmes in their fixed order (JKK, JKM, JHT)."""
    chosen = [str(p).upper() for p in chosen]
    unknown = [p for p in chosen if p not in BPU_REQUIRED_PROGRAMS + BPU_OPTIONAL_PROGRAMS]
    if unknown:
        errors["programs"] = f"Unknown programme(s) {', '.join(unknown)}; BPU takes JKK, JKM and optionally JHT."
    elif not set(BPU_REQUIRED_PROGRAMS) <= set(chosen):
        errors["programs"] = "JKK and JKM are compulsory for BPU workers (JHT is optional)."
    if income is not None and start is not None:
        problem = bpu_income_problem(income, start)
        if problem:
            errors["declared_income"] = problem
    return [p for p in ("JKK", "JKM", "JHT") if p in chosen]


def bpu_income_limits(on: dt.date) -> tuple[int, int]:
    """The declared-income range of a BPU worker on ``on``: the JKK minimum and maximum
    contributions divided by the JKK rate (10,000 / 1% = 1,000,000; 207,000 / 1% = 20,700,000)."""
    view = load_parameters().at(on)
    rate = Decimal(view["contribution.bpu.jkk_rate"])
    low = int(Decimal(view["contribution.bpu.jkk_min"]) / rate)
    high = int(Decimal(view["contribution.bpu.jkk_max"]) / rate)
    return low, high


def bpu_income_problem(income: int, on: dt.date) -> str | None:
    """Why ``income`` cannot be a BPU worker's declared income on ``on`` (a translated sentence),
    or None: the one check of the limits, for the service and the premium preview."""
    low, high = bpu_income_limits(on)
    if low <= income <= high:
        return None
    return _("The declared income must be between Rp %(low)s and Rp %(high)s a month.") % {"low": number(low), "high": number(high)}


def _premium(case: ContributionCase, field_name: str = "wage") -> Result:
    try:
        return calculate_contribution(case)
    except CaseError as exc:
        fields = dict(getattr(exc, "fields", None) or getattr(exc, "errors", None) or {}) or {field_name: str(exc)}
        raise ServiceError(
            "invalid", _("The premium cannot be calculated: %(details)s") % {"details": "; ".join(f"{k}: {v}" for k, v in fields.items())}, fields
        ) from None


def bpu_premium(declared_income: int, programs: Iterable[str], on: dt.date) -> Result:
    return _premium(ContributionCase(segment="BPU", on=on, programs=tuple(programs), wage=int(declared_income)))


def pu_premium(wage: int, risk_class: str, on: dt.date) -> Result:
    return _premium(ContributionCase(segment="PU", on=on, programs=("JKK", "JKM"), wage=int(wage), risk_class=risk_class))


def project_premium(project: Project) -> Result:
    """The per-project premium of a construction project: on the total wage when it is known,
    otherwise on the contract value (marginal brackets)."""
    if project.total_wage:
        case = ContributionCase(segment="JAKON", on=project.start_date, wage=project.total_wage)
    else:
        case = ContributionCase(segment="JAKON", on=project.start_date, contract_value=project.contract_value)
    return _premium(case, "contract_value")


def participant_premium(participant: Participant, on: dt.date | None = None) -> Result | None:
    """The monthly premium of one membership (None for construction workers: priced per project)."""
    on = on or dt.date.today()
    if participant.segment == Segment.BPU:
        return bpu_premium(participant.wage, participant.programs, on)
    if participant.segment == Segment.PU and participant.wage:
        return pu_premium(participant.wage, participant.risk_class or participant.employer.risk_class, on)
    return None
