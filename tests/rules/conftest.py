"""Shared helpers for the rules-engine tests."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from lindung.rules import cli

CASES_DIR = Path(__file__).with_name("cases")


def _default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


def run_cli(kind: str, payload: Any) -> tuple[int, dict[str, Any]]:
    """Run ``cli.main([kind])`` with ``payload`` as JSON on stdin; return (exit code, parsed stdout)."""
    text = payload if isinstance(payload, str) else json.dumps(payload, default=_default)
    out = io.StringIO()
    code = cli.main([kind], stdin=io.StringIO(text), stdout=out)
    return code, json.loads(out.getvalue())


def assert_subset(actual: Any, expected: Any, path: str = "$") -> None:
    """Every key in ``expected`` matches ``actual``; lists match element by element and in length."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key}: missing in {sorted(actual)}"
            assert_subset(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, expected {len(expected)}: {actual!r}"
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_subset(a, e, f"{path}[{index}]")
    else:
        if isinstance(expected, date):
            expected = expected.isoformat()
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params
