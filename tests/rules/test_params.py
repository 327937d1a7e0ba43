"""The parameter loader: validation errors name the file and key; amendments are data only."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lindung.rules import BenefitCase, ContributionCase, ParameterError, calculate_benefit, calculate_contribution, load_parameters
from lindung.rules.params import BUILTIN_DIR, REQUIRED_PARAMETERS, NotInForce


def _copy_builtin(tmp_path: Path) -> Path:
    target = tmp_path / "base"
    shutil.copytree(BUILTIN_DIR, target)
    return target


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_parameters_load_once_per_process() -> None:
    first = load_parameters()
    assert first is load_parameters()
    assert set(REQUIRED_PARAMETERS) <= set(first.parameters)
    assert len(first.version) == 16


def test_rates_are_decimals_parsed_from_strings() -> None:
    ps = load_parameters()
    assert ps.value("contribution.pu.jkm_rate", date(2024, 1, 1)) == Decimal("0.0030")
    rows = ps.value("contribution.pu.jkk_risk_classes", date(2024, 1, 1))
    assert {r["risk_class"]: r["rate"] for r in rows}["high"] == Decimal("0.0127")


def test_every_value_has_a_reference_and_both_regulation_periods_exist() -> None:
    ps = load_parameters()
    for parameter in ps.parameters.values():
        assert all(entry.reference for entry in parameter.entries), parameter.name
    for name in ("jkm.lump_sum", "jkm.funeral", "jkk.transport_caps", "claim.jkk_expiry_years", "scholarship.scheme"):
        assert date(2019, 12, 2) in ps.parameter(name).dates
        assert date(2015, 7, 1) in ps.parameter(name).dates


def test_value_in_force_switches_on_the_amendment_date() -> None:
    ps = load_parameters()
    assert ps.value("jkm.lump_sum", date(2019, 12, 1)) == 16_200_000
    assert ps.value("jkm.lump_sum", date(2019, 12, 2)) == 20_000_000
    with pytest.raises(NotInForce):
        ps.value("jkm.lump_sum", date(2015, 6, 30))


def test_confirmed_disability_rows_are_marked() -> None:
    rows = load_parameters().value("jkk.partial_disability_table", date(2024, 1, 1))
    confirmed = {r["item"]: r["percent"] for r in rows if r["confirmed"]}
    assert confirmed == {
        "both_eyes": Decimal("0.70"),
        "one_eye": Decimal("0.35"),
        "deafness_both_ears": Decimal("0.40"),
        "deafness_one_ear": Decimal("0.20"),
        "outer_ear_one": Decimal("0.05"),
        "outer_ear_both": Decimal("0.10"),
        "loss_of_smell": Decimal("0.10"),
        "arm_from_shoulder_right": Decimal("0.40"),
        "arm_from_shoulder_left": Decimal("0.35"),
    }
    assert any(not r["confirmed"] for r in rows)


GOOD = """\
description: test
parameters:
  test.amount:
    description: an amount
    type: money
    values:
      2020-01-01: {value: 1000, reference: Test 1/2020 Pasal 1}
"""


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (GOOD.replace("    type: money", "    type: money\n    colour: red"), "test.amount.colour", "unknown key"),
        (
            GOOD.replace("{value: 1000, reference: Test 1/2020 Pasal 1}", "{value: 1000}"),
            "test.amount.values.2020-01-01.reference",
            "missing reference",
        ),
        (GOOD + "      2020-01-01: {value: 2000, reference: Test 2/2020}\n", "line", "duplicate key 2020-01-01"),
        (
            GOOD.replace("type: money", "type: rate").replace("value: 1000", "value: 0.5"),
            "test.amount.values.2020-01-01.value",
            "quoted decimal string",
        ),
        (GOOD.replace("value: 1000", "value: '1000'"), "test.amount.values.2020-01-01.value", "must be an integer"),
        (GOOD.replace("    type: money", "    type: money\n    unconfirmed: true"), "test.amount.note", "needs a note"),
        (GOOD.replace("2020-01-01:", "2020-13-01:"), "test.amount.values.2020-13-01", "not a date"),
        # One effective date written twice in another ISO spelling must not slip past the duplicate check.
        (GOOD + "      '20200101': {value: 2000, reference: Test 2/2020}\n", "test.amount.values.20200101", "not a date"),
        (GOOD.replace("test.amount:", "Test Amount:"), "Test Amount", "dotted lower-case"),
        (GOOD.replace("description: test\n", "description: test\nversion: 2\n"), "version", "unknown key"),
    ],
)
def test_invalid_files_name_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    base = _copy_builtin(tmp_path)
    _write(base, "zz_test.yaml", text)
    with pytest.raises(ParameterError) as info:
        load_parameters(base_dir=base)
    assert info.value.source.endswith("zz_test.yaml")
    assert info.value.key.startswith(key)
    assert problem in info.value.problem
    assert "zz_test.yaml" in str(info.value)


def test_invalid_table_row_names_the_row(tmp_path: Path) -> None:
    base = _copy_builtin(tmp_path)
    path = base / "jkk.yaml"
    path.write_text(path.read_text().replace("{mode: sea, cap: 2000000}", "{mode: sea, cap: 2000000, max: 1}"))
    with pytest.raises(ParameterError, match=r"jkk.yaml: jkk.transport_caps.values.2019-12-02.value\[1\].max: unknown key"):
        load_parameters(base_dir=base)


def test_same_parameter_in_two_builtin_files_is_an_error(tmp_path: Path) -> None:
    base = _copy_builtin(tmp_path)
    _write(base, "zz_dup.yaml", GOOD.replace("test.amount", "jkm.lump_sum"))
    with pytest.raises(ParameterError, match=r"jkm\.lump_sum: already defined in parameters/jkm\.yaml"):
        load_parameters(base_dir=base)


def test_missing_required_parameter(tmp_path: Path) -> None:
    base = _copy_builtin(tmp_path)
    (base / "heirs.yaml").unlink()
    with pytest.raises(ParameterError, match=r"heirs\.priority_classes: required parameter is missing"):
        load_parameters(base_dir=base)


FUTURE_AMENDMENT = """\
description: A hypothetical future amendment raising the JKM benefits (test only).
parameters:
  jkm.lump_sum:
    values:
      2030-01-01: {value: 30000000, reference: PP 99/2029 (hypothetical)}
  jkm.funeral:
    values:
      2030-01-01: {value: 15000000, reference: PP 99/2029 (hypothetical)}
