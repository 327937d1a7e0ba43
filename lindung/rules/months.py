"""Month arithmetic, once for the whole application (pure Python; the contexts and the kernel use
it too). A month is named by its first day.

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> month_starts(date(2024, 11, 15), date(2025, 2, 1))
    [datetime.date(2024, 11, 1), datetime.date(2024, 12, 1), datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)]
"""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["add_months", "month_end", "month_start", "month_starts", "months_apart", "next_month", "quarter_months"]


def month_start(d: date) -> date:
    """The first day of ``d``'s month."""
    return d.replace(day=1)


def month_end(d: date) -> date:
    """The last day of ``d``'s month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (or earlier, when negative), clipped to the end of a shorter
    month: 31 January + 1 → 29 February in a leap year. The first of a month stays the first."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def months_apart(earlier: date, later: date) -> int:
    """Calendar months from ``earlier``'s month to ``later``'s (days ignored): May → July is 2."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def next_month(d: date) -> date:
    """The first day of the month after ``d``'s."""
    return add_months(month_start(d), 1)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s, both included (empty when
    ``last`` is in an earlier month)."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = next_month(m)
    return out


def quarter_months(d: date) -> list[date]:
    """The three months of ``d``'s calendar quarter."""
    first = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return [first, add_months(first, 1), add_months(first, 2)]
