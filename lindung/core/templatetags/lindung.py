import datetime as dt

from django import template
from django.apps import apps

from lindung.core import audit, formatting, labels

register = template.Library()


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    return labels.label(value) if isinstance(value, str) else str(value)


@register.filter
def audit_change(value) -> str:
    """An audit ``changes`` value: ``[before, after]`` → ``before → after``; anything else as is."""
    if isinstance(value, list) and len(value) == 2:
        return f"{_show(value[0])} → {_show(value[1])}"
    return _show(value)


@register.filter
def audit_summary(event) -> str:
    """An audit event's summary in the reader's language (``lindung.core.audit.summary_text``)."""
    return audit.summary_text(event)


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type and "." in object_type else None
    except (LookupError, ValueError):
        return None


@register.filter
def object_kind(object_type: str) -> str:
    """``membership.participant`` → the model's name in words ("peserta"); else as stored."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else (object_type or "")


@register.filter
def audit_field(name: str, object_type: str = "") -> str:
    """A key of an audit event's ``changes``: the field's name in words when the event's object
    has that field (``status`` → "status", ``agreement_id`` → "perjanjian"), else as stored."""
    model = _model(object_type)
    if model is not None:
        for f in model._meta.concrete_fields:
            if name in (f.name, f.attname):
                return str(f.verbose_name)
    return labels.label(name) if name in labels.LABELS else name


@register.filter
def rupiah(value) -> str:
    """``16800`` → ``Rp 16.800`` in the active language (``lindung.core.formatting.rupiah``)."""
    return formatting.rupiah(value)


@register.filter
def number(value) -> str:
    """``6573`` → ``6.573`` in the active language (``lindung.core.formatting.number``)."""
    return formatting.number(value)


@register.filter
def tanggal(value) -> str:
    """A date, or a date kept as ISO text in a job's or import's JSON summary (``"2027-01-01"``),
    in the language's one form: ``1 Januari 2027`` (``lindung.core.formatting.date``)."""
    if isinstance(value, str) and value:
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return formatting.date(value)


@register.filter
def label(value) -> str:
    """A status, reason, job kind or audit action in words (``lindung.core.labels``)."""
    return labels.label(value)
