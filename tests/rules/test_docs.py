"""docs/rules.md is generated from the parameter files and must not be stale."""

from __future__ import annotations

from pathlib import Path

from lindung.rules import docs, load_parameters


def test_docs_rules_md_is_up_to_date() -> None:
    expected = docs.render(load_parameters())
    current = docs.DEFAULT_OUTPUT.read_text(encoding="utf-8")
    assert current == expected, "docs/rules.md is stale; run: python -m lindung.rules docs"


def test_docs_list_every_parameter_and_the_unconfirmed_points() -> None:
    text = docs.render(load_parameters())
    for name in load_parameters().parameters:
        assert f"`{name}`" in text
    unconfirmed = text.split("## UNCONFIRMED points", 1)[1].split("## Parameters", 1)[0]
    for name in (
        "scholarship.jkm_min_contribution_months",
        "contribution.bpu.grace_event_policy",
        "contribution.bpu.income_brackets",
        "jkk.partial_disability_table",
        "heirs.split_policy",
    ):
        assert f"`{name}`" in unconfirmed


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "rules.md"
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert docs.main(["--output", str(target)]) == 0
    assert docs.main(["--check", "--output", str(target)]) == 0
    target.write_text(target.read_text() + "edited\n")
    assert docs.main(["--check", "--output", str(target)]) == 1
