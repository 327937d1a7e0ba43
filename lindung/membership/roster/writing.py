"""Pass 3 of an import: the rows to enrol written set-based (PostgreSQL ``COPY``, SQLite
``executemany``, ``lindung.membership.bulk.BulkWriter``): KPJ numbers reserved in one block,
persons, participants, sponsorship periods and status changes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from lindung.membership.bulk import PERSON_COLUMNS, STATUS_COLUMNS, BulkWriter
from lindung.membership.kpj import kpj_number, reserve_kpj_block
from lindung.membership.models import Participant, RosterImport, SponsorshipPeriod, StatusChange
from lindung.membership.roster.context import ImportContext
from lindung.membership.roster.spool import CHUNK, Spool, chunks
from lindung.registry.models import Person


def write_enrolments(ctx: ImportContext, enrol: Spool, batch: RosterImport, actor, progress: Callable | None) -> None:
    """Pass 3: enrol the rows of ``enrol`` (inside the import's transaction)."""
    n = enrol.count
    if n == 0:
        return
    agreement, sponsor = ctx.agreement, ctx.agreement.sponsor
    start = ctx.cover_start
    year = start.year
    serial = reserve_kpj_block(n, year)  # one block for the whole import; the first serial only
    w = BulkWriter()
    now = w.now()
    start_v = w.date(start)
    programs = json.dumps(list(agreement.programs))
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    person_t, part_t = Person._meta.db_table, Participant._meta.db_table
    period_t = SponsorshipPeriod._meta.db_table
    change_t = StatusChange._meta.db_table
    done = 0
    for chunk in chunks(enrol.rows(), CHUNK):
        new_rows = [r for r in chunk if not r[11]]
        new_ids = iter(w.ids(person_t, len(new_rows)))
        person_rows = []
        person_ids = []
        existing_updates = []
        for r in chunk:
            warnings = json.dumps(r[10].split(",") if r[10] else [])
            if r[11]:
                pid = int(r[11])
                existing_updates.append((pid, r))
            else:
                pid = next(new_ids)
                person_rows.append(
                    (pid, r[1], r[2], w.date(dt.date.fromisoformat(r[3])), r[4], r[5], r[6], r[8], r[7], r[9], "", "", "", warnings, now, now)
                )
            person_ids.append(pid)
        w.insert(person_t, PERSON_COLUMNS, person_rows)
        if existing_updates:
            _update_existing_persons(existing_updates)
        part_ids = w.ids(part_t, len(chunk))
        w.insert(
            part_t,
            [
                "id",
                "kpj_number",
                "person_id",
                "segment",
                "programs",
                "wage",
                "risk_class",
                "agreement_id",
                "sponsor_id",
                "branch_id",
                "start_date",
                "status",
                "exit_reason",
                "created_at",
                "updated_at",
            ],
            [
                (
                    part_id,
                    kpj_number(year, serial + done + i),
                    pid,
                    "BPU",
                    programs,
                    agreement.declared_income,
                    "",
                    agreement.pk,
                    sponsor.pk,
                    sponsor.branch_id,
                    start_v,
                    "active",
                    "",
                    now,
                    now,
                )
                for i, (part_id, pid) in enumerate(zip(part_ids, person_ids, strict=True))
            ],
        )
        w.insert(
            period_t,
            ["participant_id", "agreement_id", "sponsor_id", "start_date", "end_reason", "import_batch_id"],
            [(part_id, agreement.pk, sponsor.pk, start_v, "", batch.pk) for part_id in part_ids],
        )
        w.insert(
            change_t,
            STATUS_COLUMNS,
            [(part_id, "", "active", start_v, "roster_import", f"roster import #{batch.pk}", now, actor_id) for part_id in part_ids],
        )
        done += len(chunk)
        ctx.summary.enrolled += len(chunk)
        if progress:
            progress(done, n, "enrolling")


def _update_existing_persons(updates: list[tuple[int, list[str]]]) -> None:
    """A known person enrolled again: the roster fills the register's blanks only; what the
    register holds (name, birth date, sex, contact details) is never overwritten by a sponsor's file."""
    persons = Person.objects.in_bulk([pid for pid, _r in updates])
    changed = []
    for pid, r in updates:
        p = persons[pid]
        for attr, value in (("region_id", r[5]), ("address", r[6]), ("occupation", r[7]), ("phone", r[8]), ("family_card_number", r[9])):
            if value and not getattr(p, attr):
                setattr(p, attr, value)
        changed.append(p)
    Person.objects.bulk_update(changed, ["region_id", "address", "occupation", "phone", "family_card_number", "updated_at"], batch_size=1000)
