"""The audit trail: services call :func:`record` for every write.

Chosen over django-auditlog / django-simple-history because Lindung audits *service actions*
("enrol", "approve", "import") rather than raw model saves, bulk paths write one event per batch,
and the model is small enough to own (see docs/architecture.md).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.db import connections, models

from lindung.core.models import AuditEvent

_source: contextvars.ContextVar[str] = contextvars.ContextVar("lindung_audit_source", default=AuditEvent.Source.SYSTEM)


@contextmanager
def audit_source(source: str):
    """Mark writes inside the block as coming from ``web``, ``api``, ``cli`` or ``job``."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


@contextmanager
def purge_permitted(using: str = "default"):
    """Allow deleting audit events on this connection inside the block (see migration 0002).

    Only for the test suite's database flush and a deliberate, documented retention purge."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET lindung.audit_purge = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute("INSERT INTO core_audit_purge_permit (granted) VALUES (1)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET lindung.audit_purge")
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM core_audit_purge_permit")


def current_source() -> str:
    return _source.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys by id), JSON-ready."""
    names = list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    return {name: _jsonable(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed."""
    before = before or {}
    after = after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
    sponsor_id: int | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr if object_repr is not None else str(obj)
    actor_obj = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_username=(actor_obj.get_username() if actor_obj else ""),
        source=current_source(),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:200],
        changes=_jsonable(changes or {}),
        summary=summary[:500],
        sponsor_id_ref=sponsor_id,
    )
