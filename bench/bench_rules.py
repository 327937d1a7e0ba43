"""Benchmark of the rules engine (issue 3): one calculation must take under 1 ms in-process.

Run: ``python bench/bench_rules.py`` (``--no-write`` to skip updating docs/benchmarks.md).

Each calculator runs a realistic case many times after the parameters are loaded; the median
and p99 per call are compared with a baseline doing the same arithmetic with a plain dict lookup
and integer multiplication (no engine), timed in the same process.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lindung.rules import (  # noqa: E402
    BenefitCase,
    Child,
    ContributionCase,
    DisabilityItem,
    HeirsCase,
    LateFineCase,
    LatePaymentCase,
    Relative,
    ScholarshipCase,
    calculate_benefit,
    calculate_contribution,
    determine_heirs,
    late_payment_compensation,
    load_parameters,
    pu_late_fine,
    scholarship_schedule,
)
from lindung.rules.service import calculate_json  # noqa: E402

TARGET_MS = 1.0
ITERATIONS = 3000
HEADING = "## Rules engine (issue 3)"

PARAMS = load_parameters()  # load + validate once, outside the timings

# Baseline: the same arithmetic without the engine (dict lookup + integer multiply).
_RATES = {"jkk_bpu_per_mille": 10, "jkm_bpu": 6_800, "jkk_death_months": 48, "periodic": 12_000_000, "funeral": 10_000_000}


def _baseline_bpu() -> int:
    jkk = 1_000_000 * _RATES["jkk_bpu_per_mille"] // 1000
    return jkk + _RATES["jkm_bpu"]


def _baseline_jkk_death() -> int:
    return 1_800_000 * _RATES["jkk_death_months"] + _RATES["periodic"] + _RATES["funeral"]


CASES: list[tuple[str, Callable[[], object], Callable[[], int]]] = [
    (
        "contribution BPU (Dumai, 1,000,000)",
        lambda: calculate_contribution(ContributionCase(segment="BPU", on=date(2023, 10, 1), wage=1_000_000), PARAMS),
        _baseline_bpu,
    ),
    (
        "contribution PU with JKP split",
        lambda: calculate_contribution(ContributionCase(segment="PU", on=date(2024, 1, 1), wage=5_000_000, risk_class="medium", jkp=True), PARAMS),
        _baseline_bpu,
    ),
    (
        "contribution JAKON 10 M contract",
        lambda: calculate_contribution(ContributionCase(segment="JAKON", on=date(2024, 1, 1), contract_value=10_000_000_000), PARAMS),
        _baseline_bpu,
    ),
    (
        "benefit JKM death",
        lambda: calculate_benefit(BenefitCase(program="JKM", event_date=date(2024, 1, 10), contribution_months=12), PARAMS),
        _baseline_jkk_death,
    ),
    (
        "benefit JKK death + 2 children scholarship",
        lambda: calculate_benefit(
            BenefitCase(
                program="JKK",
                outcome="death",
                event_date=date(2023, 11, 20),
                wage=1_800_000,
                children=(Child(birth_date=date(2020, 1, 15)), Child(birth_date=date(2012, 5, 1), level="SD", year_in_level=6)),
            ),
            PARAMS,
        ),
        _baseline_jkk_death,
    ),
    (
        "benefit JKK partial disability (2 items)",
        lambda: calculate_benefit(
            BenefitCase(
                program="JKK",
                outcome="partial_disability",
                event_date=date(2024, 2, 1),
                wage=2_000_000,
                left_handed=True,
                disabilities=(DisabilityItem("arm_from_shoulder_left"), DisabilityItem("one_eye", 50)),
            ),
            PARAMS,
        ),
        _baseline_jkk_death,
    ),
    (
        "scholarship schedule (1 child, 19 years)",
        lambda: scholarship_schedule(ScholarshipCase(event_date=date(2023, 11, 20), children=(Child(birth_date=date(2020, 1, 15)),)), PARAMS),
        _baseline_jkk_death,
    ),
    (
        "heirs",
        lambda: determine_heirs(HeirsCase((Relative("m", "parent"), Relative("s", "sibling")), event_date=date(2024, 1, 1)), PARAMS),
        _baseline_bpu,
    ),
    (
        "late payment compensation",
        lambda: late_payment_compensation(LatePaymentCase("JKK", 108_400_000, date(2024, 3, 1), date(2024, 3, 14)), PARAMS),
        _baseline_bpu,
    ),
    (
        "PU late fine",
        lambda: pu_late_fine(LateFineCase("PU", 1_000_000, 2024, 1, date(2024, 4, 20)), PARAMS),
        _baseline_bpu,
    ),
    (
        "JSON in/out (validate + calculate + shape), JKK death",
        lambda: calculate_json("benefit", '{"program": "JKK", "outcome": "death", "event_date": "2023-11-20", "wage": 1800000}', PARAMS),
        _baseline_jkk_death,
    ),
]


def _time(func: Callable[[], object], iterations: int) -> list[float]:
    for _ in range(min(200, iterations)):
        func()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        func()
        samples.append((clock() - start) / 1e6)
    return samples


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(iterations: int) -> tuple[list[tuple[str, float, float, float]], float]:
    rows = []
    load_start = time.perf_counter()
    from lindung.rules.params import clear_cache

    clear_cache()
    load_parameters()
    load_ms = (time.perf_counter() - load_start) * 1000
    for name, func, baseline in CASES:
        samples = _time(func, iterations)
        base = statistics.median(_time(baseline, iterations))
        rows.append((name, statistics.median(samples), _p99(samples), statistics.median(samples) / base if base else float("inf")))
    return rows, load_ms


def render(rows: list[tuple[str, float, float, float]], load_ms: float, iterations: int) -> str:
    worst = max(p99 for _, _, p99, _ in rows)
    lines = [
        HEADING,
        "",
        f"`python bench/bench_rules.py` — {iterations} calls per calculator after a warm-up, parameters loaded once;",
        f"Python {platform.python_version()}. Baseline: the same arithmetic as a dict lookup + integer multiply, same process.",
        "",
        "| calculation | median ms | p99 ms | × baseline (median) |",
        "|---|---:|---:|---:|",
    ]
    for name, median, p99, ratio in rows:
        lines.append(f"| {name} | {median:.4f} | {p99:.4f} | {ratio:,.0f}× |")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    lines += [
        "",
        f"Target < {TARGET_MS:g} ms per calculation: **{verdict}** (worst p99 {worst:.4f} ms).",
        f"Loading and validating all parameter files once per process: {load_ms:.1f} ms.",
        "",
    ]
    return "\n".join(lines)


def write_section(section: str, path: Path) -> None:
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = "# Benchmarks\n\nMeasured on the development machine: 2 cores, 24 GiB RAM.\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = parser.parse_args()
    rows, load_ms = run(args.iterations)
    section = render(rows, load_ms, args.iterations)
    print(section)
    if not args.no_write:
        write_section(section, ROOT / "docs" / "benchmarks.md")
    return 0 if max(p99 for _, _, p99, _ in rows) < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
