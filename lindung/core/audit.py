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

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from lindung.core import formatting, labels
from lindung.core.files.kinds import KINDS
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


def _sqlite_permit_function(wrapper):
    """``lindung_audit_purge_permitted()`` for the SQLite triggers: true only while
    :func:`purge_permitted` holds this connection's permit. SQL cannot turn it on."""

    def permitted() -> int:
        return 1 if getattr(wrapper, "lindung_audit_purge", False) else 0

    return permitted


def register_sqlite_permit(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver (see CoreConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("lindung_audit_purge_permitted", 0, _sqlite_permit_function(connection))


@contextmanager
def purge_permitted(using: str = "default"):
    """Allow deleting audit events and decisions on this connection inside the block (migrations
    0002 and 0008). On PostgreSQL only the tables' owner gets the permit: the application's role is
    refused (docs/security.md). Only for the test suite's database flush and the audited retention
    purge (``lindung audit purge``)."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lindung.audit_purge = 'on'")
    connection.lindung_audit_purge = True
    try:
        yield
    finally:
        connection.lindung_audit_purge = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET lindung.audit_purge")


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


class Message:
    """An audit summary in words of the reader's language: a message id (an English msgid, marked
    with ``gettext_noop`` where it is written so it reaches the catalogue) and its parameters,
    stored as they are and rendered by :func:`summary_text` when the event is read. Parameters are
    JSON values or messages of their own; wrap a code in :func:`as_label`, a date in :func:`as_date`, a month in
    :func:`as_month`, an amount in :func:`as_rupiah` and a model's label in :func:`as_objects` to
    have it shown in words; whole numbers are shown with the language's separator."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def as_json(self) -> dict[str, Any]:
        return {"id": self.msgid, "params": {k: (v.as_json() if isinstance(v, Message) else _jsonable(v)) for k, v in self.params.items()}}

    def text(self, language: str | None = None) -> str:
        """The message in ``language`` (default the site's)."""
        with translation.override(language or settings.LANGUAGE_CODE):
            return render_message(self.as_json()) or self.msgid


message = Message


def as_label(code: str) -> dict[str, str]:
    """A status, reason, job kind or action code, shown through ``lindung.core.labels``."""
    return {"label": str(code)}


def as_date(value: dt.date) -> dict[str, str]:
    return {"date": value.isoformat()}


def as_month(value: dt.date) -> dict[str, str]:
    return {"month": value.replace(day=1).isoformat()}


def as_rupiah(value: int) -> dict[str, int]:
    return {"rupiah": int(value)}


def as_file_kind(kind: str) -> dict[str, str]:
    """A kind of file or document (``roster_errors``, ``invoice_pdf``), named in words."""
    return {"file_kind": str(kind)}


def as_objects(label: str) -> dict[str, str]:
    """A model's plural name (``"membership.participant"`` → "peserta"), looked up when read."""
    return {"objects": label}


def _param_text(value: Any) -> str:
    if isinstance(value, Message):
        value = value.as_json()
    if isinstance(value, dict) and isinstance(value.get("id"), str) and set(value) <= {"id", "params"}:
        return render_message(value) or value["id"]
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        try:
            if kind == "label":
                return labels.label(raw)
            if kind == "date":
                return formatting.date(dt.date.fromisoformat(raw))
            if kind == "month":
                return formatting.month(dt.date.fromisoformat(raw))
            if kind == "rupiah":
                return formatting.rupiah(raw)
            if kind == "file_kind":
                found = KINDS.get(raw)
                return str(found.label) if found is not None else labels.label(raw)
            if kind == "objects":
                return str(apps.get_model(raw)._meta.verbose_name_plural)
        except (LookupError, TypeError, ValueError):
            return str(raw)
    if isinstance(value, bool) or value is None:
        return str(value) if value is not None else "—"
    if isinstance(value, int):
        return formatting.number(value)
    if isinstance(value, list):
        return ", ".join(_param_text(v) for v in value)
    return str(value)


def render_message(stored: dict[str, Any] | None) -> str | None:
    """A stored ``{"id", "params"}`` summary in the active language; None when it cannot be."""
    if not isinstance(stored, dict) or not isinstance(stored.get("id"), str):
        return None
    params = stored.get("params") or {}
    try:
        return gettext(stored["id"]) % {k: _param_text(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return None


def summary_text(event: AuditEvent) -> str:
    """What an event's summary says, in the active language: its message rendered now, or for
    an event written before messages were kept, its stored text (translated when the whole text
    is a message of the catalogue)."""
    shown = render_message(event.summary_message)
    if shown is not None:
        return shown
    return gettext(event.summary) if event.summary else ""


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    changes: dict[str, Any] | None = None,
    summary: str | Message = "",
    sponsor_id: int | None = None,
) -> AuditEvent:
    """Write one audit event. ``summary`` is best a :class:`Message` (shown in the reader's
    language); its text in the site's language is kept beside it for readers of the raw row."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr if object_repr is not None else str(obj)
    stored_message = None
    if isinstance(summary, Message):
        stored_message = summary.as_json()
        summary = summary.text()
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
        summary_message=stored_message,
        sponsor_id_ref=sponsor_id,
    )


def purge(*, before: dt.date, actor=None) -> int:
    """Delete the audit events older than ``before`` (a retention purge), then record the purge
    itself as an event, which stays. On PostgreSQL only the tables' owner may; the application's
    role is refused (docs/security.md)."""
    from django.db import DatabaseError, transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from lindung.core.errors import ServiceError

    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    try:
        with transaction.atomic(), purge_permitted():
            events = AuditEvent.objects.filter(at__lt=cutoff)
            count = events.count()
            events._raw_delete(events.db)
    except DatabaseError:
        raise ServiceError(
            "purge_refused",
            _("The database refused to purge the audit trail: run the purge connected as the database owner, not the application's role."),
            status=403,
        ) from None
    record(
        actor=actor,
        action="audit.purge",
        object_type="core.auditevent",
        summary=Message(gettext_noop("%(count)s events before %(date)s deleted"), count=count, date=as_date(before)),
        changes={"before": before, "deleted": count},
    )
    return count
