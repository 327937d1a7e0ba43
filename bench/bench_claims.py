"""Claims benchmark (issue 11).

    .venv/bin/python bench/bench_claims.py --participants 1000000 --claims 50000 \\
        --database-url postgres://postgres@127.0.0.1:5432/lindung_bench_claims
    .venv/bin/python bench/bench_claims.py --participants 50000 --claims 5000 --deaths 1000 --database-url ... --no-write   # quick

The database named in --database-url is dropped, created, migrated and dropped again at the end.
Set-up (not measured, SQL): N sponsored participants of one branch, three paid months of history
for the claimed ones, C claims spread over the workflow's states (with two heirs each and their
creation decisions), and a family for the participants of the death file.

Measured, in the same process:
  (a) baseline — the hand-written SQL of one work-queue page (the claims of a branch in one state,
      joined to participant and person, 50 rows) and of one claim row with its heirs;
  (b) every work-queue page (web and API) as the user who works it, and the claim page, through
      Django's test client: p50 / p95 / p99 over repeated requests (target p95 < 300 ms);
  (c) a death file of D rows matched and opened (``death_file.open_from_rows``; target < 30 s), against
      a baseline ``INSERT … SELECT`` of the same number of claim rows.
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

START = dt.date(2023, 10, 1)
STATES = [("reported", 0.2), ("draft", 0.1), ("submitted", 0.2), ("verified", 0.2), ("approved", 0.1), ("ready_for_payment", 0.2)]


def setup(n: int, claims: int, deaths: int) -> dict:
    from django.db import connection

    ref = common.base_setup(participants=n, branch=True, roles=("officer", "verifier", "branch_head"), start=START)
    sponsor, branch, users = ref.sponsor, ref.branch, ref.users
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        common.insert_workers(cur, ref, n, nik_prefix="14")
        # paid history (October 2023 – January 2024) for the claimed participants and the death file's
        inv = common.history_invoice(ref, "HIST-2023Q4", START, dt.date(2024, 1, 1))
        common.insert_paid_lines(cur, inv.pk, common.months(START, dt.date(2024, 1, 1)), up_to_participant=claims + deaths)
        cases = []
        first = 1
        for state, share in STATES:
            count = int(claims * share)
            cases.append((state, first, first + count - 1))
            first += count
        for state, lo, hi in cases:
            deadline = "NULL" if state in ("reported", "draft") else "DATE '2024-01-20'"
            complete = "NULL" if state in ("reported", "draft") else "DATE '2024-01-15'"
            total = "42000000" if state in ("verified", "approved", "ready_for_payment") else "NULL"
            cur.execute(
                f"""INSERT INTO claims_claim (number, participant_id, sponsor_id, branch_id, program, outcome, event_date, status, source,
                       reported_at, report_note, opened_at, claimant_name, claimant_relation, claimant_phone, funeral_arranger, wage,
                       incapacity_months, disabilities, left_handed, home_care, complete_on, deadline, deadline_detail, checks, benefit, benefit_total,
                       status_reason, created_at, updated_at)
                   SELECT 'KLM-2024-' || LPAD(g::text, 6, '0'), g, %s, %s, 'JKM', 'death', DATE '2023-12-10', %s, 'branch',
                       now() - (g %% 300) * interval '1 day', '', NULL, '', '', '', '', NULL, 0, '[]'::jsonb, false, 0,
                       {complete}, {deadline}, '{{}}'::jsonb, '[]'::jsonb, '{{}}'::jsonb, {total}, '', now() - (g %% 300) * interval '1 day', now()
                   FROM generate_series(%s, %s) g""",
                [sponsor.pk, branch.pk, state, lo, hi],
            )
        cur.execute(
            """INSERT INTO claims_claimheir (claim_id, relation, full_name, nik, school_level, year_in_level, is_married, is_working, phone, address,
                   entitled, heir_class, created_at)
               SELECT c.id, r.relation, r.relation || ' ' || c.id, '', '', 1, false, false, '0812', '', true, 'spouse_or_children', now()
               FROM claims_claim c CROSS JOIN (VALUES ('spouse'), ('child')) r(relation)"""
        )
        cur.execute(
            """INSERT INTO core_decision (at, actor_id, actor_username, source, workflow, transition, object_type, object_id, from_state, to_state,
                   reason, note, count, details)
               SELECT now(), %s, 'bench-officer', 'system', 'claims.claim', 'create', 'claims.claim', c.id::text, '', c.status, '', '', 1, '{}'::jsonb
               FROM claims_claim c""",
            [users["officer"].pk],
        )
        # families for the participants of the death file (spouse + child each)
        cur.execute(
            """INSERT INTO registry_familymember (person_id, relation, full_name, nik, birth_date, sex, school_level, is_married, is_working, phone,
                   created_at, updated_at)
               SELECT p.id, r.relation, r.relation || ' ' || p.id, '', r.born, r.sex, '', false, false, '', now(), now()
               FROM registry_person p
               CROSS JOIN (VALUES ('spouse', DATE '1982-01-01', 'F'), ('child', DATE '2012-05-05', 'M')) r(relation, born, sex)
               WHERE p.id > %s AND p.id <= %s""",
            [claims, claims + deaths],
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"branch": branch.pk, "users": users, "setup_s": time.perf_counter() - t0}


def _pct(values: list[float]) -> dict:
    values = sorted(values)
    q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
    return {"p50": statistics.median(values), "p95": q[94], "p99": q[98], "n": len(values)}


def baseline(branch: int, repeat: int) -> dict:
    from django.db import connection

    times = []
    with connection.cursor() as cur:
        for _ in range(repeat):
            t0 = time.perf_counter()
            cur.execute(
                """SELECT c.number, c.status, c.event_date, c.deadline, p.kpj_number, pe.full_name, pe.nik FROM claims_claim c
                   JOIN membership_participant p ON p.id = c.participant_id JOIN registry_person pe ON pe.id = p.person_id
                   WHERE c.branch_id = %s AND c.status = 'submitted' ORDER BY c.deadline, c.id LIMIT 50""",
                [branch],
            )
            cur.fetchall()
            cur.execute("SELECT count(*) FROM claims_claim WHERE branch_id = %s AND status = 'submitted'", [branch])
            cur.fetchall()
            times.append((time.perf_counter() - t0) * 1000)
    return _pct(times)


def pages(users: dict, claims: int, repeat: int) -> dict:
    from django.test import Client

    from lindung.claims.models import Claim

    out = {}
    queue_users = {
        "unclaimed": "officer",
        "intake": "officer",
        "verification": "verifier",
        "approval": "branch_head",
        "overdue": "branch_head",
        "all": "officer",
    }
    clients = {}
    for role, user in users.items():
        c = Client()
        c.force_login(user)
        clients[role] = c
    for queue, role in queue_users.items():
        for kind, url in (("web", f"/claims/?queue={queue}"), ("api", f"/api/v1/claims?queue={queue}")):
            times = []
            for i in range(repeat + 2):
                t0 = time.perf_counter()
                r = clients[role].get(url, secure=True)
                elapsed = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, (url, r.status_code)
                if i >= 2:  # two warm-up requests
                    times.append(elapsed)
            out[f"{kind} {queue}"] = _pct(times)
    numbers = list(Claim.objects.values_list("number", "status")[:claims])
    rng = random.Random(11)
    for kind in ("web", "api"):
        times = []
        for i in range(repeat * 3 + 2):
            number, status = rng.choice(numbers)
            role = {"submitted": "verifier", "verified": "branch_head"}.get(status, "officer")
            url = f"/claims/{number}/" if kind == "web" else f"/api/v1/claims/{number}"
            t0 = time.perf_counter()
            r = clients[role].get(url, secure=True)
            elapsed = (time.perf_counter() - t0) * 1000
            assert r.status_code == 200, (url, r.status_code)
            if i >= 2:
                times.append(elapsed)
        out[f"{kind} claim page"] = _pct(times)
    return out


def death_file(users: dict, claims: int, deaths: int) -> dict:
    from django.db import connection, transaction

    from lindung.claims.death_file import open_from_rows
    from lindung.registry.models import Person

    rows = [
        {"nik": nik, "name": name, "death_date": "2024-01-05"}
        for nik, name in Person.objects.filter(pk__gt=claims, pk__lte=claims + deaths).values_list("nik", "full_name")
    ]
    # baseline: the same number of claim rows written by one INSERT … SELECT, rolled back
    t0 = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                """INSERT INTO claims_claim (number, participant_id, sponsor_id, branch_id, program, outcome, event_date, status, source, report_note,
                       claimant_name, claimant_relation, claimant_phone, funeral_arranger, incapacity_months, disabilities, left_handed, home_care,
                       deadline_detail, checks, benefit, status_reason, created_at, updated_at)
                   SELECT 'BASE-' || p.id, p.id, p.sponsor_id, p.branch_id, 'JKM', 'death', DATE '2024-01-05', 'reported', 'death_file', '', '', '', '', '',
                       0, '[]'::jsonb, false, 0, '{}'::jsonb, '[]'::jsonb, '{}'::jsonb, '', now(), now()
                   FROM membership_participant p WHERE p.id > %s AND p.id <= %s""",
                [claims, claims + deaths],
            )
        transaction.set_rollback(True)
    base_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = open_from_rows(rows, actor=users["officer"], today=dt.date(2024, 4, 1))
    run_s = time.perf_counter() - t0
    assert len(result.opened) == deaths and not result.errors, result.as_dict()["errors"][:3]
    return {"rows": deaths, "run_s": run_s, "base_s": base_s, "cover": result.cover}


def write_doc(text: str) -> None:
    common.replace_section("## Claims (issue 11)", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--deaths", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per page")
    parser.add_argument("--database-url", required=True, help="postgres://… (dropped and re-created)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with common.bench_database(args.database_url, keep=args.keep, ALLOWED_HOSTS="testserver"):
        print(common.load(), flush=True)
        from django.conf import settings

        # the pages are rendered without collectstatic: plain static URLs (no manifest) for the benchmark
        settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        n, c, d = args.participants, args.claims, args.deaths
        info = setup(n, c, d)
        print(f"set-up: {n:,} participants, {c:,} claims in {info['setup_s']:.1f} s", flush=True)
        base = baseline(info["branch"], args.repeat)
        print(f"(a) baseline queue SQL: p50 {base['p50']:.1f} ms, p95 {base['p95']:.1f} ms", flush=True)
        measured = pages(info["users"], c, args.repeat)
        for name, p in measured.items():
            print(
                f"(b) {name}: p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms, p99 {p['p99']:.1f} ms ({p['p95'] / base['p95']:.1f}× baseline p95)",
                flush=True,
            )
        df = death_file(info["users"], c, d)
        print(
            f"(c) death file: {df['rows']:,} rows matched and opened in {df['run_s']:.2f} s ({df['run_s'] / df['base_s']:.1f}× baseline {df['base_s']:.2f} s) {df['cover']}",
            flush=True,
        )
        from django.db import connection

        pg = connection.cursor().connection.info.server_version
        worst = max(p["p95"] for p in measured.values())
        rows = "\n".join(
            f"| {name} | {p['p50']:.1f} ms | **{p['p95']:.1f} ms** | {p['p99']:.1f} ms | {p['p95'] / base['p95']:.1f}× |"
            for name, p in measured.items()
        )
        text = f"""## Claims (issue 11)

