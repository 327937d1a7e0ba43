"""Billing and coverage benchmark (issue 5).

    .venv/bin/python bench/bench_billing.py --participants 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/lindung_bench_billing
    .venv/bin/python bench/bench_billing.py --participants 20000 --database-url ... --no-write   # quick run

The database named in --database-url is dropped, created, migrated and dropped again at the end.
Set-up (not measured): N sponsored Dumai workers (persons, participants, sponsorship periods) under
one monthly agreement, and 11 months of paid history (April 2023 – February 2024: one invoice per
month, N × 2 lines each) written with SQL.

Measured, in the same process:
  (a) baseline — one hand-written ``INSERT … SELECT`` producing the same lines (participant ×
      JKK/JKM at fixed prices) into the real lines table (same indexes, same size, foreign keys
      checked immediately), rolled back afterwards;
  (b) Lindung's ``run_billing(period=2024-03)`` — pricing through the rules engine, invoice,
      lines, totals, credit, audit — with the number of SQL queries it issued;
  (c) ``coverage_on`` for 2,000 random participants and dates over the 12 months (p50/p95/p99);
  (d) payments against the invoice (b) billed (N × 2 lines; 1,000,000 lines at 500,000
      participants, issue 10): Rp 1,000 recorded against it, half of it recorded unmatched and then
      matched from the queue (``match_payment``), the rest recorded against it — each timed, and the
      paid lines and ``coverage_on`` of sampled participants checked after each.

    .venv/bin/python bench/bench_billing.py --participants 500000 --history 0 --database-url ... --no-write
        # (d) on a 1,000,000-line invoice without the 11 months of history
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402

START = common.START
PERIOD = dt.date(2024, 3, 1)


def setup(n: int, history: int = 11) -> dict:
    from django.db import connection

    ref = common.base_setup(participants=n)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        common.insert_workers(cur, ref, n)
        for m in common.months(START, dt.date(2024, 2, 1))[:history]:
            inv = common.history_invoice(ref, f"HIST-{m:%Y%m}", m, m, total=16_800 * n)
            common.insert_paid_lines(cur, inv.pk, [m])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # autocommit: outside any transaction
    return {"agreement": ref.agreement.pk, "setup_s": time.perf_counter() - t0}


def baseline(agreement_id: int) -> tuple[float, int]:
    """The same lines written by one hand-written ``INSERT … SELECT`` into the real lines table
    (same indexes, same size, foreign keys checked immediately), then rolled back: the cost of
    writing those rows at all."""
    from django.db import connection, transaction

    from lindung.contributions.models import Invoice

    class _Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            inv = Invoice.objects.create(
                number="BASELINE",
                payer_type="sponsor",
                payer_key="baseline",
                segment="BPU",
                period_start=PERIOD,
                period_end=PERIOD,
                issue_date=PERIOD,
                due_date=PERIOD,
            )
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                t0 = time.perf_counter()
                cur.execute(
                    """INSERT INTO contributions_invoiceline (invoice_id, participant_id, program, period, amount, paid_amount, kind)
                       SELECT %s, sp.participant_id, v.program, %s, v.amount, 0, 'regular'
                       FROM membership_sponsorshipperiod sp CROSS JOIN (VALUES ('JKK', 10000), ('JKM', 6800)) v(program, amount)
                       WHERE sp.agreement_id = %s AND sp.start_date <= %s AND (sp.end_date IS NULL OR sp.end_date >= %s)""",
                    [inv.pk, PERIOD, agreement_id, (PERIOD + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), PERIOD],
                )
                result["rows"] = cur.rowcount
                result["s"] = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return result["s"], result["rows"]


def lindung_run() -> tuple[float, dict, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lindung.contributions.billing import run_billing

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        summary = run_billing(period=PERIOD, today=PERIOD)
    return time.perf_counter() - t0, summary.as_dict() | {"lines_created": summary.lines_created}, len(q.captured_queries)


def coverage(n_samples: int) -> dict:
    from lindung.contributions.coverage import coverage_on
    from lindung.membership.models import Participant

    ids = list(Participant.objects.order_by("?").values_list("pk", flat=True)[:n_samples])
    rnd = random.Random(5)
    participants = {p.pk: p for p in Participant.objects.filter(pk__in=ids)}
    times, statuses = [], {}
    for pid in ids:
        on = START + dt.timedelta(days=rnd.randrange(0, 365))
        t0 = time.perf_counter()
        result = coverage_on(participants[pid], on, program="JKM")
        times.append((time.perf_counter() - t0) * 1000)
        statuses[result.status] = statuses.get(result.status, 0) + 1
    times.sort()
    pct = lambda p: times[min(len(times) - 1, int(len(times) * p))]  # noqa: E731
    return {"p50": statistics.median(times), "p95": pct(0.95), "p99": pct(0.99), "statuses": statuses, "samples": len(times)}


def payments_on_the_invoice(n: int) -> dict:
    """(d): a small payment, half matched from the unmatched queue, the rest, on the invoice (b)
    billed; coverage checked after each."""
    from django.db.models import F

    from lindung.contributions.coverage import coverage_on
    from lindung.contributions.models import ContributionPayment, Invoice, InvoiceLine
    from lindung.contributions.payments import match_payment, record_payment
    from lindung.membership.models import Participant

    invoice = Invoice.objects.get(period_start=PERIOD, kind=Invoice.Kind.REGULAR, payer_type="sponsor")
    paid_on = PERIOD + dt.timedelta(days=10)
    sample = list(Participant.objects.order_by("kpj_number").values_list("pk", flat=True)[:: max(1, n // 200)])
    out = {"lines": invoice.line_count}

    def check(label: str, covered_months: int) -> None:
        paid_lines = InvoiceLine.objects.filter(invoice=invoice, paid_amount=F("amount")).count()
        assert paid_lines == covered_months * 2, (label, paid_lines, covered_months)
        order = {pid: i for i, pid in enumerate(Participant.objects.order_by("kpj_number").values_list("pk", flat=True))}
        for pid in sample:
            status = coverage_on(Participant.objects.get(pk=pid), PERIOD + dt.timedelta(days=14), program="JKM").status
            assert (status == "covered") == (order[pid] < covered_months), (label, pid, status)
        out[f"{label}_covered"] = covered_months

    t0 = time.perf_counter()
    record_payment(amount=1_000, paid_on=paid_on, invoice=invoice, bank_reference="BENCH-SMALL")
    out["small_s"] = time.perf_counter() - t0
    check("small", 0)
    half = invoice.total // 2
    queued = record_payment(amount=half, paid_on=paid_on, reference="no invoice named", bank_reference="BENCH-HALF")
    assert queued.status == ContributionPayment.Status.UNMATCHED
    t0 = time.perf_counter()
    match_payment(payment=queued, invoice=invoice)
    out["match_s"] = time.perf_counter() - t0
    check("half", (1_000 + half) // 16_800)
    t0 = time.perf_counter()
    record_payment(amount=invoice.total - 1_000 - half, paid_on=paid_on, invoice=invoice, bank_reference="BENCH-REST")
    out["rest_s"] = time.perf_counter() - t0
    check("rest", n)
    return out


def write_doc(text: str) -> None:
    common.replace_section("## Contributions (issue 5)", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True, help="postgres://… (dropped and re-created)")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by --keep (skip set-up; bill --period again)")
    parser.add_argument("--period", default="2024-03", help="the measured month (with --reuse: one not billed yet)")
    parser.add_argument("--history", type=int, default=11, help="months of paid history written by the set-up (0–11)")
    args = parser.parse_args()
    global PERIOD
    PERIOD = dt.date(int(args.period[:4]), int(args.period[5:7]), 1)
    with common.bench_database(args.database_url, keep=args.keep, reuse=args.reuse):
        print(common.load(), flush=True)
        n = args.participants
        if args.reuse:
            from django.core.management import call_command

            from lindung.membership.models import SponsorAgreement

            call_command("migrate", verbosity=0)
            info = {"agreement": SponsorAgreement.objects.get(number="PKS-BENCH").pk, "setup_s": 0.0}
        else:
            info = setup(n, args.history)
        print(f"set-up: {n:,} participants, {args.history} months of history in {info['setup_s']:.1f} s", flush=True)
        base_s, base_rows = baseline(info["agreement"])
        print(f"(a) baseline INSERT … SELECT: {base_rows:,} lines in {base_s:.2f} s", flush=True)
        run_s, summary, queries = lindung_run()
        ratio = run_s / base_s if base_s else float("nan")
        print(f"(b) Lindung billing run: {summary} in {run_s:.2f} s, {queries} queries — {ratio:.2f}× baseline", flush=True)
        assert summary["lines_created"] == base_rows, "Lindung and the baseline must produce the same lines"
        assert summary["total"] == 16_800 * n
        cov = coverage(min(args.samples, n))
        print(
            f"(c) coverage_on: p50 {cov['p50']:.2f} ms, p95 {cov['p95']:.2f} ms, p99 {cov['p99']:.2f} ms over {cov['samples']} calls {cov['statuses']}",
            flush=True,
        )
        pay = payments_on_the_invoice(n)
        print(
            f"(d) payments on the {pay['lines']:,}-line invoice: Rp 1,000 recorded in {pay['small_s']:.2f} s; half matched from the queue in "
            f"{pay['match_s']:.2f} s ({pay['half_covered']:,} participant-months covered); the rest recorded in {pay['rest_s']:.2f} s "
            f"(all {pay['rest_covered']:,} covered); coverage checked after each",
            flush=True,
        )
        from django.db import connection

        pg = connection.cursor().connection.info.server_version
        text = f"""## Contributions (issue 5)

