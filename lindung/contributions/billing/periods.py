"""Billing periods: months and quarters as the first day of the month, ``YYYY-MM`` text."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils.translation import gettext as _

from lindung.core.errors import ServiceError


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: dt.date, n: int) -> dt.date:
    y, m0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m0 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def parse_period(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ServiceError(
            "invalid", _("The period %(period)s is not a month (YYYY-MM).") % {"period": repr(text)}, {"period": "expected YYYY-MM"}
        ) from None


def quarter_months(period: dt.date) -> list[dt.date]:
    first = dt.date(period.year, 3 * ((period.month - 1) // 3) + 1, 1)
    return [first, add_months(first, 1), add_months(first, 2)]
