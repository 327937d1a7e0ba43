"""Inputs of the calculators, as frozen dataclasses (the pydantic schemas convert to these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "BenefitCase",
    "Child",
    "ContributionCase",
    "DisabilityItem",
    "HeirsCase",
    "LateFineCase",
    "LatePaymentCase",
    "Relative",
    "ScholarshipCase",
    "Transport",
]

Segment = Literal["PU", "BPU", "JAKON"]
Program = Literal["JKK", "JKM"]
Outcome = Literal["death", "total_disability", "partial_disability", "temporary_incapacity", "medical"]
RiskClass = Literal["very_low", "low", "medium", "high", "very_high"]
TransportMode = Literal["land", "sea", "air"]
Relation = Literal["spouse", "child", "parent", "grandchild", "grandparent", "sibling", "parent_in_law", "will_beneficiary"]


@dataclass(frozen=True, slots=True)
class ContributionCase:
    segment: Segment
    on: date
    programs: tuple[str, ...] = ("JKK", "JKM")
    wage: int | None = None
    risk_class: RiskClass | None = None
    contract_value: int | None = None
    jkp: bool = False


@dataclass(frozen=True, slots=True)
class Child:
    birth_date: date
    level: str | None = None
    year_in_level: int = 1
    id: str | None = None
    married: bool = False
    working: bool = False
    work_months: int = 0
    bpu_worker: bool = False
    apprentice: bool = False
    in_school: bool | None = None


@dataclass(frozen=True, slots=True)
class DisabilityItem:
    item: str
    function_loss_percent: int = 100


@dataclass(frozen=True, slots=True)
class Transport:
    mode: TransportMode
    amount: int


@dataclass(frozen=True, slots=True)
class BenefitCase:
    program: Program
    event_date: date
    outcome: Outcome | None = None
    claim_date: date | None = None
    wage: int | None = None
    contribution_months: int = 0
    membership_active: bool = True
    children: tuple[Child, ...] = ()
    disabilities: tuple[DisabilityItem, ...] = ()
    left_handed: bool = False
    incapacity_months: int = 0
    transport: tuple[Transport, ...] = ()
    home_care: int = 0
    medical: int = 0


@dataclass(frozen=True, slots=True)
class ScholarshipCase:
    """``program`` None: the schedule only, without the participant-level condition."""

    event_date: date
    children: tuple[Child, ...]
    program: Program | None = None
    contribution_months: int | None = None
    as_of: date | None = None


@dataclass(frozen=True, slots=True)
class Relative:
    id: str
    relation: Relation


@dataclass(frozen=True, slots=True)
class HeirsCase:
    relatives: tuple[Relative, ...]
    funeral_arranger: str | None = None
    event_date: date | None = None


@dataclass(frozen=True, slots=True)
class LatePaymentCase:
    program: Program
    benefit_amount: int
    application_date: date
    payment_date: date
    holidays: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class LateFineCase:
    segment: Literal["PU", "BPU"]
    amount_due: int
    year: int
    month: int
    payment_date: date
