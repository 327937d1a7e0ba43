"""Pass 2 of an import: the good rows against the database in chunks (already enrolled here,
active elsewhere, deceased), then quota and budget in file order; rows to enrol to a spool."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lindung.core import formatting
from lindung.membership.bulk import lookup
from lindung.membership.held.reasons import row_reason_text
from lindung.membership.models import HeldRow, Verdict
from lindung.membership.roster.context import ImportContext, reject
from lindung.membership.roster.spool import CHUNK, Spool, chunks
from lindung.membership.roster.usage import Pricer, agreement_usage


def classify(ctx: ImportContext, good: Spool, enrol: Spool, progress: Callable | None) -> None:
    """Pass 2: the database's view of each good row, in chunks; quota and budget in file order.
    Rows to enrol go to ``enrol`` as the good row plus the existing person's id (or "")."""
    agreement = ctx.agreement
    summary = ctx.summary
    pricer = Pricer(agreement)
    usage = agreement_usage(agreement, pricer)
    per_worker = pricer.cost(ctx.cover_start)
    active, committed = usage.active, usage.committed
    done = 0
    for chunk in chunks(good.rows(), CHUNK):
        niks = [r[1] for r in chunk]
        persons = {
            nik: (pk, death, name, birth, contact)
            for nik, pk, death, name, birth, *contact in lookup(
                "SELECT nik, id, death_date, full_name, birth_date, region_id, address, occupation, phone, family_card_number "
                "FROM registry_person WHERE nik {} ",
                niks,
                dates=(2, 4),
            )
        }
        open_memberships: dict[int, int | None] = {}
        if persons:
            for person_id, agreement_id in lookup(
                "SELECT person_id, agreement_id FROM membership_participant WHERE status <> 'ended' AND person_id {} ",
                [p[0] for p in persons.values()],
            ):
                # One open membership here wins over any other (it makes the row a no-op).
                if open_memberships.get(person_id) != agreement.pk:
                    open_memberships[person_id] = agreement_id
        # Rows the branch office rejected before under this agreement, for the persons of rows
        # that would be held (one query per chunk, by the indexed person).
        earlier = rejected_before(agreement.pk, {persons[r[1]][0] for r in chunk if r[1] in persons})
        for row in chunk:
            row_no, nik = int(row[0]), row[1]
            person = persons.get(nik)
            code = None
            detail = ""
            if person is not None:
                pid, death, registered_name, registered_birth, contact = person
                same = same_identity(row, registered_name, registered_birth)
                if open_memberships.get(pid) == agreement.pk:
                    # The sponsor's own worker under this agreement (enrolled from a row that named
                    # the register's person, or accepted by the branch office): nothing to do, and
                    # nothing the sponsor does not see already.
                    summary.already_enrolled += 1
                    if same and ctx.proposals is not None:
                        propose_changes(ctx.proposals, pid, row, contact)
                    continue
                # A NIK the register knows under another name or birth date, enrolled elsewhere or
                # deceased: held for the branch office. One code and one message for all three, so
                # the row's answer tells the sponsor nothing of the register.
                if not same or pid in open_memberships or death is not None:
                    refusal = rejection_of(row, earlier.get(pid, ()))
                    if refusal is not None:
                        # The same row again, unchanged since the branch office rejected it: the
                        # sponsor is answered with that decision, and nothing is held again.
                        code, detail = "rejected_earlier", refusal
                    else:
                        code = "verification_needed"
                        summary.held += 1
                        if ctx.held is not None:
                            ctx.held.write([*row[:10], pid])
            if code is None:
                if active >= agreement.quota:
                    code = "over_quota"
                elif committed + per_worker > agreement.budget:
                    code = "over_budget"
            if code is not None:
                summary.rejected += 1
                reject(ctx, ctx.errors_db, row_no, code, _raw_from_good(ctx, row), detail)
                continue
            active += 1
            committed += per_worker
            if row[10]:
                summary.warnings += 1
                for w in row[10].split(","):
                    reject(ctx, ctx.errors_db, row_no, w, _raw_from_good(ctx, row), "")
            if person is not None and ctx.proposals is not None:
                propose_changes(ctx.proposals, person[0], row, person[4])
            enrol.write([*row, person[0] if person else ""])
        done += len(chunk)
        if progress:
            progress(done, good.count, "checking against the register")


