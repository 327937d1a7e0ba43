"""The start-up check refuses broken regulation parameter files with the file and the key."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from lindung.core.checks import rules_parameters_valid
from lindung.rules import params


def test_valid_parameters_pass():
    assert rules_parameters_valid() == []


def test_broken_parameter_file_stops_start_up(tmp_path, monkeypatch):
    broken = tmp_path / "parameters"
    shutil.copytree(params.BUILTIN_DIR, broken)
    text = (broken / "claims.yaml").read_text(encoding="utf-8")
    (broken / "claims.yaml").write_text(text.replace("    unit: years\n", "    unit: years\n    colour: red\n", 1), encoding="utf-8")
    monkeypatch.setattr(params, "BUILTIN_DIR", broken)
    params.clear_cache()
    try:
        errors = rules_parameters_valid()
        assert [e.id for e in errors] == ["lindung.E001"]
        assert "claims.yaml" in errors[0].msg
        assert "claim.jkk_expiry_years.colour: unknown key" in errors[0].msg
        with pytest.raises(SystemCheckError, match=r"lindung\.E001"):
            call_command("check")
    finally:
        monkeypatch.undo()
        params.clear_cache()
    assert rules_parameters_valid() == []
