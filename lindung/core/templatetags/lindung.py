from django import template

register = template.Library()


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    return str(value)


@register.filter
def audit_change(value) -> str:
    """An audit ``changes`` value: ``[before, after]`` → ``before → after``; anything else as is."""
    if isinstance(value, list) and len(value) == 2:
        return f"{_show(value[0])} → {_show(value[1])}"
    return _show(value)


@register.filter
def rupiah(value) -> str:
    """``16800`` → ``Rp16.800`` (Indonesian thousands separator)."""
    if value is None or value == "":
        return "—"
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")
