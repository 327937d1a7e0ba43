"""The set-based kernel of the bulk paths (the roster import, ``lindung.membership.roster``; the
registration of a worker list, ``lindung.membership.registration.lists``): rows inserted into the
real tables with their primary keys handed out up front (PostgreSQL ``COPY``, SQLite
``executemany``), and look-ups of a chunk of values passed as one parameter."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.utils import timezone

# The columns the bulk paths write, in the order of their rows' tuples.
PERSON_COLUMNS = [
    "id",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "region_id",
    "address",
    "phone",
    "occupation",
    "family_card_number",
    "bank_name",
    "bank_account_number",
    "bank_account_holder",
    "nik_warnings",
    "created_at",
    "updated_at",
]
STATUS_COLUMNS = ["participant_id", "from_status", "to_status", "effective_date", "reason", "note", "at", "actor_id"]


class BulkWriter:
    """Inserts rows into real tables: ``COPY`` on PostgreSQL, ``executemany`` elsewhere; hands out
    primary keys up front so related rows need no read-back."""

    def __init__(self):
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}

    def ids(self, table: str, n: int) -> list[int]:
        if n == 0:
            return []
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
                return [r[0] for r in cur.fetchall()]
            if table not in self._next_id:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                top = cur.fetchone()[0]
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cur.fetchone()
                self._next_id[table] = max(top, seq[0] if seq else 0) + 1
        first = self._next_id[table]
        self._next_id[table] = first + n
        return list(range(first, first + n))

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(columns)
        if self.vendor == "postgresql":
            connection.ensure_connection()
            with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)

    def date(self, value: dt.date):
        return value if self.vendor == "postgresql" else value.isoformat()

    def now(self):
        now = timezone.now()
        return now if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)


def lookup(sql: str, values: list, dates: tuple[int, ...] = (), before: list | tuple = ()) -> list[tuple]:
    """``sql`` with ``{}`` replaced by a membership test against ``values`` passed as ONE
    parameter (PostgreSQL ``= ANY(array)``, SQLite ``IN (SELECT value FROM json_each(...))``), so a
    10,000-value chunk is one short statement, not 10,000 placeholders. ``before``: the parameters
    of the placeholders before ``{}``. ``dates``: the columns SQLite returns as ISO text that are
    dates. No values, no rows (and no query)."""
    if not values:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(sql.format("= ANY(%s)"), [*before, values])
        else:
            cur.execute(sql.format("IN (SELECT value FROM json_each(%s))"), [*before, json.dumps(values)])
        rows = cur.fetchall()
    if connection.vendor != "postgresql" and dates:
        rows = [tuple(dt.date.fromisoformat(v) if i in dates and isinstance(v, str) else v for i, v in enumerate(r)) for r in rows]
    return rows
