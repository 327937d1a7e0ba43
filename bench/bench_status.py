"""The daily cover job's status transitions (issue 8: participant status on the workflow kernel).

    .venv/bin/python bench/bench_status.py --participants 200000 \\
        --database-url postgres://postgres@127.0.0.1:5432/lindung_bench_status

The database named in --database-url is dropped, created, migrated and dropped again at the end.
Set-up (not measured, shared with bench_billing.py): N sponsored workers with 11 months of paid
history, then the March 2024 invoice, left unpaid. Measured, in the same process:
  (a) baseline — one hand-written ``UPDATE`` of the N participants to grace plus one
      ``INSERT … SELECT`` of their N history rows, rolled back afterwards;
  (b) ``refresh_statuses(on=2024-04-20)``: the ledger query, then every participant active → grace
      through the status service (the workflow kernel's bulk transition), with its query count and
      the decisions it wrote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_billing  # noqa: E402
import common  # noqa: E402

ON = dt.date(2024, 4, 20)


def baseline() -> tuple[float, int]:
    from django.db import connection, transaction

    class _Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            t0 = time.perf_counter()
            cur.execute("UPDATE membership_participant SET status = 'grace' WHERE status = 'active'")
            result["rows"] = cur.rowcount
            cur.execute(
                """INSERT INTO membership_statuschange (participant_id, from_status, to_status, effective_date, reason, note, at)
                   SELECT id, 'active', 'grace', %s, 'unpaid', '', now() FROM membership_participant WHERE status = 'grace'""",
                [ON],
            )
            result["s"] = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return result["s"], result["rows"]


def measured() -> tuple[float, dict, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lindung.contributions.statuses import refresh_statuses

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        moved = refresh_statuses(on=ON)
    return time.perf_counter() - t0, moved, len(q.captured_queries)


def write_doc(text: str) -> None:
    common.replace_section("## Daily status transitions (issue 8)", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--database-url", required=True, help="postgres://… (dropped and re-created)")
    parser.add_argument("--label", default="", help="a label printed with the result (e.g. before/after)")
    parser.add_argument("--write", action="store_true", help="write the result into docs/benchmarks.md")
    args = parser.parse_args()
    with common.bench_database(args.database_url, keep=False):
        print(common.load(), flush=True)
        from django.db import connection

        from lindung.contributions.billing import run_billing
        from lindung.membership.models import Participant, StatusChange

        n = args.participants
        info = bench_billing.setup(n)
        run_billing(period=bench_billing.PERIOD, today=bench_billing.PERIOD)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        print(f"set-up: {n:,} participants, history and an unpaid March invoice in {info['setup_s']:.1f} s", flush=True)
        base_s, base_rows = baseline()
        print(f"(a) baseline UPDATE + INSERT … SELECT: {base_rows:,} participants in {base_s:.2f} s", flush=True)
        run_s, moved, queries = measured()
        ratio = run_s / base_s if base_s else float("nan")
        print(f"(b) {args.label} refresh_statuses: {moved} in {run_s:.2f} s, {queries} queries — {ratio:.2f}× baseline", flush=True)
        assert moved["active_to_grace"] == n == Participant.objects.filter(status="grace").count()
        assert StatusChange.objects.filter(to_status="grace").count() == n
        decisions = None
        try:
            from lindung.core.workflow.models import Decision

            decisions = Decision.objects.filter(object_type="membership.participant").count()
        except Exception:  # the kernel is not there (a run of the code before it)
            pass
        print(f"    decisions written: {decisions}", flush=True)
        pg = connection.cursor().connection.info.server_version
        text = f"""## Daily status transitions (issue 8)

`bench/bench_status.py --participants {n}` on PostgreSQL {pg // 10000}, {platform.python_version()}; run {dt.date.today()}.
{n:,} sponsored participants whose March 2024 invoice is unpaid; the daily job on {ON} moves every
one of them active → grace.

| step | time | notes |
|---|---:|---|
| (a) baseline: one `UPDATE` + one `INSERT … SELECT` of the history rows | {base_s:.2f} s | rolled back |
| (b) `refresh_statuses(on={ON})` {args.label} | {run_s:.2f} s | **{ratio:.2f}× baseline**; {queries} SQL queries; {decisions} decision row(s) |
"""
        print(text)
        if args.write:
            write_doc(text)
        print("at the end: " + common.load(), flush=True)


if __name__ == "__main__":
    main()
