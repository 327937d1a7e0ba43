"""Reading the values a registration form or API call sends (rupiah amounts, dates) into a dict of
field errors, and raising them as one ``ServiceError``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from lindung.core.errors import ServiceError
from lindung.core.formatting import parse_amount


def as_int(value, field_name: str, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        errors[field_name] = "Required."
        return None
    if isinstance(value, bool):
        errors[field_name] = "Must be a whole number of rupiah."
        return None
    try:
        return parse_amount(value)
    except ValueError:
        errors[field_name] = f"{value!r} is not a whole number of rupiah."
        return None


def as_date(value, field_name: str, errors: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        errors[field_name] = "Required."
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field_name] = f"{value!r} is not a date (YYYY-MM-DD)."
        return None


def raise_invalid(errors: dict[str, str], what: str) -> None:
    """``what`` is the translated sentence head, e.g. ``_("The registration is not valid")``."""
    if errors:
        raise ServiceError(
            "invalid", _("%(what)s: %(details)s") % {"what": what, "details": "; ".join(f"{k}: {v}" for k, v in errors.items())}, errors
        )
