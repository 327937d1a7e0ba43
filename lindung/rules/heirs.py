"""Heirs (ahli waris): which priority class of relatives receives the cash benefits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .cases import HeirsCase
from .params import ParameterSet, load_parameters
from .results import CaseError, Component, HeirsResult, parameter_uses

__all__ = ["FUNERAL_COMPONENT", "Allocation", "allocate_benefit", "determine_heirs"]

FUNERAL_COMPONENT = "biaya_pemakaman"
RECIPIENTS = ("participant", "heirs", "funeral_arranger", "social_security_fund")

_CLASS_TEXT = {
    "spouse_or_children": ("janda/duda atau anak", "the widow/widower or children"),
    "lineal": ("keturunan sedarah lurus sampai derajat kedua", "lineal blood relatives to the second degree"),
    "siblings": ("saudara kandung", "siblings"),
    "parents_in_law": ("mertua", "parents-in-law"),
    "will": ("pihak yang ditunjuk dalam wasiat", "the person named in the will"),
}


def determine_heirs(case: HeirsCase, params: ParameterSet | None = None) -> HeirsResult:
    """The first priority class with at least one relative takes the benefits (PP 44/2015)."""
    on = case.event_date or date.today()
    view = (params or load_parameters()).at(on)
    name = "heirs.priority_classes"
    classes = view[name]
    known = {relation for row in classes for relation in row["relations"]}
    seen: set[str] = set()
    for index, relative in enumerate(case.relatives):
        if relative.relation not in known:
            raise CaseError({f"relatives.{index}.relation": f"not one of {', '.join(sorted(known))}"})
        if relative.id in seen:
            raise CaseError({f"relatives.{index}.id": f"duplicate id {relative.id!r}"})
        seen.add(relative.id)
    for row in classes:
        heirs = tuple(r.id for r in case.relatives if r.relation in row["relations"])
        if heirs:
            text_id, text_en = _CLASS_TEXT.get(row["class"], (row["class"], row["class"]))
            return HeirsResult(
                heir_class=row["class"],
                heirs=heirs,
                funeral_cost_to=None,
                to_social_security_fund=False,
                reference=view.ref(name),
                explanation_id=f"Ahli waris: {text_id} ({len(heirs)} orang); pembagian menurut penunjukan penerima pada klaim",
                explanation_en=f"Heirs: {text_en} ({len(heirs)}); the split follows the claim's payee designation",
                parameters=parameter_uses(view),
                parameter_version=view.parameters.version,
            )
    arranger = case.funeral_arranger
    return HeirsResult(
        heir_class="none",
        heirs=(),
        funeral_cost_to=arranger,
        to_social_security_fund=True,
        reference=view.ref(name),
        explanation_id=(
            "Tidak ada ahli waris: biaya pemakaman kepada pihak yang mengurus pemakaman, manfaat lain ke Dana Jaminan Sosial"
            if arranger
            else "Tidak ada ahli waris dan tidak ada pengurus pemakaman: manfaat ke Dana Jaminan Sosial"
        ),
        explanation_en=(
            "No heirs: the funeral cost goes to whoever arranged the funeral, the other benefits to the social security fund"
            if arranger
            else "No heirs and no funeral arranger: the benefits go to the social security fund"
        ),
        parameters=parameter_uses(view),
        parameter_version=view.parameters.version,
    )


@dataclass(frozen=True, slots=True)
class Allocation:
    """Who receives one component of a decided benefit."""

    component: str
    amount: int
    to: str  # one of RECIPIENTS
    reference: str


def allocate_benefit(components: Iterable[Component], heirs: HeirsResult | None) -> tuple[Allocation, ...]:
    """Recipients of each component: the participant (no death), the heirs, or — with no heirs — the funeral
    cost to whoever arranged the funeral and everything else to the social security fund (PP 44/2015)."""
    allocations = []
    for component in components:
        if heirs is None:
            to = "participant"
        elif heirs.heir_class != "none":
            to = "heirs"
        elif component.code == FUNERAL_COMPONENT and heirs.funeral_cost_to:
            to = "funeral_arranger"
        else:
            to = "social_security_fund"
        allocations.append(Allocation(component.code, component.amount, to, heirs.reference if heirs is not None else component.reference))
    return tuple(allocations)
