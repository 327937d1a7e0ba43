"""Payouts benchmark (issue 12).

    .venv/bin/python bench/bench_payouts.py --database-url postgres://postgres@127.0.0.1:5432/lindung_bench_payouts
    .venv/bin/python bench/bench_payouts.py --orders 2000 --children 10000 --database-url ...   # quick

The database named in --database-url is dropped, created, migrated and dropped again at the end.
Set-up (not measured, bulk ORM): one branch, sponsor and decided claim; N payees with accounts and N
payment orders awaiting a batch; C entitled children with active scholarship schedules.

Measured, in the same process:
  (a) a batch of N orders made (``create_batch``), authorised by a second person and exported as
      pain.001.001.09 (``export_pain001``, streamed to a file; target < 10 s), against a baseline: one
      SELECT of the same rows written as the same XML by hand; the peak Python memory of the export
      (tracemalloc) for N and for N/5 orders — flat memory means about the same peak;
  (b) a bank answer of N rows (result CSV, all paid) imported (``import_bank_answer``; target < 10 s),
      against a baseline: one ``UPDATE`` of the orders and one ``INSERT … SELECT`` of the settlements;
  (c) a school year opened for C children (``open_school_year``; target < 60 s), against a baseline
      ``INSERT … SELECT`` of the same number of yearly scholarship rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402


def setup(n: int, children: int) -> dict:
    from lindung.claims.models import Claim, ClaimHeir, Payee
    from lindung.membership.models import Participant
    from lindung.payouts.models import PaymentOrder, ScholarshipSchedule
    from lindung.registry.models import Person

    ref = common.base_setup(branch=True, users={"keuangan-1": "finance", "keuangan-2": "finance"})
    sponsor, branch, users = ref.sponsor, ref.branch, ref.users
    t0 = time.perf_counter()
    person = Person.objects.create(nik="1472010101800001", full_name="Peserta Bench", birth_date=dt.date(1980, 1, 1), sex="M")
    participant = Participant.objects.create(
        kpj_number="23000000001",
        person=person,
        segment="BPU",
        programs=["JKK", "JKM"],
        wage=1_000_000,
        branch=branch,
        start_date=dt.date(2023, 10, 1),
    )
    claim = Claim.objects.create(
        number="KLM-2024-000001",
        participant=participant,
        sponsor=sponsor,
        branch=branch,
        program="JKM",
        event_date=dt.date(2024, 2, 10),
        status="ready_for_payment",
        benefit_total=42_000_000,
    )
    payees = Payee.objects.bulk_create(
        [Payee(claim=claim, kind="participant", name=f"Penerima {i}", bank_code="009", account_number=f"{i:010d}") for i in range(n)],
        batch_size=5000,
    )
    PaymentOrder.objects.bulk_create(
        [
            PaymentOrder(
                number=f"PO-2024-{i + 1:07d}",
                claim=claim,
                payee=p,
                sponsor=sponsor,
                branch=branch,
                benefit_amount=42_000_000,
                amount=42_000_000,
                payee_name=p.name,
                bank_code="009",
                bank_name="BNI",
                bank_bic="BNINIDJA",
                account_number=p.account_number,
                account_holder=p.name,
            )
            for i, p in enumerate(payees)
        ],
        batch_size=5000,
    )
    heirs = ClaimHeir.objects.bulk_create(
        [
            ClaimHeir(claim=claim, relation="child", full_name=f"Anak {i}", birth_date=dt.date(2004 + i % 18, 1 + i % 12, 1 + i % 28), entitled=True)
            for i in range(children)
        ],
        batch_size=5000,
    )
    projected = [
        {"school_year": f"{y}/{y + 1}", "starts": f"{y}-07-01", "level": "SMA", "year_in_level": 1, "amount": 3_000_000} for y in range(2024, 2030)
    ]
    ScholarshipSchedule.objects.bulk_create(
        [
            ScholarshipSchedule(
                claim=claim,
                heir=h,
                sponsor=sponsor,
                branch=branch,
                child_name=h.full_name,
                birth_date=h.birth_date,
                max_total=87_000_000,
                projected=projected,
            )
            for h in heirs
        ],
        batch_size=5000,
    )
    return {"users": users, "setup_s": time.perf_counter() - t0, "branch": branch}


def _export_baseline(batch_id: int, path: str) -> float:
    from xml.sax.saxutils import escape

    from django.db import connection

    t0 = time.perf_counter()
    with open(path, "w", encoding="utf-8") as fh, connection.cursor() as cur:
        cur.execute(
            "SELECT number, amount, bank_bic, bank_code, account_number, account_holder FROM payouts_paymentorder WHERE batch_id = %s ORDER BY id",
            [batch_id],
        )
        fh.write('<?xml version="1.0" encoding="UTF-8"?><Document><CstmrCdtTrfInitn><PmtInf>')
        for number, amount, bic, code, account, holder in cur:
            fh.write(
                f'<CdtTrfTxInf><PmtId><EndToEndId>{number}</EndToEndId></PmtId><Amt><InstdAmt Ccy="IDR">{amount}</InstdAmt></Amt>'
                f"<CdtrAgt><FinInstnId><BICFI>{bic}</BICFI><ClrSysMmbId><MmbId>{code}</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt>"
                f"<Cdtr><Nm>{escape(holder)}</Nm></Cdtr><CdtrAcct><Id><Othr><Id>{account}</Id></Othr></Id></CdtrAcct></CdtTrfTxInf>"
            )
        fh.write("</PmtInf></CstmrCdtTrfInitn></Document>")
    return time.perf_counter() - t0


def _write(chunks, path: str) -> int:
    size = 0
    with open(path, "wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            fh.write(chunk)
    return size


def export(users: dict, n: int, tmp: str) -> dict:
    from lindung.payouts import services
    from lindung.payouts.models import PaymentOrder

    ids = list(PaymentOrder.objects.order_by("id").values_list("pk", flat=True))
    small_ids, big_ids = ids[: n // 5], ids[n // 5 : n // 5 + n]
    maker, checker = users["keuangan-1"], users["keuangan-2"]
    small = services.create_batch(small_ids, actor=maker)
    t0 = time.perf_counter()
    batch = services.create_batch(big_ids, actor=maker)
    batch_s = time.perf_counter() - t0
    for b in (small, batch):
        services.authorise_batch(b, actor=checker)
    t0 = time.perf_counter()
    size = _write(services.export_pain001(batch, actor=maker), os.path.join(tmp, "big.xml"))
    run_s = time.perf_counter() - t0
    base_s = _export_baseline(batch.pk, os.path.join(tmp, "base.xml"))
    peaks = {}
    for name, b in (("small", small), ("big", batch)):
        b.refresh_from_db()
        tracemalloc.start()
        _write(services.export_pain001(b, actor=maker), os.path.join(tmp, f"{name}-mem.xml"))
        peaks[name] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return {
        "batch": batch,
        "orders": len(big_ids),
        "small_orders": len(small_ids),
        "batch_s": batch_s,
        "run_s": run_s,
        "base_s": base_s,
        "bytes": size,
        **peaks,
    }


def answer(users: dict, batch) -> dict:
    from django.db import connection, transaction

    from lindung.payouts import services
    from lindung.payouts.models import PaymentOrder

    rows = list(PaymentOrder.objects.filter(batch=batch).order_by("id").values_list("number", "amount"))
    content = ("reference,status,amount,bank_reference\r\n" + "".join(f"{n},PAID,{a},TRX{i}\r\n" for i, (n, a) in enumerate(rows))).encode()

    class Rollback(Exception):
        pass

    t0 = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE payouts_paymentorder SET status = 'paid' WHERE batch_id = %s AND status = 'sent'", [batch.pk])
            cur.execute(
                "INSERT INTO payouts_settlement (order_id, paid_on, amount, bank_reference, created_at) "
                "SELECT id, CURRENT_DATE, amount, number, now() FROM payouts_paymentorder WHERE batch_id = %s",
                [batch.pk],
            )
            raise Rollback
    except Rollback:
        pass
    base_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = services.import_bank_answer(batch, content, actor=users["keuangan-1"], filename="hasil.csv")
    run_s = time.perf_counter() - t0
    assert len(result.paid) == len(rows), (len(result.paid), len(rows))
    t0 = time.perf_counter()
    again = services.import_bank_answer(batch, content, actor=users["keuangan-1"], filename="hasil.csv")
    again_s = time.perf_counter() - t0
    assert again.duplicate
    return {"rows": len(rows), "run_s": run_s, "base_s": base_s, "again_s": again_s}


def school_year(users: dict, children: int) -> dict:
    from django.db import connection, transaction

    from lindung.payouts import services

    class Rollback(Exception):
        pass

    t0 = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO payouts_scholarshipyear (schedule_id, school_year, status, level, school_name, amount, account_name, bank_code, "
                "account_number, sponsor_id, branch_id, created_at, updated_at) SELECT id, 2025, 'open', '', '', 0, '', '', '', sponsor_id, "
                "branch_id, now(), now() FROM payouts_scholarshipschedule WHERE status = 'active'"
            )
            raise Rollback
    except Rollback:
        pass
    base_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = services.open_school_year(2025, actor=users["keuangan-1"])
    run_s = time.perf_counter() - t0
    return {"children": children, "run_s": run_s, "base_s": base_s, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--database-url", required=True, help="postgres://… (dropped and re-created)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with common.bench_database(args.database_url, keep=args.keep):
        print(common.load(), flush=True)
        n = args.orders
        info = setup(n + n // 5, args.children)
        print(f"set-up: {n + n // 5:,} orders, {args.children:,} scholarship schedules in {info['setup_s']:.1f} s", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            ex = export(info["users"], n, tmp)
        print(
            f"(a) batch of {ex['orders']:,} made in {ex['batch_s']:.2f} s; pain.001 exported in {ex['run_s']:.2f} s "
            f"({ex['bytes'] / 1e6:.1f} MB; {ex['run_s'] / ex['base_s']:.1f}× baseline {ex['base_s']:.2f} s); peak memory "
            f"{ex['big']:.1f} MB for {ex['orders']:,} orders, {ex['small']:.1f} MB for {ex['small_orders']:,}",
            flush=True,
        )
        an = answer(info["users"], ex["batch"])
        print(
            f"(b) answer of {an['rows']:,} rows reconciled in {an['run_s']:.2f} s ({an['run_s'] / an['base_s']:.1f}× baseline {an['base_s']:.2f} s); "
            f"the same file again in {an['again_s']:.2f} s",
            flush=True,
        )
        sy = school_year(info["users"], args.children)
        print(
            f"(c) school year opened for {sy['children']:,} children in {sy['run_s']:.2f} s ({sy['run_s'] / sy['base_s']:.1f}× baseline "
            f"{sy['base_s']:.2f} s): {sy['opened']:,} opened, {sy['ended_age_limit']:,} ended at the age limit",
            flush=True,
        )
        from django.db import connection

        print(f"PostgreSQL {connection.cursor().connection.info.server_version // 10000}, Python {platform.python_version()}, {dt.date.today()}")
        print("at the end: " + common.load(), flush=True)


if __name__ == "__main__":
    main()
