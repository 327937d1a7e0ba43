"""The programme report over a large sponsor (issue 13's reports).

    .venv/bin/python bench/bench_reports.py --participants 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/lindung_bench_reports [--write]

The database named in --database-url is dropped, created, migrated and dropped again at the end
(``--keep`` keeps it; ``--reuse`` measures a kept database again, after ``lindung migrate`` if the
schema moved).
Set-up (not measured): ``bench_billing.setup`` — N sponsored workers of one sponsor from April 2023
with paid monthly invoices (N × JKK/JKM lines a month; ``--history`` months, 3 by default: the
second quarter of 2023) — plus, with SQL, 1 % of the memberships ended in June 2023, N / 1,000 JKM
deaths decided in the quarter, half of them paid (orders and settlements), and a hand-over event
with them.

Measured, in the same process:
  (a) baseline — the two scans the report cannot avoid, hand-written: the sum of the quarter's
      invoice lines and the count of the sponsor's memberships open at the quarter's end;
  (b) ``build_report(sponsor, 2023-Q2)`` — every figure of the report — with its SQL query count,
      and each section's share;
  (c) the report's page (``/reports/sponsors/BENCH/?period=2023-Q2``) through Django's test client,
      as an administrator: selectors, document and template.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_billing  # noqa: E402  (the set-up of N sponsored workers with paid history)
import common  # noqa: E402  (the benchmark database)

QUARTER = "2023-Q2"


def extra_setup(n: int) -> dict:
    """Ended memberships, decided and paid deaths and a hand-over event, with SQL."""
    from django.db import connection

    from lindung.accounts.models import Branch
    from lindung.membership.models import Sponsor

    sponsor = Sponsor.objects.get(code="BENCH")
    branch = Branch.objects.create(code="BENCH", name="Kantor Cabang Bench")
    deaths = max(1, n // 1000)
    with connection.cursor() as cur:
        cur.execute(
            """UPDATE membership_sponsorshipperiod SET end_date = DATE '2023-06-15', end_reason = 'ended_by_sponsor'
               WHERE participant_id IN (SELECT id FROM membership_participant WHERE id % 100 = 7)"""
        )
        cur.execute(
            """UPDATE membership_participant SET status = 'ended', end_date = DATE '2023-06-15', exit_reason = 'ended_by_sponsor'
               WHERE id % 100 = 7"""
        )
        cur.execute(
            """INSERT INTO claims_claim (number, participant_id, sponsor_id, branch_id, program, outcome, event_date, status, source,
                   report_note, claimant_name, claimant_relation, claimant_phone, funeral_arranger, incapacity_months, disabilities,
                   left_handed, home_care, deadline_detail, checks, benefit, benefit_total, decided_on, status_reason, created_at, updated_at)
               SELECT 'KLM-BENCH-' || LPAD(p.id::text, 9, '0'), p.id, %s, %s, 'JKM', 'death', DATE '2023-05-10', 'ready_for_payment', 'branch',
                   '', '', '', '', '', 0, '[]', false, 0, '{}', '[]', '{}', 42000000, DATE '2023-06-01', '', now(), now()
               FROM membership_participant p WHERE p.id %% 100 = 3 ORDER BY p.id LIMIT %s""",
            [sponsor.pk, branch.pk, deaths],
        )
        cur.execute(
            """INSERT INTO payouts_paymentbatch (number, branch_id, status, bank_format, execution_date, total, count, note, created_at, updated_at)
               VALUES ('PB-BENCH', %s, 'closed', 'default', DATE '2023-06-05', 0, 0, '', now(), now()) RETURNING id""",
            [branch.pk],
        )
        batch_id = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO payouts_paymentorder (number, claim_id, "group", sponsor_id, branch_id, status, benefit_amount, late_compensation,
                   amount, payee_name, payee_nik, bank_code, bank_name, bank_bic, account_number, account_holder, batch_id, failure_code,
                   failure_reason, created_at, updated_at)
               SELECT 'PO-BENCH-' || c.id, c.id, 'benefit', c.sponsor_id, c.branch_id, 'paid', 42000000, 0, 42000000, 'Ahli Waris', '',
                   '119', 'BRK Syariah', '', '1234567890', 'Ahli Waris', %s, '', '', now(), now()
               FROM claims_claim c WHERE c.id %% 2 = 0""",
            [batch_id],
        )
        cur.execute(
            """INSERT INTO payouts_settlement (order_id, paid_on, amount, bank_reference, created_at)
               SELECT id, DATE '2023-06-06', amount, '', now() FROM payouts_paymentorder"""
        )
        cur.execute(
            """INSERT INTO payouts_handoverevent (title, date, place, branch_id, officials, note, created_at)
               VALUES ('Penyerahan santunan', DATE '2023-06-20', 'Kantor Cabang Bench', %s, '[]', '', now()) RETURNING id""",
            [branch.pk],
        )
        event_id = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO payouts_handovercase (event_id, claim_id, mark, heir_name, deceased_name, program, amount)
               SELECT %s, id, 'paid', 'Ahli Waris', 'Pekerja', 'JKM', 42000000 FROM claims_claim""",
            [event_id],
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"sponsor": sponsor, "deaths": deaths}


def baseline(sponsor_id: int) -> float:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """SELECT SUM(l.amount), SUM(l.paid_amount) FROM contributions_invoiceline l JOIN contributions_invoice i ON i.id = l.invoice_id
               WHERE i.sponsor_id = %s AND l.period BETWEEN DATE '2023-04-01' AND DATE '2023-06-30'""",
            [sponsor_id],
        )
        cur.fetchone()
        cur.execute(
            """SELECT COUNT(DISTINCT participant_id) FROM membership_sponsorshipperiod
               WHERE sponsor_id = %s AND start_date <= DATE '2023-06-30' AND (end_date IS NULL OR end_date >= DATE '2023-06-30')""",
            [sponsor_id],
        )
        cur.fetchone()
    return time.perf_counter() - t0


def measured(sponsor) -> tuple[float, int, dict, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lindung.reports import selectors
    from lindung.reports.periods import parse_period

    period = parse_period(QUARTER)
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        report = selectors.build_report(sponsor, period)
    run_s = time.perf_counter() - t0
    parts = {}
    for name in ("_membership", "_contributions", "_claims", "_scholarships", "_handovers"):
        t0 = time.perf_counter()
        getattr(selectors, name)(sponsor.pk, period)
        parts[name.strip("_")] = time.perf_counter() - t0
    return run_s, len(q.captured_queries), parts, report


def page() -> tuple[float, int]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    admin = get_user_model().objects.filter(username="bench-admin").first() or get_user_model().objects.create_superuser(
        "bench-admin", password="bench-only-password-0123"
    )
    from django.test import override_settings

    client = Client()
    client.force_login(admin)
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    t0 = time.perf_counter()
    with override_settings(STORAGES=plain):  # no collectstatic manifest in a benchmark
        resp = client.get(f"/reports/sponsors/BENCH/?period={QUARTER}", secure=True)
    return time.perf_counter() - t0, resp.status_code


def write_doc(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    doc = path.read_text()
    section = "## Programme report (reports)"
    pattern = re.compile(re.escape(section) + r".*?(?=\n## |\Z)", re.S)
    doc = pattern.sub(text.rstrip() + "\n", doc) if section in doc else doc.rstrip() + "\n\n" + text.rstrip() + "\n"
    path.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--history", type=int, default=3, help="months of paid invoices from April 2023 (3: the quarter reported)")
    parser.add_argument("--database-url", required=True, help="postgres://… (dropped and re-created)")
    parser.add_argument("--write", action="store_true", help="write the result into docs/benchmarks.md")
    parser.add_argument("--reuse", action="store_true", help="measure a database a previous run left set up (neither created nor dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end (for a later --reuse)")
    args = parser.parse_args()
    dbname = urlparse(args.database_url).path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", dbname) or "bench" not in dbname:
        raise SystemExit("the benchmark database name must contain 'bench' (it is dropped)")
    if not args.reuse:
        common.admin_sql(args.database_url, f"DROP DATABASE IF EXISTS {dbname}", f"CREATE DATABASE {dbname}")
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="lindung.settings",
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
    )
    import django

    django.setup()
    try:
        from django.db import connection

        n = args.participants
        t0 = time.perf_counter()
        if args.reuse:
            from lindung.membership.models import Sponsor

            extra = {"sponsor": Sponsor.objects.get(code="BENCH"), "deaths": max(1, n // 1000)}
        else:
            bench_billing.setup(n, history=args.history)
            extra = extra_setup(n)
        lines = n * 2 * args.history
        print(f"set-up: {n:,} participants, {lines:,} invoice lines, {extra['deaths']:,} deaths in {time.perf_counter() - t0:.1f} s", flush=True)
        base_s = baseline(extra["sponsor"].pk)
        print(f"(a) baseline: the quarter's lines summed and the open memberships counted in {base_s:.2f} s", flush=True)
        run_s, queries, parts, report = measured(extra["sponsor"])
        ratio = run_s / base_s if base_s else float("nan")
        print(f"(b) build_report: {run_s:.2f} s, {queries} queries — {ratio:.2f}× baseline; sections {parts}", flush=True)
        ended = n // 100 + (1 if n % 100 > 7 else 0)
        assert report.membership.ended == ended and report.membership.enrolled_at_end == n - ended, report.membership
        assert report.contributions.billed == 16_800 * n * min(args.history, 3), report.contributions
        assert report.handover_total == 42_000_000 * extra["deaths"]
        page_s, status = page()
        assert status == 200, status
        print(f"(c) the page: {page_s:.2f} s", flush=True)
        pg = connection.cursor().connection.info.server_version
        load = os.getloadavg()[0]
        section_rows = "\n".join(f"| &nbsp;&nbsp;{k} | {v:.2f} s | |" for k, v in parts.items())
        text = f"""## Programme report (reports)