`bench/bench_billing.py --participants {n}` on PostgreSQL {pg // 10000}, {platform.python_version()}; run {dt.date.today()}.
{n:,} sponsored participants under one monthly agreement, each with 11 months of paid history
({n * 22:,} lines) before the measured {PERIOD:%B %Y} run.

| step | time | notes |
|---|---:|---|
| (a) baseline: one hand-written `INSERT … SELECT` of the same lines | {base_s:.2f} s | {base_rows:,} lines at fixed prices into the real lines table (same indexes and size, FKs checked), rolled back |
| (b) `run_billing(period={PERIOD:%Y-%m})` | {run_s:.2f} s | **{ratio:.2f}× baseline** (target ≤ 2×); {queries} SQL queries in all, none per participant |
| (c) `coverage_on` (12 months of history) | p50 {cov["p50"]:.2f} ms · p95 **{cov["p95"]:.2f} ms** · p99 {cov["p99"]:.2f} ms | {cov["samples"]:,} random participants and dates (target p95 < 5 ms) |

Billing prices each distinct (segment, programmes, wage, risk class) combination once per month
with the rules engine into `contributions_billingprice`, then one `INSERT … SELECT` per payer joins
the sponsorship periods to that table. `coverage_on` is one indexed aggregate over the
participant's lines (index `participant, program, period`) plus the references of the month asked.
"""
        print(text)
        if not args.no_write:
            write_doc(text)
        print("at the end: " + common.load(), flush=True)


if __name__ == "__main__":
    main()
