"""Report periods: a month (``2024-03``), a quarter (``2024-Q1``) or a year (``2024``).

A period is named by its code, which the web page, the API and the CLI all take; it runs from the
first day of its first month to the last day of its last month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lindung.core import formatting
from lindung.core.errors import ServiceError
from lindung.rules.months import add_months, month_end

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4])))?$")


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def code(self) -> str:
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def months(self) -> int:
        return {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]

    @property
    def last_month(self) -> dt.date:
        return self.end.replace(day=1)

    @property
    def label(self) -> str:
        """The period in words, in the active language (``Triwulan I 2024``, ``Maret 2024``)."""
        if self.kind == YEAR:
            return _("Year %(year)s") % {"year": self.start.year}
        if self.kind == QUARTER:
            quarter = ("I", "II", "III", "IV")[(self.start.month - 1) // 3]
            return _("Quarter %(quarter)s %(year)s") % {"quarter": quarter, "year": self.start.year}
        return formatting.month(self.start)

    def shifted(self, steps: int) -> Period:
        return period_of(self.kind, add_months(self.start, steps * self.months))

    @property
    def previous(self) -> Period:
        return self.shifted(-1)

    @property
    def next(self) -> Period:
        return self.shifted(1)


def period_of(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that holds ``day``."""
    if kind == YEAR:
        start = dt.date(day.year, 1, 1)
    elif kind == QUARTER:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == MONTH:
        start = day.replace(day=1)
    else:
        raise ServiceError("invalid_period", _("A period is a month, a quarter or a year."), {"kind": kind})
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
    return Period(kind, start, month_end(add_months(start, months - 1)))


def parse_period(code: str | None, *, today: dt.date | None = None) -> Period:
    """``2024-03`` (a month), ``2024-Q1`` (a quarter), ``2024`` (a year); empty: this quarter."""
    today = today or dt.date.today()
    if not code:
        return period_of(QUARTER, today)
    m = _CODE.match(str(code).strip())
    if m is None:
        raise ServiceError(
            "invalid_period",
            _("Give the period as a month (2024-03), a quarter (2024-Q1) or a year (2024)."),
            {"period": str(code)[:20]},
        )
    year = int(m["year"])
    if not 2000 <= year <= 2200:
        raise ServiceError("invalid_period", _("The year %(year)s is out of range.") % {"year": year}, {"period": str(code)[:20]})
    if m["quarter"]:
        return period_of(QUARTER, dt.date(year, (int(m["quarter"]) - 1) * 3 + 1, 1))
    if m["month"]:
        month = int(m["month"])
        if not 1 <= month <= 12:
            raise ServiceError("invalid_period", _("A month runs from 01 to 12."), {"period": str(code)[:20]})
        return period_of(MONTH, dt.date(year, month, 1))
    return period_of(YEAR, dt.date(year, 1, 1))