`bench/bench_claims.py --participants {n} --claims {c} --deaths {d}` on PostgreSQL {pg // 10000}, Python {platform.python_version()}; run {dt.date.today()}.
{n:,} sponsored participants of one branch, {c:,} claims over the workflow's states (two heirs each, creation
decisions), requests through Django's test client as the user who works each queue ({args.repeat} per page after two warm-ups).

Baseline (a): the hand-written SQL of one queue page (50 rows joined to participant and person, plus its count):
p50 {base["p50"]:.1f} ms, p95 {base["p95"]:.1f} ms.

| page (b) | p50 | p95 (target < 300 ms) | p99 | p95 / baseline p95 |
|---|---:|---:|---:|---:|
{rows}

Worst p95: **{worst:.1f} ms**.

(c) Death file: {d:,} rows matched by NIK and opened as cases awaiting the heirs' claim (deaths on the register,
memberships ended in batches through the status service, heirs from the family register, cover per row from the
ledger) in **{df["run_s"]:.2f} s** (target < 30 s; {df["run_s"] / df["base_s"]:.1f}× a bare `INSERT … SELECT` of the
same claim rows, {df["base_s"]:.2f} s).
"""
        print(text)
        if not args.no_write:
            write_doc(text)
        print("at the end: " + common.load(), flush=True)


if __name__ == "__main__":
    main()
