"""``calculate_and_freeze``: run a rules-engine calculation and store it with its parameter
snapshot; ``redisplay``: show a stored calculation from what was stored, never recomputed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

from lindung.core.calculations.models import CalculationRecord, ParameterSnapshot
from lindung.core.calculations.snapshots import snapshot_id_for
from lindung.core.errors import ServiceError
from lindung.rules import service as rules_service
from lindung.rules.params import ParameterSet, load_parameters


def _computed_for(kind: str, inputs: Mapping[str, Any]) -> dt.date:
    value = inputs.get(rules_service.KINDS[kind].date_field)
    if value is None:  # heirs without a date of death: today's regulation
        return dt.date.today()
    text = str(value)
    return dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)


def calculate_and_freeze(kind: str, case: Mapping[str, Any], *, actor=None, params: ParameterSet | None = None) -> CalculationRecord:
    """Calculate ``case`` (the rules engine's JSON input for ``kind``: contribution, benefit,
    heirs, scholarship, late-payment, late-fine) with ``params`` (default: the loaded parameter
    files) and store inputs, result, snapshot and date. Invalid input: ``ServiceError``
    ``invalid_input`` naming the fields."""
    params = params or load_parameters()
    if kind not in rules_service.KINDS:
        raise ServiceError("invalid_input", _("Unknown calculation %(kind)s.") % {"kind": repr(kind)}, {"kind": ", ".join(rules_service.KINDS)})
    try:
        result = rules_service.calculate_json(kind, case, params)
        inputs = rules_service.KINDS[kind].input.model_validate(case).model_dump(mode="json", by_alias=True)
    except (rules_service.InvalidInput, ValidationError) as exc:
        fields = getattr(exc, "fields", {}) or {}
        raise ServiceError(
            "invalid_input", _("The calculation input is not valid: %(error)s") % {"error": getattr(exc, "message", str(exc))}, fields
        ) from None
    total = result.get("total")
    return CalculationRecord.objects.create(
        kind=kind,
        inputs=inputs,
        result=result,
        total=total if isinstance(total, int) else None,
        snapshot_id=snapshot_id_for(params),
        computed_for=_computed_for(kind, inputs),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def redisplay(record: CalculationRecord) -> dict[str, Any]:
    """What to show for a stored calculation: its stored result with, for every parameter it
    used, the value and legal reference as the snapshot holds them — the original figures,
    whatever the parameter files say today."""
    snapshot: ParameterSnapshot = record.snapshot
    used = []
    for use in record.result.get("parameters", []):
        entry = snapshot.entry(use["name"], dt.date.fromisoformat(use["effective"])) or {}
        used.append({**use, "value": entry.get("value")})
    return {
        "kind": record.kind,
        "computed_for": record.computed_for.isoformat(),
        "created_at": record.created_at.isoformat(),
        "created_by": record.created_by.get_username() if record.created_by_id else None,
        "total": record.total,
        "result": record.result,
        "parameters_used": used,
        "snapshot": {"digest": snapshot.digest, "first_used_at": snapshot.first_used_at.isoformat()},
    }
