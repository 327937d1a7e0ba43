"""Parameter snapshots: the loaded parameter set serialised canonically, stored once per digest.

``lindung.rules`` stays pure Python: this module reads what ``load_parameters`` returns and
serialises it; the model lives here in core."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import threading
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from lindung.core.calculations.models import ParameterSnapshot
from lindung.rules.params import ParameterSet

_lock = threading.Lock()
# (rules version, directories) -> (digest, content): the serialisation, once per process.
_serialised: dict[tuple[str, tuple[str, ...]], tuple[str, dict]] = {}
# (database alias, digest) -> snapshot id, filled only once the row is committed.
_ids: dict[tuple[str, str], int] = {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def serialise(params: ParameterSet) -> dict:
    """Every parameter with its description, type and every dated value (value, reference,
    unconfirmed, note, source file), JSON-ready; rates stay exact as decimal strings."""
    out = {}
    for name, p in sorted(params.parameters.items()):
        out[name] = {
            "description": p.description,
            "type": p.type,
            "unit": p.unit,
            "columns": _jsonable(p.columns) if p.columns else None,
            "choices": list(p.choices) if p.choices else None,
            "unconfirmed": p.unconfirmed,
            "note": p.note,
            "sources": list(p.sources),
            "entries": [
                {
                    "effective": e.effective.isoformat(),
                    "value": _jsonable(e.value),
                    "reference": e.reference,
                    "unconfirmed": e.unconfirmed,
                    "note": e.note,
                    "source": e.source,
                }
                for e in p.entries
            ],
        }
    return {"parameters": out}


def canonical_digest(content: dict) -> str:
    """SHA-256 of the canonical serialisation (sorted keys, no whitespace, UTF-8)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _serialised_form(params: ParameterSet) -> tuple[str, dict]:
    key = (params.version, tuple(params.directories))
    found = _serialised.get(key)
    if found is None:
        content = serialise(params)
        found = (canonical_digest(content), content)
        with _lock:
            _serialised[key] = found
    return found


def snapshot_id_for(params: ParameterSet, *, using: str = "default") -> int:
    """The id of the stored snapshot of ``params``, created on first use. Cached per process
    once the row is committed (a row written in a transaction that rolls back is never cached);
    the cache is cleared when the database is flushed (``post_migrate``)."""
    digest, content = _serialised_form(params)
    pk = _ids.get((using, digest))
    if pk is not None:
        return pk
    pk = ParameterSnapshot.objects.using(using).filter(digest=digest).values_list("pk", flat=True).first()
    if pk is None:
        try:
            with transaction.atomic(using=using):
                pk = ParameterSnapshot.objects.using(using).create(digest=digest, rules_version=params.version, content=content).pk
        except IntegrityError:  # written at the same moment by another process
            pk = ParameterSnapshot.objects.using(using).get(digest=digest).pk

    def remember(pk=pk):
        _ids[(using, digest)] = pk

    transaction.on_commit(remember, using=using)
    return pk


def snapshot_for(params: ParameterSet, *, using: str = "default") -> ParameterSnapshot:
    """The stored snapshot of ``params`` (created on first use)."""
    return ParameterSnapshot.objects.using(using).get(pk=snapshot_id_for(params, using=using))


def clear_cache(**_signal) -> None:
    """Forget cached serialisations and ids (after a flush; a process that edits parameter files)."""
    with _lock:
        _serialised.clear()
        _ids.clear()
