"""Command-line calculator: one JSON case on stdin, one JSON result on stdout.

``main(["benefit"])`` reads the case from stdin and returns the exit code: 0 on success,
2 on invalid input (stdout then holds ``{"error": {"code": "invalid_input", "message": ...,
"fields": {...}}}``). Kinds: contribution, benefit, heirs, scholarship, late-payment, late-fine.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from .service import KINDS, InvalidInput, calculate_json, error_body

__all__ = ["main"]

USAGE = f"usage: lindung calc {{{'|'.join(KINDS)}}} < case.json"


def _write(stdout: IO[str], data: Any) -> None:
    stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=False))
    stdout.write("\n")


def main(argv: list[str] | None = None, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Run one calculation; see the module docstring for the contract."""
    args = sys.argv[1:] if argv is None else list(argv)
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    if len(args) != 1 or args[0] not in KINDS:
        given = " ".join(args) or "(none)"
        _write(stdout, error_body(f"unknown sub-command {given!r}; {USAGE}", {"kind": f"one of {', '.join(KINDS)}"}))
        return 2
    try:
        result = calculate_json(args[0], stdin.read())
    except InvalidInput as exc:
        _write(stdout, error_body(exc.message, exc.fields))
        return 2
    _write(stdout, result)
    return 0
