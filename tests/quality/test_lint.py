"""Lint and format are part of the tests: ruff, with the rule set chosen in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _ruff() -> str:
    candidate = Path(sys.executable).with_name("ruff")
    found = str(candidate) if candidate.exists() else shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: it is a dev dependency (make install-dev)")
    return found


@pytest.mark.parametrize("args", [["check", "--no-fix", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff_is_clean(args):
    result = subprocess.run([_ruff(), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
