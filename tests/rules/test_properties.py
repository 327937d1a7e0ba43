"""Property-based tests (hypothesis) over the calculators."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.rules import (
    BenefitCase,
    Child,
    ContributionCase,
    DisabilityItem,
    Transport,
    calculate_benefit,
    calculate_contribution,
    claim_expiry_date,
    load_parameters,
)

PP82 = date(2019, 12, 2)
PARAMS = load_parameters()
BRACKETS = PARAMS.value("contribution.jakon.brackets", date(2024, 1, 1))
EDGES = [row["up_to"] for row in BRACKETS if row["up_to"] is not None]
ITEMS = [row["item"] for row in PARAMS.value("jkk.partial_disability_table", date(2024, 1, 1))]

dates = st.dates(min_value=date(2015, 7, 1), max_value=date(2040, 12, 31))
wages = st.integers(min_value=1, max_value=200_000_000)
outcomes = st.sampled_from(["death", "total_disability", "partial_disability", "temporary_incapacity", "medical"])


@st.composite
def jkk_cases(draw: st.DrawFn, wage: int | None = None) -> BenefitCase:
    outcome = draw(outcomes)
    on = draw(st.dates(min_value=PP82, max_value=date(2040, 12, 31)) if outcome == "medical" else dates)
    disabilities = tuple(
        DisabilityItem(draw(st.sampled_from(ITEMS)), draw(st.integers(1, 100)))
        for _ in range(draw(st.integers(1 if outcome == "partial_disability" else 0, 3)))
    )
    return BenefitCase(
        program="JKK",
        event_date=on,
        outcome=outcome,
        wage=wage if wage is not None else draw(wages),
        disabilities=disabilities,
        left_handed=draw(st.booleans()),
        incapacity_months=draw(st.integers(1 if outcome == "temporary_incapacity" else 0, 40)),
        transport=tuple(
            Transport(draw(st.sampled_from(["land", "sea", "air"])), draw(st.integers(0, 20_000_000))) for _ in range(draw(st.integers(0, 3)))
        ),
        home_care=draw(st.integers(0, 30_000_000)) if on >= PP82 else 0,
        children=tuple(Child(birth_date=draw(st.dates(date(1995, 1, 1), on))) for _ in range(draw(st.integers(0, 3)))),
    )


@given(
    segment=st.sampled_from(["PU", "BPU", "JAKON"]),
    on=dates,
    wage=wages,
    risk=st.sampled_from(["very_low", "low", "medium", "high", "very_high"]),
    contract=st.integers(1, 50_000_000_000),
    jkp=st.booleans(),
    jht=st.booleans(),
    use_wage=st.booleans(),
)
def test_contribution_total_is_the_sum_of_components(segment, on, wage, risk, contract, jkp, jht, use_wage) -> None:
    programs = ("JKK", "JKM", "JHT") if segment == "BPU" and jht else ("JKK", "JKM")
    case = ContributionCase(
        segment=segment,
        on=on,
        programs=programs,
        wage=wage if segment != "JAKON" or use_wage else None,
        risk_class=risk if segment == "PU" else None,
        contract_value=contract if segment == "JAKON" and not use_wage else None,
        jkp=jkp and segment == "PU",
    )
    data = calculate_contribution(case).to_dict()
    assert data["total"] == sum(c["amount"] for c in data["components"])
    assert all(c["amount"] >= 0 for c in data["components"])


@given(on=dates, wage=st.integers(1_000, 200_000_000), risk=st.sampled_from(["very_low", "low", "medium", "high", "very_high"]))
def test_jkp_reallocation_never_changes_the_employer_total(on, wage, risk) -> None:
    plain = calculate_contribution(ContributionCase(segment="PU", on=on, wage=wage, risk_class=risk))
    split = calculate_contribution(ContributionCase(segment="PU", on=on, wage=wage, risk_class=risk, jkp=True))
    assert split.total == plain.total
    assert (len(split.components) == 3) == (on >= date(2023, 10, 6))


@given(case=jkk_cases())
def test_benefit_total_is_the_sum_of_components(case: BenefitCase) -> None:
    data = calculate_benefit(case).to_dict()
    assert data["total"] == sum(c["amount"] for c in data["components"])
    if data["scholarship"] is not None:
        scholarship = data["scholarship"]
        assert scholarship["projected_total"] == sum(c["total"] for c in scholarship["children"] if c["eligible"])
        assert scholarship["max_total"] == sum(c["max_total"] for c in scholarship["children"] if c["eligible"])
        assert scholarship["projected_total"] <= scholarship["max_total"]
        assert all(c["total"] <= c["max_total"] <= 87_000_000 for c in scholarship["children"] if c["eligible"])


@given(data=st.data(), low=wages, extra=st.integers(0, 100_000_000))
def test_benefits_never_decrease_when_the_wage_rises(data: st.DataObject, low: int, extra: int) -> None:
    case = data.draw(jkk_cases(wage=low))
    higher = BenefitCase(**{**{f: getattr(case, f) for f in case.__slots__}, "wage": low + extra})
    assert calculate_benefit(higher).total >= calculate_benefit(case).total


@given(on=dates, low=st.integers(1, 100_000_000), extra=st.integers(0, 100_000_000), jht=st.booleans())
def test_bpu_contribution_never_decreases_when_income_rises(on, low, extra, jht) -> None:
    programs = ("JKK", "JKM", "JHT") if jht else ("JKK", "JKM")
    a = calculate_contribution(ContributionCase(segment="BPU", on=on, wage=low, programs=programs))
    b = calculate_contribution(ContributionCase(segment="BPU", on=on, wage=low + extra, programs=programs))
    assert b.total >= a.total


@given(on=dates, wage=wages)
def test_jkk_death_benefit_is_never_below_the_jkm_lump_sum(on, wage) -> None:
    jkk = calculate_benefit(BenefitCase(program="JKK", outcome="death", event_date=on, wage=wage))
    jkm = calculate_benefit(BenefitCase(program="JKM", event_date=on))
    death = next(c for c in jkk.components if c.code == "santunan_kematian")
    lump = next(c for c in jkm.components if c.code == "santunan_sekaligus")
    assert death.amount >= lump.amount
    assert death.amount >= wage * 48 or death.amount == lump.amount


@settings(max_examples=200)
@given(edge=st.sampled_from(EDGES), step=st.integers(1, 10_000_000), on=st.dates(date(2015, 7, 1), date(2040, 1, 1)))
def test_construction_premium_is_continuous_at_every_bracket_edge(edge, step, on) -> None:
    def premium(value: int) -> dict[str, int]:
        result = calculate_contribution(ContributionCase(segment="JAKON", on=on, contract_value=value))
        return {c.program or "": c.amount for c in result.components}

    below, at, above = premium(edge - 1), premium(edge), premium(edge + 1)
    further = premium(edge + step)
    rows = {row["up_to"]: i for i, row in enumerate(BRACKETS)}
    lower_row, upper_row = BRACKETS[rows[edge]], BRACKETS[rows[edge] + 1]
    for program in ("JKK", "JKM"):
        column = f"{program.lower()}_rate"
        # One rupiah of contract value moves the premium by at most its rate plus rounding (≤ 1 rupiah).
        assert abs(at[program] - below[program]) <= 1
        assert abs(above[program] - at[program]) <= 1
        # Past the edge only the next slice's rate applies (marginal, no jump): step × next rate ± 1.
        assert abs(further[program] - at[program] - step * upper_row[column]) <= 1
        # Just below the edge the lower slice's rate applies.
        assert abs(at[program] - premium(edge - step)[program] - step * lower_row[column]) <= 1


@given(
    before=st.dates(date(2015, 7, 1), PP82 - timedelta(days=1)),
    after=st.dates(PP82, date(2040, 12, 31)),
)
def test_dates_on_either_side_of_2019_12_02_select_the_right_regulation(before, after) -> None:
    # JKM: 16,200,000 + 4,800,000 + 3,000,000 = 24,000,000 before; 20,000,000 + 12,000,000 + 10,000,000 after.
    assert calculate_benefit(BenefitCase(program="JKM", event_date=before)).total == 24_000_000
    assert calculate_benefit(BenefitCase(program="JKM", event_date=after)).total == 42_000_000
    view_before, view_after = PARAMS.at(before), PARAMS.at(after)
    expiry_before = claim_expiry_date("JKK", before, view_before)
    expiry_after = claim_expiry_date("JKK", after, view_after)
    assert expiry_before is not None and expiry_after is not None
    assert 365 * 2 <= (expiry_before - before).days <= 366 * 2
    assert 365 * 5 <= (expiry_after - after).days <= 366 * 5
    scheme = {p.name: p for p in calculate_benefit(BenefitCase(program="JKM", event_date=after)).parameters}
    assert scheme["jkm.lump_sum"].reference.startswith("PP 82/2019")


# The figures of REGULATION.md (from 2019-12-02), written out independently of the parameter files.
CONFIRMED_TABLE = {
    "both_eyes": 70, "one_eye": 35, "deafness_both_ears": 40, "deafness_one_ear": 20, "outer_ear_one": 5,
    "outer_ear_both": 10, "loss_of_smell": 10, "arm_from_shoulder_right": 40, "arm_from_shoulder_left": 35,
}  # fmt: skip
TRANSPORT_CAPS = {"land": 5_000_000, "sea": 2_000_000, "air": 10_000_000}


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


@given(
    on=st.dates(PP82, date(2040, 12, 31)),
    wage=wages,
    outcome=st.sampled_from(["death", "total_disability", "partial_disability", "temporary_incapacity"]),
    item=st.sampled_from(sorted(CONFIRMED_TABLE)),
    loss=st.integers(1, 100),
    months=st.integers(1, 40),
    trips=st.lists(st.tuples(st.sampled_from(["land", "sea", "air"]), st.integers(0, 15_000_000)), max_size=4),
    home_care=st.integers(0, 30_000_000),
)
def test_jkk_totals_match_the_regulation_figures(on, wage, outcome, item, loss, months, trips, home_care) -> None:
    case = BenefitCase(
        program="JKK",
        event_date=on,
        outcome=outcome,
        wage=wage,
        disabilities=(DisabilityItem(item, loss),) if outcome == "partial_disability" else (),
        incapacity_months=months if outcome == "temporary_incapacity" else 0,
        transport=tuple(Transport(mode, amount) for mode, amount in trips),
        home_care=home_care,
    )
    if outcome == "death":
        expected = max(48 * wage, 20_000_000) + 12_000_000 + 10_000_000
    elif outcome == "total_disability":
        expected = 56 * wage + 12_000_000
    elif outcome == "partial_disability":
        expected = _half_up(CONFIRMED_TABLE[item] * loss * 80 * wage, 100 * 100)
    else:
        expected = _half_up((min(months, 12) * 2 + max(months - 12, 0)) * wage, 2)
    spent: dict[str, int] = {}
    for mode, amount in trips:
        spent[mode] = spent.get(mode, 0) + amount
    expected += sum(min(amount, TRANSPORT_CAPS[mode]) for mode, amount in spent.items())
    expected += min(home_care, 20_000_000)
    assert calculate_benefit(case).total == expected


@given(
    birth=st.dates(date(2001, 1, 1), date(2024, 6, 30)),
    event=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_a_child_without_a_level_is_placed_by_age_never_at_tk_when_school_aged(birth: date, event: date) -> None:
    from lindung.rules import Child, ScholarshipCase, scholarship_schedule
    from lindung.rules.scholarship import age_on

    if birth >= event:
        return
    result = scholarship_schedule(ScholarshipCase(event_date=event, children=(Child(birth_date=birth),)))
    child = result.children[0]
    assert result.projected_total <= result.max_total
    if not child.years:
        return
    first = child.years[0]
    if first.age >= 7:
        assert first.level != "TK"
    if age_on(birth, event) == 12 and child.level_source == "age":
        assert first.level in ("SD", "SMP")
    bands = {"TK": (4, 6), "SD": (7, 12), "SMP": (13, 15), "SMA": (16, 18), "PT": (19, 23)}
    if child.level_source == "age":
        low, high = bands[first.level]
        assert low <= first.age <= high
