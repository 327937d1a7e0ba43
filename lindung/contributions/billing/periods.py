"""Billing periods typed as ``YYYY-MM`` text (the month arithmetic itself is ``lindung.rules.months``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from lindung.core.errors import ServiceError


def parse_period(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ServiceError(
            "invalid", _("The period %(period)s is not a month (YYYY-MM).") % {"period": repr(text)}, {"period": "expected YYYY-MM"}
        ) from None
