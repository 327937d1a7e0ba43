"""The regulation calculators over REST: the same JSON schemas as ``lindung calc`` (one place:
``lindung/rules/schemas.py``), the same results. Any signed-in user may calculate."""

from __future__ import annotations

from typing import Any

from ninja import Router

from lindung.core.api import ErrorOut
from lindung.core.errors import ServiceError
from lindung.rules import schemas
from lindung.rules.service import InvalidInput, calculate_json

router = Router(tags=["calculators"])


def _run(kind: str, payload) -> dict[str, Any]:
    try:
        return calculate_json(kind, payload.model_dump(mode="json", exclude_unset=True))
    except InvalidInput as exc:
        raise ServiceError("invalid_input", exc.message, exc.fields, status=422) from None


@router.post("/calc/contribution", response={200: schemas.CalculationOutput, 422: ErrorOut})
def calc_contribution(request, payload: schemas.ContributionInput):
    """Monthly contribution (PU, BPU) or per-project premium (JAKON)."""
    return _run("contribution", payload)


@router.post("/calc/benefit", response={200: schemas.CalculationOutput, 422: ErrorOut})
def calc_benefit(request, payload: schemas.BenefitInput):
    """JKM or JKK benefit with every component, its amount and legal reference."""
    return _run("benefit", payload)


@router.post("/calc/heirs", response={200: schemas.HeirsOutput, 422: ErrorOut}, by_alias=True)
def calc_heirs(request, payload: schemas.HeirsInput):
    """The heirs' priority class (PP 44/2015) among the given relatives."""
    return _run("heirs", payload)


@router.post("/calc/scholarship", response={200: schemas.ScholarshipOutput, 422: ErrorOut})
def calc_scholarship(request, payload: schemas.ScholarshipInput):
    """Children's scholarship entitlement and yearly schedule."""
    return _run("scholarship", payload)