"""


def test_future_amendment_is_data_only(tmp_path: Path) -> None:
    extra = tmp_path / "amendment"
    _write(extra, "pp-99-2029.yaml", FUTURE_AMENDMENT)
    amended = load_parameters([extra])
    assert amended.version != load_parameters().version
    after = calculate_benefit(BenefitCase(program="JKM", event_date=date(2030, 1, 1)), amended)
    before = calculate_benefit(BenefitCase(program="JKM", event_date=date(2029, 12, 31)), amended)
    # after: 30,000,000 + 24 × 500,000 + 15,000,000 = 57,000,000; before: 20,000,000 + 12,000,000 + 10,000,000
    assert after.total == 57_000_000
    assert before.total == 42_000_000
    used = {p.name: p for p in after.parameters}
    assert used["jkm.lump_sum"].effective == date(2030, 1, 1)
    assert used["jkm.lump_sum"].reference == "PP 99/2029 (hypothetical)"
    # The JKK death floor follows the amended JKM lump sum: 48 × 500,000 = 24,000,000 < 30,000,000.
    jkk = calculate_benefit(BenefitCase(program="JKK", outcome="death", event_date=date(2030, 6, 1), wage=500_000), amended)
    assert jkk.components[0].amount == 30_000_000


def test_future_rate_change_applies_to_contributions(tmp_path: Path) -> None:
    extra = tmp_path / "amendment"
    _write(
        extra,
        "bpu.yaml",
        """\
parameters:
  contribution.bpu.jkm_amount:
    values:
      2031-01-01: {value: 8000, reference: Permenaker 9/2030 (hypothetical)}
""",
    )
    amended = load_parameters([extra])
    case = ContributionCase(segment="BPU", on=date(2031, 1, 1), wage=1_000_000)
    assert calculate_contribution(case, amended).total == 18_000  # 10,000 + 8,000
    assert calculate_contribution(ContributionCase(segment="BPU", on=date(2030, 12, 31), wage=1_000_000), amended).total == 16_800


def test_extension_may_not_overlap_an_existing_date(tmp_path: Path) -> None:
    extra = tmp_path / "bad"
    _write(extra, "x.yaml", FUTURE_AMENDMENT.replace("2030-01-01: {value: 30000000", "2019-12-02: {value: 30000000"))
    with pytest.raises(ParameterError, match=r"jkm.lump_sum.values.2019-12-02: overlaps the value of the same date in parameters/jkm.yaml"):
        load_parameters([extra])


def test_extension_may_not_change_the_type(tmp_path: Path) -> None:
    extra = tmp_path / "bad"
    _write(extra, "x.yaml", "parameters:\n  jkm.lump_sum:\n    type: rate\n    values:\n      2030-01-01: {value: '1', reference: X}\n")
    with pytest.raises(ParameterError, match=r"jkm\.lump_sum\.type: differs"):
        load_parameters([extra])


def test_school_age_bands_cover_every_level_in_order_without_gaps() -> None:
    ps = load_parameters()
    for on in ps.parameter("scholarship.levels").dates:
        levels = [row["level"] for row in ps.value("scholarship.levels", on)]
        if not levels:
            continue
        bands = ps.value("scholarship.school_ages", on)
        assert [b["level"] for b in bands] == levels
        for before, after in itertools.pairwise(bands):
            assert after["from_age"] == before["to_age"] + 1
        assert bands[0]["from_age"] == 4 and bands[1]["from_age"] == 7
