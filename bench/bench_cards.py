"""Membership cards benchmark: a sponsor's bulk card PDF (10,000 cards, one per page, each with
its own QR code) against two baselines measured in the same process on the same rows:

- raw data: reading the card rows and writing them as CSV text (what any export must do);
- text-only PDF: the same fpdf2 pages with the same text but no QR code.

    .venv/bin/python bench/bench_cards.py [--cards 10000] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

With --database-url a scratch database ``lindung_bench_cards`` is created on that server and
dropped afterwards; without it a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="lindung-bench-")
    scratch = None
    if args.database_url:
        import psycopg

        scratch = "lindung_bench_cards"
        with psycopg.connect(args.database_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
            admin.execute(f"CREATE DATABASE {scratch}")
        url = args.database_url.rsplit("/", 1)[0] + "/" + scratch
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update({"DATABASE_URL": url, "DEBUG": "1", "LINDUNG_DATA_DIR": tmp, "DJANGO_SETTINGS_MODULE": "lindung.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from lindung.membership import cards
    from lindung.membership.kpj import format_kpj
    from lindung.membership.models import Participant, Sponsor, SponsorAgreement
    from lindung.registry.models import Person
    from lindung.registry.nik import make_nik
    from lindung.registry.services import import_bundled_regions

    import_bundled_regions()
    sponsor = Sponsor.objects.create(code="PEMKO-DUMAI", name="Pemerintah Kota Dumai", type="city", region_id="14.72", funding_source="APBD")
    agreement = SponsorAgreement.objects.create(
        sponsor=sponsor,
        number="PKS-2024",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31),
        programs=["JKK", "JKM"],
        budget=2_016_000_000,
        quota=args.cards,
    )
    n = args.cards
    persons = []
    for i in range(n):
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        sex = "F" if i % 2 else "M"
        persons.append(
            Person(
                nik=make_nik("14.72.0" + str(1 + i % 7), birth, sex, 1 + i % 9999),
                full_name=f"Pekerja Rentan Dumai {i:05d}",
                birth_date=birth,
                sex=sex,
            )
        )
    seen = set()
    unique = []
    for p in persons:
        if p.nik not in seen:
            seen.add(p.nik)
            unique.append(p)
    Person.objects.bulk_create(unique, batch_size=5000)
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    Participant.objects.bulk_create(
        [
            Participant(
                kpj_number=format_kpj(2024, i + 1),
                person_id=pid,
                segment="BPU",
                programs=["JKK", "JKM"],
                wage=1_000_000,
                agreement=agreement,
                sponsor=sponsor,
                start_date=dt.date(2024, 1, 1),
            )
            for i, pid in enumerate(ids)
        ],
        batch_size=5000,
    )
    count = Participant.objects.count()
    qs = cards.sponsor_card_queryset(sponsor)
    base_url = "https://lindung.example"

    t = time.perf_counter()
    buf = io.StringIO()
    writer = csv.writer(buf)
    for c in cards.card_data(qs):
        writer.writerow([c.kpj, c.name, cards.mask_nik(c.nik), "+".join(c.programs), c.start_date, c.valid_until, c.payer])
    Path(tmp, "raw.csv").write_text(buf.getvalue())
    raw = time.perf_counter() - t

    t = time.perf_counter()
    text_pdf = cards.render_cards(cards.card_data(qs), base_url, with_qr=False)
    Path(tmp, "text.pdf").write_bytes(text_pdf)
    text_only = time.perf_counter() - t

    t = time.perf_counter()
    job = cards.start_sponsor_cards(sponsor, actor=None, base_url=base_url)
    full = time.perf_counter() - t
    assert job.status == "succeeded", job.error
    size = job.result["bytes"]

    print(f"database: {connection.vendor}; cards: {count}")
    print(f"raw data (read rows, write CSV):      {raw:7.2f} s")
    print(f"fpdf2 text-only pages (no QR):        {text_only:7.2f} s  ({len(text_pdf) / 1e6:.1f} MB)")
    print(f"Lindung bulk card job (text + QR):    {full:7.2f} s  ({size / 1e6:.1f} MB, {count / full:,.0f} cards/s)")
    print(f"ratio vs raw data: {full / raw:.1f}x; vs text-only PDF: {full / text_only:.1f}x")
    if scratch:
        connection.close()
        import psycopg

        with psycopg.connect(args.database_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
