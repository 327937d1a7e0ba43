"""JSON in, JSON out: validate a case with the shared schemas, run the calculator, shape the result.

Used by the CLI (``lindung calc <kind>``) and meant for the REST API, so both speak the same JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from . import schemas
from .benefits import calculate_benefit
from .contributions import calculate_contribution
from .deadlines import late_payment_compensation, pu_late_fine
from .heirs import determine_heirs
from .params import NotInForce, ParameterSet, load_parameters
from .results import CaseError
from .scholarship import scholarship_schedule

__all__ = ["KINDS", "InvalidInput", "Kind", "calculate_json", "error_body"]


@dataclass(frozen=True, slots=True)
class Kind:
    input: type[BaseModel]
    output: type[BaseModel]
    calculate: Callable[[Any, ParameterSet], Any]
    date_field: str


KINDS: Mapping[str, Kind] = {
    "contribution": Kind(schemas.ContributionInput, schemas.CalculationOutput, calculate_contribution, "date"),
    "benefit": Kind(schemas.BenefitInput, schemas.CalculationOutput, calculate_benefit, "event_date"),
    "heirs": Kind(schemas.HeirsInput, schemas.HeirsOutput, determine_heirs, "event_date"),
    "scholarship": Kind(schemas.ScholarshipInput, schemas.ScholarshipOutput, scholarship_schedule, "event_date"),
    "late-payment": Kind(schemas.LatePaymentInput, schemas.CalculationOutput, late_payment_compensation, "application_date"),
    "late-fine": Kind(schemas.LateFineInput, schemas.CalculationOutput, pu_late_fine, "period"),
}


class InvalidInput(ValueError):
    """The input cannot be calculated; ``fields`` maps field paths to reasons."""

    def __init__(self, message: str, fields: Mapping[str, str]) -> None:
        self.message = message
        self.fields = dict(fields)
        super().__init__(message)


def error_body(message: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The project's one error shape."""
    return schemas.ErrorOutput(error=schemas.ErrorBody(code="invalid_input", message=message, fields=dict(fields))).model_dump()


def _pydantic_fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "$"
        fields.setdefault(path, error["msg"])
    return fields


def calculate_json(kind: str, payload: str | bytes | Mapping[str, Any], params: ParameterSet | None = None) -> dict[str, Any]:
    """Validate ``payload`` for ``kind``, calculate, and return the JSON-ready output."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"unknown calculation {kind!r}", {"kind": f"one of {', '.join(KINDS)}"})
    try:
        if isinstance(payload, str | bytes):
            model = spec.input.model_validate_json(payload)
        else:
            model = spec.input.model_validate(payload)
    except ValidationError as exc:
        fields = _pydantic_fields(exc)
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise InvalidInput("input is not valid JSON", {"$": "invalid JSON"}) from None
        raise InvalidInput(f"invalid {kind} input: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields) from None
    try:
        result = spec.calculate(model.to_case(), params or load_parameters())  # type: ignore[attr-defined]
    except CaseError as exc:
        raise InvalidInput(f"invalid {kind} input: {exc}", exc.fields) from None
    except NotInForce as exc:
        raise InvalidInput(
            f"no regulation in force on {exc.on.isoformat()}", {spec.date_field: f"before {exc.first.isoformat()} ({exc.name})"}
        ) from None
    return spec.output.model_validate(result.to_dict()).model_dump(mode="json", by_alias=True)
