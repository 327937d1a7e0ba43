"""Deadlines: claim expiry, contribution due dates, late fines, late benefit payment, BPU grace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .cases import LateFineCase, LatePaymentCase
from .money import format_rate, format_rupiah, to_rupiah
from .months import add_months, months_apart
from .params import ParameterSet, ParameterView, load_parameters
from .results import CaseError, Component, Reason, Result
from .working_days import JOINT_LEAVE, DayOff, working_calendar

__all__ = [
    "AccidentReportTimeliness",
    "CoverDecision",
    "PaymentDeadline",
    "accident_report_timeliness",
    "add_months",
    "add_working_days",
    "add_years",
    "bpu_cover",
    "claim_expiry_date",
    "contribution_due_date",
    "late_payment_compensation",
    "payment_deadline",
    "pu_late_fine",
]


def add_years(on: date, years: int) -> date:
    """Same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return on.replace(year=on.year + years)
    except ValueError:
        return on.replace(year=on.year + years, day=28)


def add_working_days(start: date, days: int, holidays: Iterable[date] = (), params: ParameterSet | None = None) -> date:
    """The ``days``-th working day after ``start`` on the Indonesian calendar: Monday–Friday, minus the
    public holidays (``holidays`` package, ID), the year's joint leave days (``calendar.joint_leave_days``)
    and any further ``holidays`` given (e.g. a regional holiday)."""
    return working_calendar(params, holidays).add_working_days(start, days)


@dataclass(frozen=True, slots=True)
class PaymentDeadline:
    """When BPJS must pay a benefit: ``working_days`` working days after the application was complete."""

    program: str
    complete_on: date
    working_days: int
    deadline: date
    days_off: tuple[DayOff, ...]
    reference: str
    unconfirmed: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "program": self.program,
            "complete_on": self.complete_on.isoformat(),
            "working_days": self.working_days,
            "deadline": self.deadline.isoformat(),
            "reference": self.reference,
            "days_off": [
                {"date": d.on.isoformat(), "kind": d.kind, "name": d.name, "reference": d.reference, "confirmed": d.confirmed} for d in self.days_off
            ],
            "unconfirmed": list(self.unconfirmed),
        }


def payment_deadline(program: str, complete_on: date, params: ParameterSet | None = None, holidays: Iterable[date] = ()) -> PaymentDeadline:
    """The payment deadline of a ``program`` (JKM, JKK) benefit for an application complete on ``complete_on``."""
    parameters = params or load_parameters()
    view = parameters.at(complete_on)
    name = f"payment.{program.lower()}_deadline_working_days"
    working_days = view[name]
    calendar = working_calendar(parameters, holidays)
    deadline = calendar.add_working_days(complete_on, working_days)
    days_off = calendar.days_off_between(complete_on, deadline)
    unconfirmed = [f"{JOINT_LEAVE}[{d.on.isoformat()}]" for d in days_off if not d.confirmed]
    unconfirmed += [f"{JOINT_LEAVE}[{year}: not configured]" for year in calendar.unconfirmed_years(complete_on, deadline)]
    return PaymentDeadline(program, complete_on, working_days, deadline, days_off, view.ref(name), tuple(unconfirmed))


def claim_expiry_date(program: str, event_date: date, view: ParameterView) -> date | None:
    """Last day a claim may be filed, selected by the event (accident) date; None = no deadline."""
    years = view[f"claim.{program.lower()}_expiry_years"]
    return None if years is None else add_years(event_date, years)


def contribution_due_date(segment: str, year: int, month: int, params: ParameterSet | None = None) -> date:
    """Due date of the contribution for ``year``-``month`` (PU: next month; BPU: same month)."""
    parameters = params or load_parameters()
    period = date(year, month, 1)
    if segment == "PU":
        return add_months(period, 1).replace(day=parameters.value("contribution.pu.due_day_next_month", period))
    if segment == "BPU":
        return period.replace(day=parameters.value("contribution.bpu.due_day_same_month", period))
    raise CaseError({"segment": "due dates are defined for PU and BPU"})


