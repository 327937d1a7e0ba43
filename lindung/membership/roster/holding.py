"""After the enrolments of an import: the rows held for the branch office's verification and the
changes the file proposes to the register, inserted set-based from the spools pass 2 wrote (one
``executemany`` per chunk; a row or proposal already pending is not recorded twice)."""

from __future__ import annotations

from django.db import connection

from lindung.membership.bulk import BulkWriter
from lindung.membership.models import ChangeProposal, HeldRow, RosterImport
from lindung.membership.roster.context import ImportContext
from lindung.membership.roster.spool import CHUNK, chunks

HELD_COLUMNS = (
    "roster_import_id",
    "agreement_id",
    "sponsor_id",
    "row_number",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "region_id",
    "address",
    "occupation",
    "phone",
    "family_card_number",
    "cover_start",
    "person_id",
    "status",
    "reason",
    "created_at",
)
PROPOSAL_COLUMNS = (
    "person_id",
    "sponsor_id",
    "roster_import_id",
    "row_number",
    "field",
    "current_value",
    "proposed_value",
    "status",
    "reason",
    "created_at",
)


def write_held(ctx: ImportContext, batch: RosterImport) -> tuple[int, int]:
    """Insert the held rows and the change proposals of ``batch`` (inside the import's
    transaction). Returns how many of each were recorded."""
    w = BulkWriter()
    now = w.now()
    agreement = ctx.agreement
    cover_start = w.date(ctx.cover_start)
    if ctx.held is not None and ctx.held.count:
        table = HeldRow._meta.db_table
        sql = f"INSERT INTO {table} ({', '.join(HELD_COLUMNS)}) VALUES ({', '.join(['%s'] * len(HELD_COLUMNS))}) ON CONFLICT DO NOTHING"
        for chunk in chunks(ctx.held.rows(), CHUNK):
            rows = [
                (batch.pk, agreement.pk, agreement.sponsor_id, int(r[0]), r[1], r[2], r[3], r[4], r[5] or None, r[6], r[7], r[8], r[9])
                + (cover_start, int(r[10]), "pending", "", now)
                for r in chunk
            ]
            _execute(sql, rows)
    if ctx.proposals is not None and ctx.proposals.count:
        table = ChangeProposal._meta.db_table
        # A change the branch office rejected is not proposed again by the same value.
        sql = (
            f"INSERT INTO {table} ({', '.join(PROPOSAL_COLUMNS)}) SELECT {', '.join(['%s'] * len(PROPOSAL_COLUMNS))} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE person_id = %s AND field = %s AND proposed_value = %s AND status = 'rejected') "
            "ON CONFLICT DO NOTHING"
        )
        for chunk in chunks(ctx.proposals.rows(), CHUNK):
            rows = [
                (int(r[0]), agreement.sponsor_id, batch.pk, int(r[1]), r[2], r[3][:300], r[4][:300], "pending", "", now, int(r[0]), r[2], r[4][:300])
                for r in chunk
            ]
            _execute(sql, rows)
    return HeldRow.objects.filter(roster_import=batch).count(), ChangeProposal.objects.filter(roster_import=batch).count()


def _execute(sql: str, rows: list[tuple]) -> None:
    with connection.cursor() as cur:
        cur.executemany(sql, rows)
