"""Lindung rules engine: the JKK/JKM regulation as code (pure Python, no Django).

Every amount, rate, cap, bracket and table lives in effective-dated parameter files under
``lindung/rules/parameters/``; the calculators pick the values in force on the event or
contribution date and explain each rupiah with its legal reference.

    >>> from datetime import date
    >>> from lindung.rules import BenefitCase, calculate_benefit
    >>> calculate_benefit(BenefitCase(program="JKM", event_date=date(2024, 1, 10))).total
    42000000
"""

from .benefits import calculate_benefit
from .cases import (
    BenefitCase,
    Child,
    ContributionCase,
    DisabilityItem,
    HeirsCase,
    LateFineCase,
    LatePaymentCase,
    Relative,
    ScholarshipCase,
    Transport,
)
from .contributions import calculate_contribution
from .deadlines import (
    AccidentReportTimeliness,
    CoverDecision,
    PaymentDeadline,
    accident_report_timeliness,
    add_working_days,
    bpu_cover,
    claim_expiry_date,
    contribution_due_date,
    late_payment_compensation,
    payment_deadline,
    pu_late_fine,
)
from .heirs import Allocation, allocate_benefit, determine_heirs
from .money import ROUNDING_RULE, round_rupiah, to_rupiah
from .params import Entry, NotInForce, Parameter, ParameterError, ParameterSet, ParameterView, load_parameters
from .results import CaseError, ChildScholarship, Component, HeirsResult, ParameterUse, Reason, Result, ScholarshipResult, ScholarshipYear
from .scholarship import scholarship_schedule
from .working_days import DayOff, WorkingCalendar, working_calendar

__all__ = [
    "ROUNDING_RULE",
    "AccidentReportTimeliness",
    "Allocation",
    "BenefitCase",
    "CaseError",
    "Child",
    "ChildScholarship",
    "Component",
    "ContributionCase",
    "CoverDecision",
    "DayOff",
    "DisabilityItem",
    "Entry",
    "HeirsCase",
    "HeirsResult",
    "LateFineCase",
    "LatePaymentCase",
    "NotInForce",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "ParameterUse",
    "ParameterView",
    "PaymentDeadline",
    "Reason",
    "Relative",
    "Result",
    "ScholarshipCase",
    "ScholarshipResult",
    "ScholarshipYear",
    "Transport",
    "WorkingCalendar",
    "accident_report_timeliness",
    "add_working_days",
    "allocate_benefit",
    "bpu_cover",
    "calculate_benefit",
    "calculate_contribution",
    "claim_expiry_date",
    "contribution_due_date",
    "determine_heirs",
    "late_payment_compensation",
    "load_parameters",
    "payment_deadline",
    "pu_late_fine",
    "round_rupiah",
    "scholarship_schedule",
    "to_rupiah",
    "working_calendar",
]
