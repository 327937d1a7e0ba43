"""Region import benchmark: Lindung's `regions import` of the Kepmendagri list against a raw insert
of the same rows in the same process (SQLite: executemany into a bare table; PostgreSQL: COPY).

    .venv/bin/python bench/bench_regions.py [--file ../shared/data/wilayah-kepmendagri-2025.csv]
                                            [--database-url postgres://postgres@127.0.0.1:5432/postgres]

With --database-url a scratch database ``lindung_bench_regions`` is created on that server and
dropped afterwards; without it a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", default=str(ROOT.parent / "shared" / "data" / "wilayah-kepmendagri-2025.csv"))
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if not Path(args.file).exists():
        print(f"no region file at {args.file}; pass --file")
        return 2
    rows = []
    with open(args.file, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for code, name in reader:
            rows.append((code, name, code.count(".") + 1, code.rsplit(".", 1)[0] if "." in code else None))

    tmp = tempfile.mkdtemp(prefix="lindung-bench-")
    scratch = None
    if args.database_url:
        import psycopg

        base = args.database_url
        scratch = "lindung_bench_regions"
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
            admin.execute(f"CREATE DATABASE {scratch}")
        url = base.rsplit("/", 1)[0] + "/" + scratch
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update({"DATABASE_URL": url, "DEBUG": "1", "LINDUNG_DATA_DIR": tmp, "DJANGO_SETTINGS_MODULE": "lindung.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lindung.registry.models import Region
    from lindung.registry.services import import_regions

    call_command("migrate", verbosity=0)
    try:
        # Baseline: the same rows into a bare table with the same primary key, in the same process.
        with connection.cursor() as cur:
            cur.execute("CREATE TABLE bench_region (code varchar(13) PRIMARY KEY, name varchar(200), level smallint, parent varchar(13))")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                with cur.connection.cursor().copy("COPY bench_region (code, name, level, parent) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            with connection.cursor() as cur:
                cur.executemany("INSERT INTO bench_region VALUES (%s, %s, %s, %s)", rows)
        connection.commit() if not connection.get_autocommit() else None
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        first = import_regions(args.file)
        lindung_first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_regions(args.file)
        lindung_again = time.perf_counter() - started
        assert Region.objects.count() == len(rows) == first.created
        assert again.unchanged == len(rows)
        label = "PostgreSQL COPY" if connection.vendor == "postgresql" else "SQLite executemany"
        print(f"database: {connection.vendor}; rows: {len(rows):,}")
        print(f"baseline ({label}): {baseline:.2f} s")
        print(
            f"lindung regions import (first): {lindung_first:.2f} s  ratio {lindung_first / baseline:.2f}x  ({len(rows) / lindung_first:,.0f} rows/s)"
        )
        print(f"lindung regions import (again, nothing to change): {lindung_again:.2f} s  ratio {lindung_again / baseline:.2f}x")
    finally:
        connection.close()
        if scratch:
            import psycopg

            with psycopg.connect(args.database_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
