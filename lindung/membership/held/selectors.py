"""Reads of the verification queue. Branch staff see the held rows and proposals of their
branch's sponsors (``visible_to``), with the registered person beside the row. The sponsor reads
only its own import's held rows, as its file gave them, and their outcome in words
(:func:`import_held_rows`): nothing of the register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from lindung.core import formatting
from lindung.core.errors import NotFound
from lindung.core.masking import mask_nik
from lindung.membership.held.reasons import row_reason_text
from lindung.membership.models import ChangeProposal, HeldRow, RosterImport, Verdict
from lindung.registry.models import Person, Region, Sex

# The fields compared between a held row and the registered person, in page order.
COMPARED = ("full_name", "birth_date", "sex", "region", "address", "occupation", "phone", "family_card_number")


def held_rows(*, user, status: str | None = Verdict.PENDING, sponsor: str | None = None) -> QuerySet[HeldRow]:
    """The held rows the user's scope shows (staff only), oldest first; ``status=None`` for all."""
    qs = HeldRow.objects.visible_to(user).select_related("sponsor", "agreement", "roster_import").order_by("id")
    if status:
        qs = qs.filter(status=status)
    if sponsor:
        qs = qs.filter(sponsor__code=sponsor)
    return qs


def held_row_get(*, user, pk: int) -> HeldRow:
    row = (
        HeldRow.objects.visible_to(user)
        .select_related("sponsor", "agreement", "roster_import", "person", "participant", "decided_by", "region")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFound(fields={"held_row": "not found"})
    return row


@dataclass(frozen=True)
class Compared:
    """One field of a held row beside the register's value, both as text to show."""

    field: str
    label: str
    row: str
    registered: str

    @property
    def differs(self) -> bool:
        return self.row != self.registered


def _shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return formatting.date(value)
    if isinstance(value, Region):
        return f"{value.name} ({value.code})"
    return str(value)


def comparison(row: HeldRow) -> list[Compared]:
    """The row beside the registered person, field by field (staff pages only)."""
    person: Person = row.person
    out = []
    for f in COMPARED:
        label = str(Person._meta.get_field(f).verbose_name)
        mine, theirs = getattr(row, f), getattr(person, f)
        if f == "sex":
            mine, theirs = str(dict(Sex.choices).get(mine, mine)), str(dict(Sex.choices).get(theirs, theirs))
        out.append(Compared(f, label, _shown(mine), _shown(theirs)))
    return out


def proposals(*, user, status: str | None = Verdict.PENDING, sponsor: str | None = None) -> QuerySet[ChangeProposal]:
    qs = ChangeProposal.objects.visible_to(user).select_related("sponsor", "person", "roster_import").order_by("id")
    if status:
        qs = qs.filter(status=status)
    if sponsor:
        qs = qs.filter(sponsor__code=sponsor)
    return qs


def proposal_get(*, user, pk: int) -> ChangeProposal:
    proposal = ChangeProposal.objects.visible_to(user).select_related("sponsor", "person", "roster_import", "decided_by").filter(pk=pk).first()
    if proposal is None:
        raise NotFound(fields={"change_proposal": "not found"})
    return proposal


def queue_counts(*, user) -> dict[str, int]:
    return {"held": held_rows(user=user).count(), "proposals": proposals(user=user).count()}


# The API answers with this class itself (``GET /api/v1/roster-imports/{id}/held``): its fields are
# written here only, and its docstring is the schema's description.
@dataclass(frozen=True)
class SponsorHeldRow:
    """A held row as its sponsor sees it: the file's own values (NIK masked), the outcome and the
    reason in words; the KPJ number once accepted (else empty)."""

    row: int
    nik: str
    name: str
    birth_date: dt.date
    status: str
    status_label: str
    reason: str
    reason_text: str
    kpj: str

    @classmethod
    def of(cls, r: HeldRow) -> SponsorHeldRow:
        return cls(
            row=r.row_number,
            nik=mask_nik(r.nik),
            name=r.full_name,
            birth_date=r.birth_date,
            status=r.status,
            status_label=str(r.get_status_display()),
            reason=r.reason,
            reason_text=row_reason_text(r.reason),
            kpj=r.participant.kpj_number if r.participant_id else "",
        )


class SponsorHeldRows:
    """An import's held rows as :class:`SponsorHeldRow`, read from the database a slice at a time:
    ``count()`` is a ``COUNT`` and ``rows[a:b]`` one ``LIMIT``/``OFFSET`` query, so a page of the API
    (``lindung.core.api.Page``) or of the import's page reads only its own rows. Iterating reads them
    all, in chunks."""

    def __init__(self, queryset: QuerySet[HeldRow]):
        self._qs = queryset

    def count(self) -> int:
        return self._qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[SponsorHeldRow]:
        if not isinstance(item, slice):
            raise TypeError("SponsorHeldRows supports only slices")
        return [SponsorHeldRow.of(r) for r in self._qs[item]]

    def __iter__(self) -> Iterator[SponsorHeldRow]:
        return (SponsorHeldRow.of(r) for r in self._qs.iterator(chunk_size=2000))


def import_held_rows(*, user, import_pk: int) -> SponsorHeldRows:
    """The rows of one roster import held for verification, in row order, for anyone who may see the
    import (the sponsor included): the values its file gave and the outcome; a KPJ once accepted.
    Never the registered person's data, never the branch office's note. NIKs masked, as in every
    list."""
    batch = RosterImport.objects.visible_to(user).filter(pk=import_pk).first()
    if batch is None:
        raise NotFound(fields={"roster_import": "not found"})
    return SponsorHeldRows(HeldRow.objects.filter(roster_import=batch).select_related("participant").order_by("row_number", "id"))
