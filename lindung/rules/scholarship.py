"""Children's scholarship (beasiswa pendidikan anak): entitlement and yearly schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

from .cases import Child, ScholarshipCase
from .params import ParameterSet, ParameterView, load_parameters
from .results import CaseError, ChildScholarship, Reason, ScholarshipResult, ScholarshipYear, parameter_uses

__all__ = ["age_on", "scholarship_for", "scholarship_schedule"]


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age on ``on`` (someone born on 29 February ages on 1 March)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def scholarship_schedule(case: ScholarshipCase, params: ParameterSet | None = None) -> ScholarshipResult:
    """Scholarship per child and year, by the regulation in force on the event date."""
    parameters = params or load_parameters()
    return scholarship_for(case, parameters.at(case.event_date), parameters)


def _reason(code: str, text_id: str, text_en: str, reference: str | None = None) -> Reason:
    return Reason(code, text_id, text_en, reference)


def _participant_reasons(case: ScholarshipCase, view: ParameterView) -> list[Reason]:
    if case.program is None or case.contribution_months is None:
        return []
    name = f"scholarship.{case.program.lower()}_min_contribution_months"
    minimum = view[name]
    if case.contribution_months < minimum:
        return [
            _reason(
                "contribution_months_below_minimum",
                f"Masa iur {case.contribution_months} bulan, kurang dari {minimum} bulan",
                f"Contribution period {case.contribution_months} months, below the required {minimum} months",
                view.ref(name),
            )
        ]
    return []


def _child_reasons(child: Child, case: ScholarshipCase, view: ParameterView, as_of_view: ParameterView) -> list[Reason]:
    reasons = []
    limit = view["scholarship.age_limit"]
    if limit is not None and age_on(child.birth_date, case.event_date) >= limit:
        reasons.append(
            _reason("child_over_age_limit", f"Anak sudah berusia {limit} tahun", f"The child has reached {limit}", view.ref("scholarship.age_limit"))
        )
    if child.married:
        reasons.append(_reason("child_married", "Anak sudah menikah", "The child is married", view.ref("scholarship.age_limit")))
    if child.working:
        max_months = as_of_view["scholarship.working_student_max_months"]
        keeps = as_of_view["scholarship.working_student_bpu_or_apprentice_keeps"]
        exempt = child.level is not None and (
            (max_months is not None and child.work_months <= max_months) or (keeps and (child.bpu_worker or child.apprentice))
        )
        if not exempt:
            reasons.append(
                _reason(
                    "child_working",
                    "Anak sudah bekerja (bukan pengecualian pelajar yang bekerja)",
                    "The child works (not the working-student exception)",
                    as_of_view.ref("scholarship.working_student_max_months"),
                )
            )
    return reasons


def _school_year_start(on: date, start_month: int) -> date:
    return date(on.year if on.month >= start_month else on.year - 1, start_month, 1)


def _bands(view: ParameterView) -> list[Any]:
    return list(view["scholarship.school_ages"])


def _placement(child: Child, first_year: date, event_date: date, view: ParameterView) -> tuple[int | None, int, str, date]:
    """Where the schedule starts: (level index or None, year in level, how it was found, school year start).

    A given level is used as given. Otherwise the child is placed by age on the school-age bands
    (never at TK by default); a child younger than the first band, or one recorded as not in school,
    enters the first level in the first school year starting on or after the event once old enough."""
    levels = view["scholarship.levels"]
    names = [row["level"] for row in levels]
    if child.level is not None:
        return names.index(child.level), child.year_in_level, "given", first_year
    bands = _bands(view)
    entry_age = bands[0]["from_age"]
    age = age_on(child.birth_date, first_year)
    if child.in_school is not False and age >= entry_age:
        for band in bands:
            if band["from_age"] <= age <= band["to_age"]:
                if not band["confirmed"]:
                    view.unconfirmed_rows.append(f"scholarship.school_ages[{band['level']}]")
                index = names.index(band["level"])
                year = min(max(age - band["from_age"] + 1, 1), levels[index]["max_years"])
                return index, year, "age", first_year
        return None, 1, "age", first_year  # older than every band: nothing to schedule
    starts = first_year
    while starts < event_date or age_on(child.birth_date, starts) < entry_age:
        starts = date(starts.year + 1, starts.month, starts.day)
    return 0, 1, "not_yet_in_school", starts


def _schedule(child: Child, first_year: date, event_date: date, view: ParameterView) -> tuple[tuple[ScholarshipYear, ...], str]:
    """Years from the school year of the event (or of entering school), one level after the other."""
    levels = view["scholarship.levels"]
    reference = view.ref("scholarship.levels")
    limit = view["scholarship.age_limit"]
    cap = view["scholarship.max_per_child"]
    level_index, year_in_level, source, starts = _placement(child, first_year, event_date, view)
    years: list[ScholarshipYear] = []
    paid = 0
    while level_index is not None and level_index < len(levels):
        age = age_on(child.birth_date, starts)
        if limit is not None and age >= limit:
            break
        row = levels[level_index]
        amount = row["amount"]
        if cap is not None:
            amount = min(amount, cap - paid)
        years.append(ScholarshipYear(f"{starts.year}/{starts.year + 1}", starts, row["level"], year_in_level, age, amount, reference))
        paid += amount
        if cap is not None and paid >= cap:
            break
        year_in_level += 1
        if year_in_level > row["max_years"]:
            level_index, year_in_level = level_index + 1, 1
        starts = date(starts.year + 1, starts.month, starts.day)
    return tuple(years), source


def _ceiling(view: ParameterView, scheme: str) -> int:
    """The regulation's maximum for one entitled child."""
    if scheme != "schedule":
        return view["scholarship.lump_sum_amount"] or 0
    cap = view["scholarship.max_per_child"]
    if cap is not None:
        return cap
    return sum(row["amount"] * row["max_years"] for row in view["scholarship.levels"])


