"""Indonesian working days: Monday to Friday, minus public holidays and the year's joint leave days.

Public holidays (hari libur nasional) come from the maintained ``holidays`` package (country ``ID``,
category ``public``); the joint leave days (cuti bersama) come from the effective-dated parameter
``calendar.joint_leave_days`` (one entry per year, with the year's SKB 3 Menteri as reference), so a
new year's decree is a data change.

    >>> from datetime import date
    >>> calendar = working_calendar()
    >>> calendar.add_working_days(date(2024, 4, 5), 1)  # Idul Fitri 2024: 8–15 April off
    datetime.date(2024, 4, 16)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import holidays as holidays_package

from .params import ParameterSet, load_parameters

__all__ = ["DayOff", "WorkingCalendar", "public_holidays", "working_calendar"]

JOINT_LEAVE = "calendar.joint_leave_days"


@dataclass(frozen=True, slots=True)
class DayOff:
    """A weekday that is not a working day, and why."""

    on: date
    kind: str  # "public_holiday" | "joint_leave" | "extra"
    name: str
    reference: str
    confirmed: bool = True


@lru_cache(maxsize=64)
def public_holidays(year: int) -> MappingProxyType[date, str]:
    """Indonesia's public holidays of ``year`` (names in Indonesian) from the ``holidays`` package."""
    found = holidays_package.country_holidays("ID", years=year, language="id")
    return MappingProxyType(dict(sorted(found.items())))


def _package_reference() -> str:
    return f"holidays {holidays_package.__version__} (ID, public)"


@dataclass(slots=True)
class WorkingCalendar:
    """Working days by the Indonesian calendar; ``extra`` adds further days off (e.g. a regional holiday)."""

    parameters: ParameterSet
    extra: frozenset[date] = frozenset()
    _years: dict[int, MappingProxyType[date, DayOff]] = field(default_factory=dict)

    def days_off(self, year: int) -> MappingProxyType[date, DayOff]:
        """The weekdays of ``year`` that are not working days (weekends are never listed)."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        found: dict[date, DayOff] = {}
        reference = _package_reference()
        for on, name in public_holidays(year).items():
            if on.weekday() < 5:
                found[on] = DayOff(on, "public_holiday", name, reference)
        entry, configured = self.joint_leave_entry(year)
        if configured:
            for row in entry.value:
                on = row["date"]
                if on.year == year and on.weekday() < 5 and on not in found:
                    found[on] = DayOff(on, "joint_leave", row["name"], entry.reference, row["confirmed"])
        for on in self.extra:
            if on.year == year and on.weekday() < 5 and on not in found:
                found[on] = DayOff(on, "extra", "Hari libur tambahan", "given with the case")
        result = MappingProxyType(dict(sorted(found.items())))
        self._years[year] = result
        return result

    def joint_leave_entry(self, year: int) -> tuple[Any, bool]:
        """The parameter entry for ``year`` and whether it lists that year (False: not configured)."""
        parameter = self.parameters.parameter(JOINT_LEAVE)
        start = date(year, 1, 1)
        if start < parameter.dates[0]:
            return parameter.entries[0], False
        entry = parameter.at(start)
        return entry, entry.effective.year == year

    def is_working_day(self, on: date) -> bool:
        return on.weekday() < 5 and on not in self.days_off(on.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def days_off_between(self, start: date, end: date) -> tuple[DayOff, ...]:
        """Weekday days off after ``start`` up to and including ``end``."""
        found: list[DayOff] = []
        for year in range(start.year, end.year + 1):
            found.extend(d for on, d in self.days_off(year).items() if start < on <= end)
        return tuple(found)

    def unconfirmed_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years between the two dates whose joint leave days are not configured."""
        return tuple(y for y in range(start.year, end.year + 1) if not self.joint_leave_entry(y)[1])


def working_calendar(params: ParameterSet | None = None, extra: Iterable[date] = ()) -> WorkingCalendar:
    """The Indonesian working calendar on the given (default: built-in) parameters."""
    return WorkingCalendar(params or load_parameters(), frozenset(extra))
