"""JSON schemas of the rules engine — the one definition shared by the CLI and the REST API.

Input models validate a JSON case and convert it to the calculators' frozen dataclasses
(``to_case()``); output models describe the JSON the calculators' ``to_dict()`` produce.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from . import cases

__all__ = [
    "BenefitInput",
    "CalculationOutput",
    "ChildInput",
    "ComponentOutput",
    "ContributionInput",
    "DisabilityInput",
    "ErrorBody",
    "ErrorOutput",
    "HeirsInput",
    "HeirsOutput",
    "LateFineInput",
    "LatePaymentInput",
    "ParameterUseOutput",
    "ReasonOutput",
    "RelativeInput",
    "ScholarshipInput",
    "ScholarshipOutput",
    "TransportInput",
]

Rupiah = Annotated[StrictInt, Field(ge=0, description="whole rupiah")]
Count = Annotated[StrictInt, Field(ge=0)]
Program = Literal["JKK", "JKM"]
ContributionProgram = Literal["JKK", "JKM", "JHT"]
_DEFAULT_PROGRAMS: tuple[ContributionProgram, ...] = ("JKK", "JKM")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ inputs


class ContributionInput(_In):
    segment: Literal["PU", "BPU", "JAKON"]
    date: dt.date = Field(description="contribution month (any day in it) or project date")
    programs: list[ContributionProgram] = Field(default_factory=lambda: list(_DEFAULT_PROGRAMS), min_length=1)
    wage: Rupiah | None = Field(default=None, description="monthly wage (PU, JAKON wage known) or declared income (BPU)")
    risk_class: Literal["very_low", "low", "medium", "high", "very_high"] | None = None
    contract_value: Rupiah | None = Field(default=None, description="JAKON contract value when the wages are unknown")
    jkp: StrictBool = Field(default=False, description="PU employer in JKP: show the part re-allocated to JKP")

    def to_case(self) -> cases.ContributionCase:
        return cases.ContributionCase(
            segment=self.segment,
            on=self.date,
            programs=tuple(self.programs),
            wage=self.wage,
            risk_class=self.risk_class,
            contract_value=self.contract_value,
            jkp=self.jkp,
        )


class ChildInput(_In):
    birth_date: dt.date
    level: StrictStr | None = Field(
        default=None,
        description="current school level (TK, SD, SMP, SMA, PT); empty = not known: the child is placed by age (scholarship.school_ages)",
    )
    year_in_level: Annotated[StrictInt, Field(ge=1)] = 1
    id: StrictStr | None = None
    married: StrictBool = False
    working: StrictBool = False
    work_months: Count = 0
    bpu_worker: StrictBool = False
    apprentice: StrictBool = False
    in_school: StrictBool | None = Field(
        default=None, description="false: not in school at the event (enters the first level when old enough); empty: by level or age"
    )

    def to_case(self) -> cases.Child:
        return cases.Child(**self.model_dump())


class DisabilityInput(_In):
    item: StrictStr
    function_loss_percent: Annotated[StrictInt, Field(ge=1, le=100)] = 100

    def to_case(self) -> cases.DisabilityItem:
        return cases.DisabilityItem(self.item, self.function_loss_percent)


class TransportInput(_In):
    mode: Literal["land", "sea", "air"]
    amount: Rupiah

    def to_case(self) -> cases.Transport:
        return cases.Transport(self.mode, self.amount)


class BenefitInput(_In):
    program: Program
    event_date: dt.date = Field(description="date of death, accident or occupational-disease diagnosis")
    claim_date: dt.date | None = None
    outcome: Literal["death", "total_disability", "partial_disability", "temporary_incapacity", "medical"] | None = None
    wage: Rupiah | None = None
    contribution_months: Count = 0
    membership_active: StrictBool = True
    children: list[ChildInput] = Field(default_factory=list)
    disabilities: list[DisabilityInput] = Field(default_factory=list)
    left_handed: StrictBool = False
    incapacity_months: Count = 0
    transport: list[TransportInput] = Field(default_factory=list)
    home_care: Rupiah = 0
    medical: Rupiah = Field(default=0, description="JKK medical care paid by the claimant (receipts), reimbursed as medically needed")

    def to_case(self) -> cases.BenefitCase:
        return cases.BenefitCase(
            program=self.program,
            event_date=self.event_date,
            outcome=self.outcome,
            claim_date=self.claim_date,
            wage=self.wage,
            contribution_months=self.contribution_months,
            membership_active=self.membership_active,
            children=tuple(c.to_case() for c in self.children),
            disabilities=tuple(d.to_case() for d in self.disabilities),
            left_handed=self.left_handed,
            incapacity_months=self.incapacity_months,
            transport=tuple(t.to_case() for t in self.transport),
            home_care=self.home_care,
            medical=self.medical,
        )


class ScholarshipInput(_In):
    event_date: dt.date
    children: list[ChildInput] = Field(min_length=1)
    program: Program | None = Field(default=None, description="with contribution_months: also check the participant-level condition")
    contribution_months: Count | None = None
    as_of: dt.date | None = Field(default=None, description="date for the working-student rule (default: event date)")

    def to_case(self) -> cases.ScholarshipCase:
        return cases.ScholarshipCase(
            event_date=self.event_date,
            children=tuple(c.to_case() for c in self.children),
            program=self.program,
            contribution_months=self.contribution_months,
            as_of=self.as_of,
        )


class RelativeInput(_In):
    id: Annotated[StrictStr, Field(min_length=1)]
    relation: Literal["spouse", "child", "parent", "grandchild", "grandparent", "sibling", "parent_in_law", "will_beneficiary"]

    def to_case(self) -> cases.Relative:
        return cases.Relative(self.id, self.relation)


class HeirsInput(_In):
    relatives: list[RelativeInput] = Field(default_factory=list)
    funeral_arranger: StrictStr | None = None
    event_date: dt.date | None = Field(default=None, description="date of death (default: today)")

    def to_case(self) -> cases.HeirsCase:
        return cases.HeirsCase(tuple(r.to_case() for r in self.relatives), self.funeral_arranger, self.event_date)


class LatePaymentInput(_In):
    program: Program
    benefit_amount: Rupiah
    application_date: dt.date = Field(description="date the application became complete")
    payment_date: dt.date
    holidays: list[dt.date] = Field(
        default_factory=list,
        description="further days off (e.g. a regional holiday); public holidays and joint leave days (cuti bersama) are applied already",
    )

    def to_case(self) -> cases.LatePaymentCase:
        return cases.LatePaymentCase(self.program, self.benefit_amount, self.application_date, self.payment_date, tuple(self.holidays))


class LateFineInput(_In):
    segment: Literal["PU", "BPU"]
    amount_due: Rupiah
    period: Annotated[StrictStr, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="contribution month YYYY-MM")]
    payment_date: dt.date

    def to_case(self) -> cases.LateFineCase:
        year, month = (int(part) for part in self.period.split("-"))
        return cases.LateFineCase(self.segment, self.amount_due, year, month, self.payment_date)


# ------------------------------------------------------------------ outputs


class ComponentOutput(_Out):
    code: str
    program: str | None
    amount: int
    reference: str
    explanation_id: str
    explanation_en: str
    detail: dict[str, Any]


class ReasonOutput(_Out):
    code: str
    explanation_id: str
    explanation_en: str
    reference: str | None


class ParameterUseOutput(_Out):
    name: str
    effective: dt.date
    reference: str
    unconfirmed: bool


class ScholarshipYearOutput(_Out):
    school_year: str
    starts: dt.date
    level: str
    year_in_level: int
    age: int
    amount: int
    reference: str


class ChildScholarshipOutput(_Out):
    index: int
    id: str | None
    birth_date: dt.date
    eligible: bool
    reasons: list[ReasonOutput]
    years: list[ScholarshipYearOutput]
    level_source: Literal["given", "age", "not_yet_in_school"] | None = Field(
        description="how the first level was found: given, placed by age, or entering school later; empty for the lump-sum scheme"
    )
    max_total: int = Field(description="the regulation's ceiling for this child (0 when not entitled)")
    total: int = Field(description="sum of this child's projected yearly schedule")


class ScholarshipOutput(_Out):
    eligible: bool
    reasons: list[ReasonOutput]
    scheme: str
    max_total: int = Field(description="the regulation's ceiling for the entitled children (87,000,000 per child under PP 82/2019)")
    projected_total: int = Field(description="sum of the projected yearly schedules of the entitled children")
    children: list[ChildScholarshipOutput]
    parameters: list[ParameterUseOutput]
    parameter_version: str
    unconfirmed: list[str] = Field(description="UNCONFIRMED parameter values and table rows the result depends on")
    unconfirmed_rows: list[str]


class CalculationOutput(_Out):
    """Contribution, benefit, late-fine and late-payment results."""

    kind: str
    on: dt.date = Field(description="the date whose regulation was applied")
    payable: bool
    reasons: list[ReasonOutput]
    total: int = Field(description="sum of the components (cash; the scholarship is reported separately)")
    components: list[ComponentOutput]
    facts: dict[str, Any]
    scholarship: ScholarshipOutput | None
    parameters: list[ParameterUseOutput]
    parameter_version: str
    unconfirmed: list[str] = Field(description="UNCONFIRMED parameter values and table rows the result depends on")
    unconfirmed_rows: list[str]


class HeirsOutput(_Out):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    heir_class: Literal["spouse_or_children", "lineal", "siblings", "parents_in_law", "will", "none"] = Field(alias="class")
    heirs: list[str]
    funeral_cost_to: str | None
    to_social_security_fund: bool
    reference: str
    explanation_id: str
    explanation_en: str
    parameters: list[ParameterUseOutput]
    parameter_version: str


class ErrorBody(_Out):
    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class ErrorOutput(_Out):
    """The project's one error shape."""

    error: ErrorBody
