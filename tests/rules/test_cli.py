"""The CLI contract: cli.main(argv, stdin, stdout) -> exit code, JSON in and out."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from lindung.rules import cli
from lindung.rules.schemas import CalculationOutput, ErrorOutput, HeirsOutput

from .conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_contribution_output_shape() -> None:
    code, output = run_cli("contribution", {"segment": "BPU", "date": "2023-10-01", "programs": ["JKK", "JKM"], "wage": 1_000_000})
    assert code == 0
    CalculationOutput.model_validate(output)
    assert [c["program"] for c in output["components"]] == ["JKK", "JKM"]
    for component in output["components"]:
        assert component["reference"] and component["explanation_id"] and component["explanation_en"]
    assert {p["name"] for p in output["parameters"]} >= {"contribution.bpu.jkk_rate", "contribution.bpu.jkm_amount"}


def test_heirs_output_uses_the_class_key() -> None:
    code, output = run_cli("heirs", {"relatives": [{"id": "a", "relation": "parent"}]})
    assert code == 0
    assert output["class"] == "lineal"
    HeirsOutput.model_validate(output)


def test_invalid_json_and_wrong_types_exit_2_with_the_error_shape() -> None:
    for kind, payload, field in [
        ("benefit", "{not json", "$"),
        ("benefit", {"program": "JKK", "event_date": "2024-01-01", "outcome": "death", "wage": "1800000"}, "wage"),
        ("benefit", {"program": "JKK", "event_date": "2024-01-01", "outcome": "death", "wage": 1.5}, "wage"),
        ("benefit", {"program": "JKK", "event_date": "2024-01-01", "outcome": "death"}, "wage"),
        ("contribution", {"segment": "BPU", "date": "yesterday", "wage": 1}, "date"),
        ("heirs", {"relatives": [{"relation": "child"}]}, "relatives.0.id"),
        ("scholarship", {"event_date": "2024-01-01", "children": []}, "children"),
    ]:
        code, output = run_cli(kind, payload)
        assert code == 2, (kind, payload, output)
        ErrorOutput.model_validate(output)
        assert output["error"]["code"] == "invalid_input"
        assert field in output["error"]["fields"], output
        assert field in output["error"]["message"] or field == "$"


def test_unknown_or_missing_sub_command() -> None:
    for argv in (["premium"], [], ["benefit", "extra"]):
        out = io.StringIO()
        assert cli.main(argv, stdin=io.StringIO("{}"), stdout=out) == 2
        error = json.loads(out.getvalue())["error"]
        assert error["code"] == "invalid_input"
        assert "kind" in error["fields"]


def test_python_m_lindung_rules_subprocess() -> None:
    case = {"program": "JKK", "outcome": "death", "event_date": "2023-11-20", "wage": 1_800_000}
    proc = subprocess.run(
        [sys.executable, "-m", "lindung.rules", "benefit"],
        input=json.dumps(case),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    output = json.loads(proc.stdout)
    # 48 × 1,800,000 = 86,400,000 + 12,000,000 + 10,000,000
    assert output["total"] == 108_400_000
    bad = subprocess.run([sys.executable, "-m", "lindung.rules", "benefit"], input="{}", capture_output=True, text=True, cwd=ROOT, check=False)
    assert bad.returncode == 2
    assert set(json.loads(bad.stdout)["error"]["fields"]) == {"program", "event_date"}
