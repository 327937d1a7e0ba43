"""Realistic Dumai rosters for the benchmark and tests (the generator lives in the package so the
demo data can use it too): ``write_roster(path, n, seed=1, bad_share=0.02)``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lindung.membership.roster_gen import (
    BAD_KINDS,
    DUMAI_VILLAGES,
    HEADER,
    VILLAGES,
    generate_rows,
    write_roster,
)

__all__ = ["BAD_KINDS", "DUMAI_VILLAGES", "HEADER", "VILLAGES", "generate_rows", "write_roster"]
