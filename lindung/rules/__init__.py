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
    CoverDecision,
    add_working_days,
    bpu_cover,
    claim_expiry_date,
    contribution_due_date,
    late_payment_compensation,
    pu_late_fine,
)
from .heirs import determine_heirs
from .money import ROUNDING_RULE, round_rupiah, to_rupiah
from .params import Entry, NotInForce, Parameter, ParameterError, ParameterSet, ParameterView, load_parameters
from .results import CaseError, ChildScholarship, Component, HeirsResult, ParameterUse, Reason, Result, ScholarshipResult, ScholarshipYear
from .scholarship import scholarship_schedule

__all__ = [
    "ROUNDING_RULE",
    "BenefitCase",
    "CaseError",
    "Child",
    "ChildScholarship",
    "Component",
    "ContributionCase",
    "CoverDecision",
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
    "Reason",
    "Relative",
    "Result",
    "ScholarshipCase",
    "ScholarshipResult",
    "ScholarshipYear",
    "Transport",
    "add_working_days",
    "bpu_cover",
    "calculate_benefit",
    "calculate_contribution",
    "claim_expiry_date",
    "contribution_due_date",
    "determine_heirs",
    "late_payment_compensation",
    "load_parameters",
    "pu_late_fine",
    "round_rupiah",
    "scholarship_schedule",
    "to_rupiah",
]