def _months_late(due: date, paid: date, started_month_counts: bool) -> int:
    if paid <= due:
        return 0
    months = months_apart(due, paid)
    if paid < add_months(due, months):
        months -= 1  # the last calendar month is not complete yet
    if started_month_counts and paid > add_months(due, months):
        months += 1  # ... and a started month counts as a whole one
    return months


def pu_late_fine(case: LateFineCase, params: ParameterSet | None = None) -> Result:
    """Fine for a late contribution: PU 2% of the amount due per month of delay; BPU none."""
    if case.amount_due < 0:
        raise CaseError({"amount_due": "must not be negative"})
    if not 1 <= case.month <= 12:
        raise CaseError({"month": "must be 1–12"})
    parameters = params or load_parameters()
    due = contribution_due_date(case.segment, case.year, case.month, parameters)
    view = parameters.at(due)
    seg = case.segment.lower()
    rate_name = f"contribution.{seg}.late_fine_rate"
    rate = view[rate_name]
    view.entry(f"contribution.{seg}.due_day_{'next' if seg == 'pu' else 'same'}_month")
    months = 0
    if rate:
        months = _months_late(due, case.payment_date, view["contribution.pu.late_fine_started_month_counts"])
    components = []
    if months:
        amount = to_rupiah(case.amount_due, rate, months)
        components.append(
            Component(
                code="denda_keterlambatan_iuran",
                program=None,
                amount=amount,
                reference=view.ref(rate_name),
                explanation_id=f"Denda {format_rate(rate)} × {months} bulan × iuran terutang {format_rupiah(case.amount_due)}",
                explanation_en=f"Fine {format_rate(rate)} × {months} months × contribution due {format_rupiah(case.amount_due)}",
                detail={"rate": rate, "months_late": months, "amount_due": case.amount_due},
            )
        )
    return Result.build("late_fine", view, components, facts={"due_date": due, "months_late": months, "fine_rate": rate})


def late_payment_compensation(case: LatePaymentCase, params: ParameterSet | None = None) -> Result:
    """Compensation BPJS owes for paying a benefit after its deadline (1% of the benefit per day).

    The deadline counts Indonesian working days from the complete application (public holidays and
    joint leave days excluded; ``case.holidays`` adds further days off)."""
    if case.payment_date < case.application_date:
        raise CaseError({"payment_date": "is before the application date"})
    if case.benefit_amount < 0:
        raise CaseError({"benefit_amount": "must not be negative"})
    parameters = params or load_parameters()
    view = parameters.at(case.application_date)
    due = payment_deadline(case.program, case.application_date, parameters, case.holidays)
    view.entry(f"payment.{case.program.lower()}_deadline_working_days")
    view.entry(JOINT_LEAVE)
    view.unconfirmed_rows.extend(due.unconfirmed)
    deadline, working_days = due.deadline, due.working_days
    counting = view["payment.late_day_count"]
    if case.payment_date <= deadline:
        days = 0
    elif counting == "working":
        days = working_calendar(parameters, case.holidays).working_days_between(deadline, case.payment_date)
    else:
        days = (case.payment_date - deadline).days
    rate_name = "payment.late_compensation_rate_per_day"
    rate = view[rate_name]
    components = []
    if days:
        components.append(
            Component(
                code="kompensasi_keterlambatan",
                program=case.program,
                amount=to_rupiah(case.benefit_amount, rate, days),
                reference=view.ref(rate_name),
                explanation_id=f"{format_rate(rate)} × {days} hari terlambat × manfaat {format_rupiah(case.benefit_amount)} (batas {working_days} hari kerja: {deadline.isoformat()})",
                explanation_en=f"{format_rate(rate)} × {days} days late × benefit {format_rupiah(case.benefit_amount)} (deadline {working_days} working days: {deadline.isoformat()})",
                detail={"rate": rate, "days_late": days, "deadline": deadline, "benefit_amount": case.benefit_amount},
            )
        )
    facts = {
        "deadline": deadline,
        "days_late": days,
        "day_count": counting,
        "working_days": working_days,
        "days_off": [{"date": d.on, "kind": d.kind, "name": d.name} for d in due.days_off],
    }
    return Result.build("late_payment", view, components, facts=facts)


