from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lindung.core.errors import NotFound, ServiceError
from lindung.core.files.storage import open_text
from lindung.core.masking import mask_nik
from lindung.core.models import Job
from lindung.membership import cards
from lindung.membership.models import RosterImport, Sponsor, SponsorAgreement


def sponsor_list(*, user) -> QuerySet[Sponsor]:
    return Sponsor.objects.visible_to(user).select_related("region", "branch")


def sponsor_get(*, user, code: str) -> Sponsor:
    """A sponsor the user may see; ``NotFound`` for one that does not exist *or* is out of scope
    (so nobody learns that another sponsor's code exists)."""
    try:
        return sponsor_list(user=user).get(code=code)
    except Sponsor.DoesNotExist:
        raise NotFound(_("Sponsor %(code)s not found.") % {"code": repr(code)}) from None


def card_jobs(*, user, sponsor: Sponsor) -> list[Job]:
    """The sponsor's ten latest bulk membership-card jobs the user may see."""
    return list(Job.objects.visible_to(user).filter(kind=cards.JOB_KIND, sponsor_ref=sponsor.pk).order_by("-created_at")[:10])


def agreement_list(*, user, sponsor: Sponsor | None = None) -> QuerySet[SponsorAgreement]:
    qs = SponsorAgreement.objects.visible_to(user).select_related("sponsor", "eligible_region")
    return qs.filter(sponsor=sponsor) if sponsor is not None else qs


def agreements_with_usage(*, user, sponsor: Sponsor) -> list[tuple[SponsorAgreement, object]]:
    """Each visible agreement of ``sponsor`` with its usage (workers now, premium committed)."""
    from lindung.membership.roster import agreement_usage

    return [(a, agreement_usage(a)) for a in agreement_list(user=user, sponsor=sponsor)]


def roster_import_list(*, user, sponsor: Sponsor | None = None) -> QuerySet[RosterImport]:
    qs = RosterImport.objects.visible_to(user).select_related("agreement", "sponsor", "created_by")
    return qs.filter(sponsor=sponsor) if sponsor is not None else qs


def roster_import_get(*, user, pk: int) -> RosterImport:
    try:
        return roster_import_list(user=user).get(pk=pk)
    except RosterImport.DoesNotExist:
        raise NotFound(_("Roster import %(id)s not found.") % {"id": pk}) from None


@dataclass(frozen=True)
class RejectedRow:
    """One line of an import's error file: one problem of one row (a row with two problems has two
    lines). ``nik`` is masked, as in every list; the error file itself has it whole."""

    row: int
    nik: str
    name: str
    code: str
    message: str


class RejectedRows:
    """The lines of an import's error file, optionally of one reason code, read by streaming the
    file: ``count()`` comes from the import's summary (``by_reason`` counts the lines), and a slice
    reads the file only up to the slice's end, so a million-line error file is never loaded whole.
    Works with ``lindung.core.api.Page`` (``count()`` and slicing) and with templates (iteration)."""

    def __init__(self, batch: RosterImport, reason: str | None = None):
        self.batch = batch
        self.reason = reason or None

    def count(self) -> int:
        if not self.batch.error_file_id:
            return 0
        by_reason = (self.batch.summary or {}).get("by_reason")
        if by_reason is None:
            return sum(1 for _ in self._lines())
        return int(by_reason.get(self.reason, 0)) if self.reason else sum(int(n) for n in by_reason.values())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[RejectedRow]:
        if not isinstance(item, slice) or (item.step or 1) != 1 or (item.start or 0) < 0 or (item.stop is not None and item.stop < 0):
            raise TypeError("RejectedRows supports only forward slices")
        return list(itertools.islice(self._lines(), item.start or 0, item.stop))

    def __iter__(self) -> Iterator[RejectedRow]:
        return self._lines()

    def _lines(self) -> Iterator[RejectedRow]:
        from lindung.membership.roster import ERROR_COLUMNS
        from lindung.membership.roster.layout import match_columns

        if not self.batch.error_file_id:
            return
        tail = len(ERROR_COLUMNS)  # baris, kode_kesalahan, keterangan: always the last three
        with open_text(self.batch.error_file) as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return
            index, _labels = match_columns(header[:-tail])
            nik_i, name_i = index.get("nik"), index.get("name")
            for line in reader:
                if len(line) < tail:
                    continue
                raw, (row_no, code, message) = line[:-tail], line[-tail:]
                if self.reason and code != self.reason:
                    continue
                nik = raw[nik_i] if nik_i is not None and nik_i < len(raw) else ""
                name = raw[name_i] if name_i is not None and name_i < len(raw) else ""
                yield RejectedRow(int(row_no) if row_no.isdigit() else 0, mask_nik(nik.strip()), name.strip(), code, message)


def roster_import_rejected(*, user, pk: int, reason: str | None = None) -> RejectedRows:
    """The error-file lines of an import the user may see (``NotFound`` otherwise), optionally only
    those of one reason code (``ServiceError`` ``unknown_reason`` for a code that does not exist)."""
    from lindung.membership.roster import REASONS

    batch = roster_import_get(user=user, pk=pk)
    if reason and reason not in REASONS:
        raise ServiceError("unknown_reason", _("Unknown reason code %(reason)s.") % {"reason": repr(reason)}, {"reason": "unknown reason code"})
    return RejectedRows(batch, reason)
