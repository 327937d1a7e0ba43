"""A file of deaths (a civil-registry or village list: NIK, name, date of death) matched and opened
as cases awaiting the heirs' claim, set-based.

``open_from_file(path, actor=...)`` reads the file with the kernel's tabular reader (CSV/TSV,
XLSX, XLS, ODS; ``read_death_file``); ``open_from_rows(rows, actor=...)`` takes the file's rows as
mappings (``nik``, ``name``, ``death_date``, optionally ``row``, the file's row number; by default
rows count the header as row 1) and, in one transaction:

- checks each row (NIK of 16 digits, a date that is not in the future) — a bad row is a row error
  naming the field, as for rosters; nothing of a row in error is written;
- matches the person by NIK and their participant (the membership most recently started); a NIK
  the register does not know, or a person without a membership, is a row error; a name that
  differs from the register's is a warning (civil-registry spellings vary) and the row goes on;
- skips a death already reported (row error ``death_claim_exists`` naming the claim);
- records the deaths on the register and ends the memberships through the status service
  (``bulk_change_status``, one batch per date and state), opens the cases with the family
  register's heirs, and writes one audit event for the file.

The cover on each date of death is answered from the coverage ledger and reported per row; the
claim page shows it with every other check.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.claims.models import Claim, ClaimHeir, ClaimProgram, ClaimStatus, Outcome, ReportSource
from lindung.claims.workflow import CLAIM
from lindung.contributions import coverage
from lindung.core import audit, tabular
from lindung.core.errors import FileRejected, RowError
from lindung.core.files.checks import check_path, check_upload
from lindung.membership.models import Participant
from lindung.membership.status import bulk_change_status
from lindung.registry.models import FamilyMember, Person
from lindung.rules import HeirsCase, Relative, determine_heirs

CHUNK = 2000


@dataclass
class DeathFileResult:
    rows: int = 0
    opened: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    cover: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "opened": len(self.opened),
            "claims": self.opened,
            "rejected": len({e.row for e in self.errors}),
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "cover": self.cover,
        }


def _norm(name: str) -> str:
    return " ".join(str(name or "").upper().split())


def _parse(rows: Iterable[Mapping], result: DeathFileResult, today: dt.date) -> list[tuple[int, str, str, dt.date]]:
    good = []
    seen: dict[str, int] = {}
    for position, row in enumerate(rows, start=2):
        index = int(row.get("row") or position)
        result.rows += 1
        nik = tabular.text(row.get("nik")).strip().lstrip("'").replace(" ", "")
        name = tabular.text(row.get("name")).strip()
        raw = row.get("death_date")
        if not (len(nik) == 16 and nik.isdigit()):
            result.errors.append(RowError(index, "nik_format", _("The NIK must be 16 digits."), "nik"))
            continue
        when = tabular.parse_date(raw if isinstance(raw, dt.date) else tabular.text(raw))
        if when is None:
            result.errors.append(RowError(index, "date", _("The date of death must be a date (YYYY-MM-DD or DD-MM-YYYY)."), "death_date"))
            continue
        if when > today:
            result.errors.append(RowError(index, "date_future", _("The date of death is in the future."), "death_date"))
            continue
        if nik in seen:
            result.errors.append(RowError(index, "duplicate", _("The same NIK is on row %(row)s.") % {"row": seen[nik]}, "nik"))
            continue
        seen[nik] = index
        good.append((index, nik, name, when))
    return good


# Header names of a death file (compared lower-case, spaces and dots as "_").
DEATH_FILE_COLUMNS = {
    "nik": ("nik", "no_ktp", "nomor_induk_kependudukan"),
    "name": ("nama", "name", "nama_lengkap"),
    "death_date": ("tanggal_meninggal", "tgl_meninggal", "tanggal_kematian", "tanggal_wafat", "death_date", "date_of_death"),
}
DEATH_FILE_SUFFIXES = tabular.TABULAR_SUFFIXES


def read_death_file(source, *, name: str = "") -> Iterator[dict]:
    """The rows of a death file (CSV/TSV or a workbook, read by ``lindung.core.tabular``) as
    mappings with ``row`` (the file's row number), ``nik``, ``name`` and ``death_date``, for
    ``open_from_rows``. The header is the first non-empty row; ``FileRejected`` names a missing
    column, an unreadable file or a file without rows."""
    what = _("death file")
    tabular.check_suffix(name or str(source), DEATH_FILE_SUFFIXES, what=what)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if isinstance(source, (str, Path)):
        check_path(source, "death_file")
    else:
        check_upload(source, "death_file")
    rows = tabular.read_rows(source, name=name, what=what)
    header_row = next((r for r in rows if not tabular.is_blank(r.cells)), None)
    if header_row is None:
        raise FileRejected([RowError(1, "empty_file", _("The file is empty."), "file")], what=what)
    names = [tabular.text(h).strip().lower().replace(".", "").replace(" ", "_") for h in header_row.cells]
    where = {}
    for fld, aliases in DEATH_FILE_COLUMNS.items():
        where[fld] = next((i for i, h in enumerate(names) if h in aliases), None)
    missing = [DEATH_FILE_COLUMNS[f][0] for f in ("nik", "death_date") if where[f] is None]
    if missing:
        raise FileRejected(
            [RowError(header_row.number, "missing_column", _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}, "header")],
            what=what,
        )
    found = False
    for row in rows:
        if tabular.is_blank(row.cells):
            continue
        found = True
        cells = row.cells
        yield {"row": row.number, **{f: (cells[i] if i is not None and i < len(cells) else "") for f, i in where.items()}}
    if not found:
        raise FileRejected(
            [RowError(header_row.number + 1, "no_data_rows", _("The file has a header but no data rows under it."), "file")], what=what
        )


def open_from_file(source, *, name: str = "", actor, today: dt.date | None = None) -> DeathFileResult:
    """``open_from_rows`` over the rows of a death file (``read_death_file``)."""
    return open_from_rows(list(read_death_file(source, name=name)), actor=actor, today=today)


def open_from_rows(rows: Iterable[Mapping], *, actor, today: dt.date | None = None) -> DeathFileResult:
    """Match the deaths of a file and open a case for each (see the module docstring)."""
    today = today or timezone.localdate()
    result = DeathFileResult()
    parsed = _parse(rows, result, today)
    niks = [nik for _i, nik, _n, _d in parsed]
    persons: dict[str, Person] = {}
    for start in range(0, len(niks), CHUNK):
        for p in Person.objects.filter(nik__in=niks[start : start + CHUNK]).only("id", "nik", "full_name", "birth_date", "death_date"):
            persons[p.nik] = p
    person_ids = [p.pk for p in persons.values()]
    memberships: dict[int, Participant] = {}
    for start in range(0, len(person_ids), CHUNK):
        qs = (
            Participant.objects.filter(person_id__in=person_ids[start : start + CHUNK]).select_related("sponsor").order_by("person_id", "-start_date")
        )
        for p in qs:
            memberships.setdefault(p.person_id, p)
    visible = (
        set(Participant.objects.visible_to(actor).filter(pk__in=[p.pk for p in memberships.values()]).values_list("pk", flat=True)) if actor else None
    )
    claimed = dict(
        Claim.objects.filter(participant_id__in=[p.pk for p in memberships.values()], outcome=Outcome.DEATH).values_list("participant_id", "number")
    )
    accepted: list[tuple[int, Person, Participant, dt.date]] = []
    for index, nik, name, when in parsed:
        person = persons.get(nik)
        participant = memberships.get(person.pk) if person else None
        if person is None or participant is None or (visible is not None and participant.pk not in visible):
            result.errors.append(RowError(index, "not_found", _("No participant with NIK %(nik)s.") % {"nik": nik[:4] + "…" + nik[-4:]}, "nik"))
            continue
        if participant.pk in claimed:
            result.errors.append(
                RowError(index, "death_claim_exists", _("The death is reported already (%(number)s).") % {"number": claimed[participant.pk]}, "nik")
            )
            continue
        if person.death_date is not None and person.death_date != when:
            result.errors.append(
                RowError(
                    index,
                    "death_date_differs",
                    _("The register records the death on %(date)s.") % {"date": person.death_date.isoformat()},
                    "death_date",
                )
            )
            continue
        if when < person.birth_date:
            result.errors.append(RowError(index, "date", _("The date of death is before the birth date."), "death_date"))
            continue
        if not (participant.branch_id or getattr(actor, "branch_id", None) or (participant.sponsor_id and participant.sponsor.branch_id)):
            result.errors.append(RowError(index, "no_branch", _("The participant belongs to no branch office; assign one first."), "nik"))
            continue
        if name and _norm(name) != _norm(person.full_name):
            result.warnings.append(
                RowError(index, "name_differs", _("The name differs from the register (%(name)s).") % {"name": person.full_name}, "name")
            )
        accepted.append((index, person, participant, when))
    if accepted:
        with transaction.atomic():
            _write(accepted, actor=actor, result=result)
    return result


def _paid_death_months(accepted) -> set[tuple[int, dt.date]]:
    """(participant, month) pairs whose JKM contribution for the month of death is paid in full."""
    from django.db.models import Sum

    from lindung.contributions.models import InvoiceLine

    wanted: dict[dt.date, list[int]] = defaultdict(list)
    for _i, _person, participant, when in accepted:
        wanted[when.replace(day=1)].append(participant.pk)
    found: set[tuple[int, dt.date]] = set()
    for month, ids in wanted.items():
        for start in range(0, len(ids), CHUNK):
            rows = (
                InvoiceLine.objects.filter(participant_id__in=ids[start : start + CHUNK], program="JKM", period=month)
                .values("participant_id")
                .annotate(billed=Sum("amount"), paid=Sum("paid_amount"))
                .order_by()
            )
            found |= {(r["participant_id"], month) for r in rows if r["billed"] and r["billed"] > 0 and r["paid"] >= r["billed"]}
    return found


def _write(accepted, *, actor, result: DeathFileResult) -> None:
    now = timezone.now()
    # the register: dates of death (one UPDATE per distinct date)
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for _i, person, _p, when in accepted:
        if person.death_date is None:
            by_date[when].append(person.pk)
    for when, ids in by_date.items():
        for start in range(0, len(ids), CHUNK):
            Person.objects.filter(pk__in=ids[start : start + CHUNK], death_date__isnull=True).update(death_date=when)
    # the memberships end through the status service, one batch per (state, date)
    batches: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for _i, _person, participant, when in accepted:
        if participant.status != Participant.Status.ENDED and when >= participant.start_date:
            batches[(participant.status, when)].append(participant.pk)
    for (state, when), ids in batches.items():
        bulk_change_status(ids, from_status=state, to=Participant.Status.ENDED, effective_date=when, reason=Participant.ExitReason.DEATH, actor=actor)
    # the cases, numbered once their ids are known
    user = actor if getattr(actor, "pk", None) else None
    claims = Claim.objects.bulk_create(
        [
            Claim(
                participant=participant,
                sponsor_id=participant.sponsor_id,
                branch_id=participant.branch_id
                or getattr(actor, "branch_id", None)
                or (participant.sponsor.branch_id if participant.sponsor_id else None),
                program=ClaimProgram.JKM,
                outcome=Outcome.DEATH,
                event_date=when,
                status=ClaimStatus.REPORTED,
                source=ReportSource.DEATH_FILE,
                reported_by=user,
                reported_at=now,
                report_note=f"row {index}",
                created_by=user,
            )
            for index, _person, participant, when in accepted
        ],
        batch_size=CHUNK,
    )
    year = timezone.localtime(now).year
    for claim in claims:
        claim.number = f"KLM-{year}-{claim.pk:06d}"
    Claim.objects.bulk_update(claims, ["number"], batch_size=CHUNK)
    CLAIM.record_creations(claims, actor=actor, note="death file")
    # heirs from the family register, the entitled class per case (rules engine, pure)
    person_of = {claim.pk: person.pk for claim, (_i, person, _p, _w) in zip(claims, accepted, strict=True)}
    family: dict[int, list[FamilyMember]] = defaultdict(list)
    ids = list(set(person_of.values()))
    for start in range(0, len(ids), CHUNK):
        for member in FamilyMember.objects.filter(person_id__in=ids[start : start + CHUNK], death_date__isnull=True).order_by("id"):
            family[member.person_id].append(member)
    heirs: list[ClaimHeir] = []
    for claim in claims:
        members = family.get(person_of[claim.pk], [])
        decided = determine_heirs(HeirsCase(tuple(Relative(str(m.pk), m.relation) for m in members), None, claim.event_date))
        entitled = set(decided.heirs)
        heirs += [
            ClaimHeir(
                claim=claim,
                family_member=m,
                relation=m.relation,
                full_name=m.full_name,
                nik=m.nik,
                birth_date=m.birth_date,
                school_level=m.school_level,
                is_married=m.is_married,
                is_working=m.is_working,
                phone=m.phone,
                entitled=str(m.pk) in entitled,
                heir_class=decided.heir_class if str(m.pk) in entitled else "",
            )
            for m in members
        ]
    ClaimHeir.objects.bulk_create(heirs, batch_size=CHUNK)
    # cover on each date of death, from the ledger (reported per row; the claim page shows it too):
    # a death in a fully paid month of a JKM member within the membership is covered (one aggregate for
    # the file); every other row is asked of coverage_on, which explains grace and not covered
    counts: dict[str, int] = defaultdict(int)
    paid = _paid_death_months(accepted)
    for _i, _person, participant, when in accepted:
        if participant.status != Participant.Status.ENDED and when >= participant.start_date:
            participant.status, participant.end_date, participant.exit_reason = Participant.Status.ENDED, when, Participant.ExitReason.DEATH
        simple = participant.segment != "JAKON" and "JKM" in (participant.programs or []) and participant.start_date <= when
        if simple and (participant.pk, when.replace(day=1)) in paid:
            counts[coverage.COVERED] += 1
        else:
            counts[coverage.coverage_on(participant, when, "JKM").status] += 1
    result.cover = dict(counts)
    result.opened = [c.number for c in claims]
    audit.record(
        actor=actor,
        action="claims.death_file",
        object_type="claims.claim",
        changes={"rows": result.rows, "opened": len(claims), "errors": len(result.errors), "cover": result.cover},
        summary=audit.Message(
            gettext_noop("death file: %(count)s cases opened, %(errors)s row errors"), count=len(claims), errors=len(result.errors)
        ),
    )