@dataclass(frozen=True, slots=True)
class CoverDecision:
    """Whether a BPU participant is covered for an event, given the paid-through date."""

    covered: bool
    payable: bool
    reasons: tuple[Reason, ...]
    grace_ends: date


def bpu_cover(event_date: date, paid_through: date, arrears_paid: bool, params: ParameterSet | None = None) -> CoverDecision:
    """Cover of a BPU participant on ``event_date``; the grace-window treatment is a configurable policy."""
    view = (params or load_parameters()).at(event_date)
    grace_ends = add_months(paid_through, view["contribution.bpu.arrears_months"])
    policy_name = "contribution.bpu.grace_event_policy"
    if event_date <= paid_through:
        return CoverDecision(True, True, (), grace_ends)
    if event_date > grace_ends:
        reason = Reason(
            "membership_ended",
            "Kepesertaan berakhir: lebih dari masa tenggang tanpa iuran",
            "Membership ended: unpaid beyond the grace period",
            view.ref("contribution.bpu.arrears_months"),
        )
        return CoverDecision(False, False, (reason,), grace_ends)
    policy = view[policy_name]
    if policy == "covered" or (policy == "payable_after_arrears_paid" and arrears_paid):
        return CoverDecision(True, True, (), grace_ends)
    if policy == "payable_after_arrears_paid":
        reason = Reason(
            "arrears_unpaid",
            "Peristiwa dalam masa tenggang: dapat dibayar setelah tunggakan dilunasi",
            "Event in the grace window: payable once the arrears are paid",
            view.ref(policy_name),
        )
        return CoverDecision(True, False, (reason,), grace_ends)
    reason = Reason(
        "not_covered_in_grace_window",
        "Peristiwa dalam masa tenggang tidak dijamin",
        "An event in the grace window is not covered",
        view.ref(policy_name),
    )
    return CoverDecision(False, False, (reason,), grace_ends)


@dataclass(frozen=True, slots=True)
class AccidentReportTimeliness:
    """Whether a work accident's stage-I report came within the deadline, and what follows."""

    late: bool
    hours: float
    limit_hours: int
    employer_pays_first: bool
    reasons: tuple[Reason, ...]


def accident_report_timeliness(
    accident_at: datetime, reported_at: datetime, segment: str, params: ParameterSet | None = None
) -> AccidentReportTimeliness:
    """A stage-I report later than ``claim.jkk_stage1_report_hours`` after the accident is late; for a wage
    earner (PU) the employer then owes the benefit first where ``claim.jkk_late_report_employer_pays_first``."""
    if reported_at < accident_at:
        raise CaseError({"reported_at": "is before the accident"})
    view = (params or load_parameters()).at(accident_at.date())
    limit = view["claim.jkk_stage1_report_hours"]
    hours = (reported_at - accident_at).total_seconds() / 3600
    late = hours > limit
    employer_first = late and segment == "PU" and view["claim.jkk_late_report_employer_pays_first"]
    reasons: list[Reason] = []
    if late:
        reasons.append(
            Reason(
                "accident_reported_late",
                f"Laporan tahap I terlambat: {hours:.0f} jam setelah kecelakaan (batas {limit} jam)",
                f"Stage-I report late: {hours:.0f} hours after the accident (limit {limit} hours)",
                view.ref("claim.jkk_stage1_report_hours"),
            )
        )
    if employer_first:
        reasons.append(
            Reason(
                "employer_pays_first",
                "Pemberi kerja menanggung manfaat lebih dahulu karena laporan terlambat",
                "The employer owes the benefit first because the report was late",
                view.ref("claim.jkk_late_report_employer_pays_first"),
            )
        )
    return AccidentReportTimeliness(late, hours, limit, employer_first, tuple(reasons))
