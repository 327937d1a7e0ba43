"""Indonesian working days: public holidays from the `holidays` package plus the joint leave days parameter."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.rules import LatePaymentCase, add_working_days, late_payment_compensation, load_parameters, payment_deadline, working_calendar


def test_idul_fitri_2024_public_holidays_and_joint_leave_days() -> None:
    calendar = working_calendar()
    off = calendar.days_off(2024)
    assert off[date(2024, 4, 10)].kind == "public_holiday"
    assert off[date(2024, 4, 11)].kind == "public_holiday"
    assert [d for d in off if off[d].kind == "joint_leave" and d.month == 4] == [date(2024, 4, d) for d in (8, 9, 12, 15)]
    assert "855/2023" in off[date(2024, 4, 8)].reference
    # Thursday 4 April + 3 working days: Friday 5, Tuesday 16, Wednesday 17 April
    assert add_working_days(date(2024, 4, 4), 3) == date(2024, 4, 17)
    assert calendar.working_days_between(date(2024, 4, 4), date(2024, 4, 17)) == 3
    assert not calendar.is_working_day(date(2024, 4, 13))  # a Saturday
    assert calendar.is_working_day(date(2024, 4, 16))


def test_a_further_day_off_is_added_to_the_calendar() -> None:
    # Monday 2024-02-19 + 3: 20, 21, 22 February; with 21 February off: 20, 22, 23 February
    assert add_working_days(date(2024, 2, 19), 3) == date(2024, 2, 22)
    assert add_working_days(date(2024, 2, 19), 3, [date(2024, 2, 21)]) == date(2024, 2, 23)


def test_zero_days_is_the_start_and_a_weekend_start_counts_from_monday() -> None:
    assert add_working_days(date(2024, 2, 17), 0) == date(2024, 2, 17)
    # Saturday 17 February 2024 + 1 working day = Monday 19 February
    assert add_working_days(date(2024, 2, 17), 1) == date(2024, 2, 19)
    with pytest.raises(ValueError):
        working_calendar().add_working_days(date(2024, 2, 17), -1)


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_joint_leave_days_agree_with_the_holidays_package(year: int) -> None:
    # Two independent readings of the same decrees: the parameter file (SKB references) and the `holidays`
    # package's government category. A difference means one of them must be checked against the decree.
    ours = {row["date"] for row in load_parameters().value("calendar.joint_leave_days", date(year, 1, 1))}
    theirs = set(holidays.country_holidays("ID", years=year, categories=("government",)))
    assert ours == theirs


def test_every_configured_year_lists_only_its_own_dates() -> None:
    parameter = load_parameters().parameter("calendar.joint_leave_days")
    for entry in parameter.entries[1:]:
        assert entry.effective == date(entry.effective.year, 1, 1)
        assert entry.value and all(row["date"].year == entry.effective.year for row in entry.value), entry.effective


def test_payment_deadline_jkm_and_jkk() -> None:
    jkm = payment_deadline("JKM", date(2024, 4, 4))
    assert (jkm.working_days, jkm.deadline) == (3, date(2024, 4, 17))
    assert jkm.reference == "PP 44/2015 Pasal 40"
    assert len(jkm.days_off) == 6
    jkk = payment_deadline("JKK", date(2024, 4, 5))
    assert (jkk.working_days, jkk.deadline) == (7, date(2024, 4, 24))
    data = jkk.to_dict()
    assert data["deadline"] == "2024-04-24" and data["days_off"][0] == {
        "date": "2024-04-08",
        "kind": "joint_leave",
        "name": "Cuti Bersama Idul Fitri",
        "reference": jkk.days_off[0].reference,
        "confirmed": True,
    }


def test_joint_leave_days_are_configurable(tmp_path: Path) -> None:
    extra = tmp_path / "leave"
    extra.mkdir()
    (extra / "leave.yaml").write_text(
        "parameters:\n  calendar.joint_leave_days:\n    values:\n      2027-01-01:\n"
        "        reference: SKB tentang Cuti Bersama Tahun 2027 (test)\n"
        "        value:\n          - {date: 2027-03-02, name: Cuti Bersama (test), confirmed: true}\n",
        encoding="utf-8",
    )
    params = load_parameters([extra])
    # Monday 2027-03-01 + 3: with 2 March off → 3, 4, 5 March
    assert payment_deadline("JKM", date(2027, 3, 1), params).deadline == date(2027, 3, 5)
    assert payment_deadline("JKM", date(2027, 3, 1)).deadline == date(2027, 3, 4)
    result = late_payment_compensation(LatePaymentCase("JKM", 42_000_000, date(2027, 3, 1), date(2027, 3, 8)), params)
    assert result.facts["days_late"] == 3 and result.total == 1_260_000
    assert not any("not configured" in u for u in result.unconfirmed)


@given(start=st.dates(date(2023, 1, 1), date(2026, 12, 1)), days=st.integers(0, 15))
def test_the_deadline_is_a_working_day_exactly_n_working_days_later(start: date, days: int) -> None:
    calendar = working_calendar()
    end = calendar.add_working_days(start, days)
    assert calendar.working_days_between(start, end) == days
    if days:
        assert calendar.is_working_day(end)
        assert end - start >= timedelta(days=days)
        # the day before the deadline leaves one working day still to count
        assert calendar.working_days_between(start, end - timedelta(days=1)) == days - 1
