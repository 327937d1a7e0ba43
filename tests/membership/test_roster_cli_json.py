"""``lindung roster import --json``: a file refused as a whole prints the error shape on stdout."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _cli(*args, before=()):
    out, err = StringIO(), StringIO()
    if "--start" not in args:
        args = (*args, "--start", "2023-10-01")
    with pytest.raises(CommandError) as exc:
        call_command("roster", *before, "import", *args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue()), exc.value


def test_cli_json_refusal_prints_the_error_shape(agreement, data_dir, roster_file, tmp_path):
    result, exc = _cli(str(roster_file([["1472015003900001", "Siti"]], header=["nik", "nama"])), "--sponsor", "PEMKO-DUMAI")
    assert set(result) == {"error"} and set(result["error"]) == {"code", "message", "fields"}
    assert result["error"]["code"] == "file_rejected" and "tanggal_lahir" in result["error"]["message"]
    assert "tanggal_lahir" in result["error"]["fields"]["row 1"] and exc.returncode == 1

    result, _ = _cli(str(tmp_path / "r.csv"), "--sponsor", "NOPE")
    assert result == {"error": {"code": "not_found", "message": "Tidak ada sponsor 'NOPE'.", "fields": {"sponsor": "not found"}}}
    result, _ = _cli(str(tmp_path / "missing.csv"), "--sponsor", "PEMKO-DUMAI")
    assert result["error"]["code"] == "not_found" and result["error"]["fields"] == {"file": "missing"}
    result, _ = _cli(str(tmp_path / "r.csv"), "--sponsor", "PEMKO-DUMAI", "--agreement", "PKS-X")
    assert result["error"]["code"] == "not_found" and result["error"]["fields"] == {"agreement": "not found"}
    result, _ = _cli(str(roster_file([])), "--sponsor", "PEMKO-DUMAI", "--start", "2030-01-01")
    assert result["error"]["code"] == "outside_agreement"
    result, _ = _cli(str(roster_file([], name="r.txt")), "--sponsor", "PEMKO-DUMAI")
    assert result["error"]["code"] == "unsupported_file"
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    result, _ = _cli(str(tmp_path / "broken.xlsx"), "--sponsor", "PEMKO-DUMAI")
    assert result["error"]["code"] == "file_rejected" and "tidak dapat dibaca" in result["error"]["fields"]["row 1"]
    result, _ = _cli(str(roster_file([])), "--sponsor", "PEMKO-DUMAI", before=("--as", "nobody"))
    assert result["error"]["code"] == "not_found" and result["error"]["fields"] == {"as": "no such user"}


def test_cli_refusal_without_json_prints_nothing_on_stdout(agreement, data_dir, roster_file):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "roster",
            "import",
            str(roster_file([["1"]], header=["nik"])),
            "--sponsor",
            "PEMKO-DUMAI",
            "--start",
            "2023-10-01",
            stdout=out,
            stderr=StringIO(),
        )
    assert out.getvalue() == ""