def scholarship_for(case: ScholarshipCase, view: ParameterView, parameters: ParameterSet) -> ScholarshipResult:
    """Scholarship using an existing parameter view (so a benefit records one set of parameters)."""
    scheme = view["scholarship.scheme"]
    as_of_view = parameters.at(case.as_of) if case.as_of is not None and case.as_of != view.on else view
    level_names = [row["level"] for row in view["scholarship.levels"]]
    for index, child in enumerate(case.children):
        if child.level is not None and scheme == "schedule" and child.level not in level_names:
            raise CaseError({f"children.{index}.level": f"not one of {', '.join(level_names)}"})
        if child.level is not None and child.in_school is False:
            raise CaseError({f"children.{index}.in_school": "a child with a current school level is in school"})
        if child.level is not None and scheme == "schedule":
            max_years = view["scholarship.levels"][level_names.index(child.level)]["max_years"]
            if not 1 <= child.year_in_level <= max_years:
                raise CaseError({f"children.{index}.year_in_level": f"must be between 1 and {max_years} for {child.level}"})
    participant = _participant_reasons(case, view)
    max_children = view["scholarship.max_children"]
    first_year = _school_year_start(case.event_date, view["scholarship.school_year_start_month"]) if case.children else case.event_date
    children = []
    selected = 0
    for index, child in enumerate(case.children):
        reasons = _child_reasons(child, case, view, as_of_view)
        if not reasons and selected >= max_children:
            reasons.append(
                _reason(
                    "max_children_reached",
                    f"Beasiswa paling banyak untuk {max_children} anak",
                    f"The scholarship is limited to {max_children} children",
                    view.ref("scholarship.max_children"),
                )
            )
        years: tuple[ScholarshipYear, ...] = ()
        source: str | None = None
        if not reasons:
            selected += 1
            if scheme == "schedule":
                years, source = _schedule(child, first_year, case.event_date, view)
            else:
                amount = view["scholarship.lump_sum_amount"]
                years = (
                    ScholarshipYear(
                        f"{first_year.year}/{first_year.year + 1}",
                        first_year,
                        child.level or "-",
                        1,
                        age_on(child.birth_date, first_year),
                        amount,
                        view.ref("scholarship.lump_sum_amount"),
                    ),
                )
        ceiling = _ceiling(view, scheme) if not reasons and not participant else 0
        children.append(ChildScholarship(index, child.id, child.birth_date, not reasons, tuple(reasons), years, source, ceiling))
    if as_of_view is not view:
        view.used.update({k: v for k, v in as_of_view.used.items() if k not in view.used})
    return ScholarshipResult(
        eligible=not participant,
        reasons=tuple(participant),
        scheme=scheme,
        children=tuple(children),
        parameters=parameter_uses(view),
        parameter_version=parameters.version,
        unconfirmed_rows=tuple(dict.fromkeys(view.unconfirmed_rows)),
    )