# The values of a roster row a held row keeps (``HeldRow``'s fields), in spool column order from 2.
HELD_VALUES = ("full_name", "birth_date", "sex", "region_id", "address", "occupation", "phone", "family_card_number")


def rejected_before(agreement_id: int, person_ids: set[int]) -> dict[int, list[tuple]]:
    """Per registered person, the decided held rows of this agreement, the latest first: ``(status,
    decided_at, reason, *HELD_VALUES)``. Few rows (only persons the register knows get here)."""
    if not person_ids:
        return {}
    out: dict[int, list[tuple]] = {}
    decided = (
        HeldRow.objects.filter(agreement_id=agreement_id, person_id__in=person_ids, status__in=[Verdict.REJECTED, Verdict.ACCEPTED])
        .order_by("-decided_at", "-id")
        .values_list("person_id", "status", "decided_at", "reason", *HELD_VALUES)
    )
    for person_id, *rest in decided:
        out.setdefault(person_id, []).append(tuple(rest))
    return out


def rejection_of(row: list[str], decided: Iterable[tuple]) -> str | None:
    """When the branch office's latest decision on a row with exactly these values (the name
    compared as :func:`same_identity` does) was a rejection, not followed by an acceptance: its date
    and reason in the sponsor's words, in Indonesian like the error file (else ``None``)."""
    for status, decided_at, reason, name, birth, sex, region, *rest in decided:
        if status == Verdict.ACCEPTED:
            return None
        same = (_name_key(row[2]), row[3], row[4], row[5] or None, *row[6:10]) == (_name_key(name), birth.isoformat(), sex, region, *rest)
        if same:
            with translation.override("id"):
                return _("%(date)s, reason: %(reason)s") % {
                    "date": formatting.date(timezone.localdate(decided_at)),
                    "reason": row_reason_text(reason).rstrip("."),
                }
    return None


# The contact fields a roster row carries (its spool columns) and the register's columns, in the
# order of the person look-up's ``contact``: what a file may fill in when blank, or else propose.
CONTACT_FIELDS = (("region", 5), ("address", 6), ("occupation", 7), ("phone", 8), ("family_card_number", 9))


def propose_changes(spool: Spool, person_id: int, row: list[str], contact) -> None:
    """A row naming a registered person: every contact value of the file that differs from a
    value the register holds is a change proposal (a blank in the register is filled in instead,
    by the write pass). Only rows of existing persons get here."""
    for (fld, col), registered in zip(CONTACT_FIELDS, contact, strict=True):
        value = row[col]
        if value and registered and value != registered:
            spool.write([person_id, row[0], fld, registered, value])


def _name_key(name: str) -> str:
    """Names compared without case, punctuation or spacing ("SITI  AMINAH" = "Siti Aminah.")."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def same_identity(row: list[str], registered_name: str, registered_birth) -> bool:
    """The roster row names the registered person: the same name and birth date."""
    birth = registered_birth.isoformat() if hasattr(registered_birth, "isoformat") else str(registered_birth or "")
    return _name_key(row[2]) == _name_key(registered_name or "") and row[3] == birth


def _raw_from_good(ctx: ImportContext, row: list[str]) -> list[str]:
    """The row's values in the file's column order (from the normalised spool row)."""
    values = {
        "nik": row[1],
        "name": row[2],
        "birth_date": row[3],
        "sex": "L" if row[4] == "M" else "P",
        "region_code": row[5],
        "address": row[6],
        "occupation": row[7],
        "phone": row[8],
        "family_card_number": row[9],
    }
    out = [""] * len(ctx.header)
    for fld, i in ctx.index.items():
        if fld in values and i < len(out):
            out[i] = values[fld]
    return out
