"""Every worked example of REGULATION.md as a data-driven case, run through the CLI contract."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import assert_subset, load_cases, run_cli

CASES = load_cases()


def test_case_files_are_not_empty() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any]) -> None:
    code, output = run_cli(case["kind"], case["input"])
    if case.get("exit", 0) == 2:
        assert code == 2, output
        assert output["error"]["code"] == "invalid_input"
        assert set(case["error_fields"]) <= set(output["error"]["fields"]), output
        return
    assert code == 0, output
    if "expected" in case:
        assert_subset(output, case["expected"])
    if "multiply" in case:
        assert output["total"] * case["multiply"] == case["expected_product"]
    # Whatever the case, the JSON total is the sum of the components.
    if "components" in output:
        assert output["total"] == sum(c["amount"] for c in output["components"])