`bench/bench_reports.py --participants {n}` on PostgreSQL {pg // 10000}, Python {platform.python_version()}, {os.cpu_count()} cores
(load average {load:.1f} while it ran: the machine was shared); run {dt.date.today()}. One sponsor with
{n:,} workers and {lines:,} invoice lines (April–June 2023, paid), 1 % of the memberships ended in June,
{extra["deaths"]:,} JKM deaths decided in the quarter (half paid) and a hand-over event; the report of
{QUARTER}.

| step | time | notes |
|---|---:|---|
| (a) baseline: the quarter's lines summed, the open memberships counted (two hand-written queries) | {base_s:.2f} s | |
| (b) `build_report(sponsor, {QUARTER})`: every figure | {run_s:.2f} s | **{ratio:.2f}× baseline**; {queries} SQL queries whatever N |
{section_rows}
| (c) the page `/reports/sponsors/BENCH/?period={QUARTER}` (test client, administrator) | {page_s:.2f} s | selectors, document, template |

Every figure is a set-based aggregate (no row reaches Python) and no query runs a subquery per row
(`docs/reports.md`): the sections are measured one by one above (a second run, with the database's
cache warm). The quarter's lines are read through the unique index (invoice, period, participant,
programme) from the sponsor's invoices, the memberships through the sponsorship periods' sponsor
index and their (participant, sponsor) index.
"""
        print(text)
        if args.write:
            write_doc(text)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.reuse and not args.keep:
            common.admin_sql(args.database_url, f"DROP DATABASE IF EXISTS {dbname}")


if __name__ == "__main__":
    main()
