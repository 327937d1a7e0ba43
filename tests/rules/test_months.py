"""The one month-arithmetic module (``lindung.rules.months``)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lindung.rules.months import add_months, month_end, month_start, month_starts, months_apart, next_month, quarter_months


def test_add_months_keeps_the_day_or_clips_it():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert add_months(date(2024, 5, 1), 24) == date(2026, 5, 1)


def test_month_bounds_and_next_month():
    assert month_start(date(2024, 2, 17)) == date(2024, 2, 1)
    assert month_end(date(2024, 2, 17)) == date(2024, 2, 29)
    assert month_end(date(2023, 12, 1)) == date(2023, 12, 31)
    assert next_month(date(2024, 12, 31)) == date(2025, 1, 1)
    assert next_month(date(2024, 1, 31)) == date(2024, 2, 1)


def test_month_starts_and_quarters():
    assert month_starts(date(2024, 11, 15), date(2025, 2, 1)) == [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
    assert month_starts(date(2024, 3, 1), date(2024, 2, 29)) == []
    assert month_starts(date(2024, 3, 31), date(2024, 3, 1)) == [date(2024, 3, 1)]
    assert months_apart(date(2024, 5, 31), date(2024, 7, 1)) == 2
    assert months_apart(date(2024, 12, 1), date(2024, 1, 1)) == -11
    assert quarter_months(date(2024, 8, 20)) == [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=-240, max_value=240))
def test_add_months_moves_whole_months(d, n):
    moved = add_months(d, n)
    assert months_apart(d, moved) == n
    assert moved.day == min(d.day, month_end(moved).day)
    assert next_month(d) == month_end(d) + timedelta(days=1)
