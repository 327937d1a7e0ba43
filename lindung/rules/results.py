"""Result objects of the calculators, and the error raised for an invalid case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .params import Entry, ParameterView

__all__ = [
    "CaseError",
    "ChildScholarship",
    "Component",
    "HeirsResult",
    "ParameterUse",
    "Reason",
    "Result",
    "ScholarshipResult",
    "ScholarshipYear",
    "jsonable",
    "parameter_uses",
]


class CaseError(ValueError):
    """The case cannot be calculated; ``fields`` maps each bad field path to the reason."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


@dataclass(frozen=True, slots=True)
class Component:
    """One amount of money with its legal reference and a short explanation."""

    code: str
    amount: int
    reference: str
    explanation_id: str
    explanation_en: str
    program: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a case is not (or not fully) payable — ``code`` is machine-readable."""

    code: str
    explanation_id: str
    explanation_en: str
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterUse:
    """Which dated value of a parameter a calculation used (frozen with decided claims)."""

    name: str
    effective: date
    reference: str
    unconfirmed: bool

    @classmethod
    def of(cls, entry: Entry) -> ParameterUse:
        return cls(entry.name, entry.effective, entry.reference, entry.unconfirmed)


def parameter_uses(view: ParameterView) -> tuple[ParameterUse, ...]:
    return tuple(ParameterUse.of(e) for _, e in sorted(view.used.items()))


@dataclass(frozen=True, slots=True)
class ScholarshipYear:
    school_year: str
    starts: date
    level: str
    year_in_level: int
    age: int
    amount: int
    reference: str


@dataclass(frozen=True, slots=True)
class ChildScholarship:
    index: int
    id: str | None
    birth_date: date
    eligible: bool
    reasons: tuple[Reason, ...]
    years: tuple[ScholarshipYear, ...]
    level_source: str | None = None
    max_total: int = 0

    @property
    def total(self) -> int:
        """The projected schedule's sum for this child."""
        return sum(y.amount for y in self.years)


@dataclass(frozen=True, slots=True)
class ScholarshipResult:
    """Scholarship entitlement: participant-level eligibility and a yearly schedule per child."""

    eligible: bool
    reasons: tuple[Reason, ...]
    scheme: str
    children: tuple[ChildScholarship, ...]
    parameters: tuple[ParameterUse, ...]
    parameter_version: str
    unconfirmed_rows: tuple[str, ...] = ()

    @property
    def max_total(self) -> int:
        """The regulation's ceiling for the entitled children (e.g. 87,000,000 per child, PP 82/2019)."""
        return sum(c.max_total for c in self.children if c.eligible) if self.eligible else 0

    @property
    def projected_total(self) -> int:
        """The sum of the projected yearly schedule of the entitled children (never above ``max_total``)."""
        return sum(c.total for c in self.children if c.eligible) if self.eligible else 0

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.unconfirmed) + self.unconfirmed_rows

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = jsonable(self)
        return data | {"max_total": self.max_total, "projected_total": self.projected_total, "unconfirmed": list(self.unconfirmed)}


@dataclass(frozen=True, slots=True)
class Result:
    """A calculation: ``total`` is always the sum of ``components`` (empty when not payable)."""

    kind: str
    on: date
    components: tuple[Component, ...]
    parameters: tuple[ParameterUse, ...]
    parameter_version: str
    payable: bool = True
    reasons: tuple[Reason, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)
    scholarship: ScholarshipResult | None = None
    unconfirmed_rows: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(c.amount for c in self.components)

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """UNCONFIRMED parameter values and table rows this result depends on."""
        return tuple(p.name for p in self.parameters if p.unconfirmed) + self.unconfirmed_rows

    @classmethod
    def build(
        cls,
        kind: str,
        view: ParameterView,
        components: Iterable[Component],
        *,
        reasons: Iterable[Reason] = (),
        facts: Mapping[str, Any] | None = None,
        scholarship: ScholarshipResult | None = None,
    ) -> Result:
        reasons = tuple(reasons)
        payable = not reasons
        return cls(
            kind=kind,
            on=view.on,
            components=tuple(components) if payable else (),
            parameters=parameter_uses(view),
            parameter_version=view.parameters.version,
            payable=payable,
            reasons=reasons,
            facts=MappingProxyType(dict(facts or {})),
            scholarship=scholarship,
            unconfirmed_rows=tuple(dict.fromkeys(view.unconfirmed_rows)),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = jsonable(self)
        data["total"] = self.total
        data["unconfirmed"] = list(self.unconfirmed)
        if self.scholarship is not None:
            data["scholarship"] = self.scholarship.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class HeirsResult:
    heir_class: str
    heirs: tuple[str, ...]
    funeral_cost_to: str | None
    to_social_security_fund: bool
    reference: str
    explanation_id: str
    explanation_en: str
    parameters: tuple[ParameterUse, ...] = field(default=())
    parameter_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = jsonable(self)
        data["class"] = data.pop("heir_class")
        return data


def jsonable(value: Any) -> Any:
    """Plain JSON-ready data from result objects (dates ISO, decimals as strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, ChildScholarship):
            data["total"] = value.total
        return data
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
