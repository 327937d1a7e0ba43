from django import template

from lindung.core import formatting, labels

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
def rupiah(value) -> str:
    """``16800`` → ``Rp 16.800`` in the active language (``lindung.core.formatting.rupiah``)."""
    return formatting.rupiah(value)


@register.filter
def number(value) -> str:
    """``6573`` → ``6.573`` in the active language (``lindung.core.formatting.number``)."""
    return formatting.number(value)


@register.filter
def label(value) -> str:
    """A status, reason, job kind or audit action in words (``lindung.core.labels``)."""
    return labels.label(value)
