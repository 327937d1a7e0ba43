"""The entry points of a roster import: record an upload, run the three passes in one
transaction, write the error file, and start an import from an uploaded file as a job."""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from lindung.core import audit, formatting, tabular, tabular_write
from lindung.core.errors import FileRejected, RowError, ServiceError
from lindung.core.files.checks import check_upload
from lindung.core.files.storage import attach, local_path, store, store_upload
from lindung.membership.models import RosterImport, SponsorAgreement
from lindung.membership.roster import layout
from lindung.membership.roster.checking import check_rows, eligible_villages
from lindung.membership.roster.classifying import classify
from lindung.membership.roster.columns import ERROR_COLUMNS, REASONS, missing_columns
from lindung.membership.roster.context import ImportContext, RosterSummary
from lindung.membership.roster.holding import write_held
from lindung.membership.roster.reading import iter_file_rows
from lindung.membership.roster.spool import Spool
from lindung.membership.roster.usage import default_cover_start
from lindung.membership.roster.writing import write_enrolments

# What a roster may be: text tables and workbooks (read by content, see lindung.core.tabular).
ROSTER_SUFFIXES = tabular.TABULAR_SUFFIXES
MAX_SHEETS = 10  # sheets of a workbook looked at for the list


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _work_dir() -> str:
    """A private temporary directory for an import's spools and its error file before it is stored."""
    base = Path(settings.DATA_DIR) / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix="roster-", dir=base)


def create_import(
    path: str | Path,
    *,
    agreement: SponsorAgreement,
    actor=None,
    file_name: str | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    keep_copy: bool = True,
) -> RosterImport:
    """Check a roster file (``lindung.core.files.check_upload``), keep it as a stored file and
    record the import (status pending). ``keep_copy`` is accepted for old callers; the file is
    always stored."""
    path = Path(path)
    tabular.check_suffix(file_name or path.name, ROSTER_SUFFIXES, what=gettext("roster"))
    if not path.exists():
        raise ServiceError("not_found", gettext("No such file: %(path)s") % {"path": path}, {"file": "missing"})
    name = (file_name or path.name)[:255]
    with open(path, "rb") as fh:
        check_upload(fh, "roster")
        stored = store(fh, kind="roster", name=name, sponsor_id=agreement.sponsor_id, actor=actor, content_type=None)
    return _record_import(stored, agreement=agreement, actor=actor, file_name=name, dry_run=dry_run, all_or_nothing=all_or_nothing)


def _record_import(stored, *, agreement, actor, file_name, dry_run, all_or_nothing) -> RosterImport:
    batch = RosterImport.objects.create(
        agreement=agreement,
        sponsor=agreement.sponsor,
        file_name=file_name[:255],
        file_sha256=stored.sha256,
        stored_file=stored,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    attach(stored, batch)
    return batch


def locate(
    path, *, sheet: str | None = None, mapping: dict | None = None, remembered: dict | None = None
) -> tuple[layout.Layout, Iterator[tabular.Row]]:
    """The sheet, header and columns of a roster file (``layout``), and its rows under the header.
    A workbook's sheet is the one asked for or, of several, the one whose header names the most
    fields. ``mapping`` corrects the columns found (an unknown field or column refuses the file);
    without one, ``remembered`` (the sponsor's last mapping) is applied where this file has its
    columns. ``FileRejected`` for an empty file or missing columns."""
    if sheet is None:
        names = tabular.sheet_names(path, what=gettext("roster"))
        if len(names) > 1:
            heads = {name: list(itertools.islice(iter_file_rows(path, sheet=name), layout.SCAN_ROWS)) for name in names[:MAX_SHEETS]}
            sheet, _best = layout.choose(heads)
    rows = iter_file_rows(path, sheet=sheet)
    head = list(itertools.islice(rows, layout.SCAN_ROWS))
    first = next((r for r in head if not tabular.is_blank(r.cells)), None)
    if first is None:
        raise FileRejected([RowError(1, "empty_file", gettext("The file is empty."), "header")], what=gettext("roster"))
    found = layout.find_layout(head)
    if found is None:
        raise missing_columns(list(layout.NEEDED), first.number)
    if not mapping and remembered:
        layout.apply_mapping(found, usable_mapping(remembered, found.labels))
    if mapping:
        problems = layout.apply_mapping(found, mapping)
        if problems:
            raise FileRejected(
                [
                    RowError(
                        found.header_row,
                        "bad_mapping",
                        gettext("The column mapping names an unknown field or column: %(problems)s.") % {"problems": ", ".join(problems)},
                        "header",
                    )
                ],
                what=gettext("roster"),
            )
    if found.missing:
        raise missing_columns(found.missing, found.header_row)
    found.sheet = sheet or ""
    return found, layout.rows_after(itertools.chain(head, rows), found)


def run_import(
    batch: RosterImport,
    *,
    actor=None,
    start: dt.date | None = None,
    progress: Callable | None = None,
    sheet: str | None = None,
    mapping: dict | None = None,
    remembered: dict | None = None,
) -> RosterSummary:
    """Check and enrol the roster of ``batch`` (see the module docstring). Writes the error file and
    the summary on ``batch``; raises ``ServiceError`` for a file that cannot be read at all. With
    a ``mapping`` given (or a ``remembered`` one applied), the columns it was read with are kept
    in the summary (``mapping``: field → header label), which the sponsor's next import
    remembers."""
    agreement = SponsorAgreement.objects.select_related("sponsor").get(pk=batch.agreement_id)
    cover_start = start or default_cover_start(agreement)
    if not (agreement.start_date <= cover_start <= agreement.end_date):
        refusal = ServiceError(
            "outside_agreement",
            gettext("Cover would start on %(start)s, outside the agreement %(number)s (%(from)s to %(to)s).")
            % {
                "start": formatting.date(cover_start),
                "number": agreement.number,
                "from": formatting.date(agreement.start_date),
                "to": formatting.date(agreement.end_date),
            },
            {"start": "outside the agreement period"},
        )
        _finish(batch, RosterImport.Status.REJECTED, {"error": refusal.message})  # what the result page shows
        raise refusal
    summary = RosterSummary(dry_run=batch.dry_run, all_or_nothing=batch.all_or_nothing, cover_start=cover_start.isoformat(), import_id=batch.pk)
    RosterImport.objects.filter(pk=batch.pk).update(status=RosterImport.Status.RUNNING)
    out_dir = Path(_work_dir())
    spools: list[Spool] = []
    files = ExitStack()
    try:
        if batch.stored_file_id is None:
            raise FileRejected([RowError(1, "missing_file", gettext("The import has no stored file."), "file")], what=gettext("roster"))
        found, rows = locate(files.enter_context(local_path(batch.stored_file)), sheet=sheet, mapping=mapping, remembered=remembered)
        used = {f: found.labels[c] for f, c in found.index.items() if c < len(found.labels)} if (mapping or remembered) else None
        summary.header_row, summary.sheet = found.header_row, found.sheet
        spools = [Spool(str(out_dir)) for _ in range(4 if batch.dry_run else 6)]
        errors, errors_db, good, enrol = spools[:4]
        ctx = ImportContext(agreement, cover_start, eligible_villages(agreement), summary, found.labels, found.index, errors, errors_db, found)
        if not batch.dry_run:  # a dry run records nothing for the branch office
            ctx.held, ctx.proposals = spools[4:]
        clock = time.perf_counter()
        check_rows(rows, ctx, good, progress)
        summary.seconds["check"] = time.perf_counter() - clock
        if summary.rows == 0:
            raise FileRejected(
                [RowError(found.header_row + 1, "no_data_rows", gettext("The file has a header but no data rows under it."), "file")],
                what=gettext("roster"),
            )
        with transaction.atomic():
            # Serialise imports into one agreement: quota and budget are counted under this lock
            # (SQLite transactions begin IMMEDIATE, holding the database's write lock).
            SponsorAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
            clock = time.perf_counter()
            classify(ctx, good, enrol, progress)
            summary.seconds["classify"] = time.perf_counter() - clock
            blocked = batch.all_or_nothing and summary.rejected > 0
            if not batch.dry_run and not blocked:
                clock = time.perf_counter()
                write_enrolments(ctx, enrol, batch, actor, progress)
                held, proposals = write_held(ctx, batch)
                summary.seconds["write"] = time.perf_counter() - clock
            elif not blocked:
                summary.enrolled = enrol.count  # what would be enrolled
            if batch.dry_run or blocked:
                held = proposals = 0
            # a dry run is audited too: it reads the register for the sponsor
            audit.record(
                actor=actor,
                action="roster.dry_run" if batch.dry_run else "roster.import",
                obj=batch,
                object_repr=f"{agreement} {batch.file_name}",
                changes={
                    **{
                        k: v
                        for k, v in summary.as_dict().items()
                        if k in ("rows", "enrolled", "already_enrolled", "rejected", "warnings", "held", "by_reason")
                    },
                    # staff only (the audit trail): the sponsor is not told its file differs from the register
                    "held_recorded": held,
                    "change_proposals": proposals,
                },
                summary=audit.Message(
                    gettext_noop("%(file)s: %(rows)s rows, %(enrolled)s enrolled, %(rejected)s rejected"),
                    file=batch.file_name,
                    rows=summary.rows,
                    enrolled=summary.enrolled,
                    rejected=summary.rejected,
                ),
                sponsor_id=agreement.sponsor_id,
            )
            error_file = _write_error_file(ctx, out_dir, batch)
            summary.error_file = _shown_path(error_file)
            # An earlier run of the same file that died half-way is completed by this one.
            RosterImport.objects.filter(
                agreement=agreement, file_sha256=batch.file_sha256, status__in=[RosterImport.Status.RUNNING, RosterImport.Status.PENDING]
            ).exclude(pk=batch.pk).update(status=RosterImport.Status.FAILED, summary={"superseded_by": batch.pk})
            clock = time.perf_counter()
        summary.seconds["commit"] = time.perf_counter() - clock
        kept = summary.as_dict() | ({"mapping": used} if used else {})
        _finish(batch, RosterImport.Status.REJECTED if blocked else RosterImport.Status.DONE, kept, error_file)
    except FileRejected as exc:
        _finish(batch, RosterImport.Status.REJECTED, {"error": exc.message})
        raise
    except BaseException:
        # Never the exception's text on the import page (a database error names the NIK it
        # tripped on); the job's log line has it, masked.
        _finish(
            batch,
            RosterImport.Status.FAILED,
            {"error": gettext("The import stopped because of an unexpected error; nothing of it was written. It can be started again.")},
        )
        raise
    finally:
        for s in spools:
            s.close()
        files.close()
        shutil.rmtree(out_dir, ignore_errors=True)
    return summary


def _finish(batch: RosterImport, status: str, summary: dict, error_file=None) -> None:
    RosterImport.objects.filter(pk=batch.pk).update(status=status, summary=summary, error_file=error_file, finished_at=timezone.now())
    batch.status, batch.summary, batch.error_file = status, summary, error_file


def _shown_path(stored) -> str:
    """Where the CLI says the error file is: its path for a file system storage, else its id."""
    try:
        return stored.file.storage.path(stored.file.name)
    except NotImplementedError:
        return str(stored.pk)


def _write_error_file(ctx: ImportContext, out_dir: Path, batch: RosterImport):
    """``errors.csv``: the file's own columns plus ``baris``, ``kode_kesalahan``, ``keterangan``,
    every cell neutralised against formula injection (``lindung.core.tabular_write``), in row order (the two error spools are each in row order; merged, not sorted in memory)."""
    path = out_dir / "errors.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = tabular_write.csv_writer(fh)
        writer.writerow([*ctx.header, *ERROR_COLUMNS])
        merged = heapq.merge(ctx.errors.rows(), ctx.errors_db.rows(), key=lambda r: int(r[0]))
        for row in merged:
            row_no, code, fld, raw = row[0], row[1], row[2], row[3:]
            text = REASONS.get(code, ("", code))[1]
            if "%(detail)s" in text:  # words that take the row's detail in place (a date, a reason)
                text = text % {"detail": fld}
            elif fld:
                text = f"{text} (kolom {fld})"
            writer.writerow([*raw, row_no, code, text])
    with open(path, "rb") as fh:
        return store(
            fh, kind="roster_errors", name=f"roster-{batch.pk}-kesalahan.csv", owner=batch, sponsor_id=batch.sponsor_id, content_type="text/csv"
        )


def import_roster(
    path: str | Path,
    *,
    agreement: SponsorAgreement,
    actor=None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    start: dt.date | None = None,
    file_name: str | None = None,
    progress: Callable | None = None,
    keep_copy: bool = True,
    sheet: str | None = None,
    mapping: dict | None = None,
    remembered: dict | None = None,
) -> RosterSummary:
    """Import a roster file into ``agreement`` in one call (CLI, demo, benchmark). ``sheet``
    names the workbook's sheet; ``mapping`` (``{field: column}``) corrects the columns found;
    without one, ``remembered`` (``remembered_mapping(sponsor)``) is applied where it fits."""
    batch = create_import(
        path, agreement=agreement, actor=actor, file_name=file_name, dry_run=dry_run, all_or_nothing=all_or_nothing, keep_copy=keep_copy
    )
    return run_import(batch, actor=actor, start=start, progress=progress, sheet=sheet, mapping=mapping, remembered=remembered)


def find_agreement(sponsor, number: str | None = None, on: dt.date | None = None) -> SponsorAgreement:
    """The named agreement of ``sponsor``, or the one in force ``on`` (default today; else the latest)."""
    qs = SponsorAgreement.objects.filter(sponsor=sponsor)
    if number:
        agreement = qs.filter(number=number).first()
        if agreement is None:
            raise ServiceError(
                "not_found",
                gettext("Sponsor %(sponsor)s has no agreement %(number)s.") % {"sponsor": sponsor.code, "number": repr(number)},
                {"agreement": "not found"},
                status=404,
            )
        return agreement
    on = on or timezone.localdate()
    agreement = qs.filter(start_date__lte=on, end_date__gte=on).order_by("-start_date").first() or qs.order_by("-start_date").first()
    if agreement is None:
        raise ServiceError("no_agreement", gettext("Sponsor %(sponsor)s has no agreement yet.") % {"sponsor": sponsor.code}, {"agreement": "none"})
    return agreement


def store_roster_upload(
    upload, *, agreement: SponsorAgreement, actor, dry_run: bool = False, all_or_nothing: bool = False, start: dt.date | None = None
) -> RosterImport:
    """Check and store an uploaded roster and record its import (pending, no job yet)."""
    tabular.check_suffix(Path(upload.name or "roster.csv").name, ROSTER_SUFFIXES, what=gettext("roster"))
    if start is not None and not (agreement.start_date <= start <= agreement.end_date):
        raise ServiceError(
            "outside_agreement", gettext("The cover start is outside the agreement's period."), {"start": "outside the agreement period"}
        )
    # Checked by content, then streamed to the storage in chunks; the job reads it from there.
    stored, _detected = store_upload(upload, kind="roster", sponsor_id=agreement.sponsor_id, actor=actor)
    return _record_import(
        stored, agreement=agreement, actor=actor, file_name=Path(upload.name or stored.name).name, dry_run=dry_run, all_or_nothing=all_or_nothing
    )


def start_import_job(
    batch: RosterImport,
    *,
    actor,
    start: dt.date | None = None,
    sheet: str | None = None,
    mapping: dict | None = None,
    remembered: dict | None = None,
) -> RosterImport:
    """Run the import of a stored roster as a ``roster_import`` job."""
    from lindung.core.jobs import start_job

    params = {"import_id": batch.pk, "start": start.isoformat() if start else None, "sheet": sheet, "mapping": mapping or None}
    if remembered and not mapping:
        params["remembered"] = remembered
    job = start_job("roster_import", actor=actor, sponsor=batch.sponsor, params=params)
    RosterImport.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return batch


def start_import_from_upload(
    upload,
    *,
    agreement: SponsorAgreement,
    actor,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    start: dt.date | None = None,
    sheet: str | None = None,
    mapping: dict | None = None,
    remembered: dict | None = None,
) -> RosterImport:
    """Store an uploaded roster (web or API) and run its import as a ``roster_import`` job
    (``sheet``, ``mapping`` and ``remembered`` as for ``import_roster``)."""
    batch = store_roster_upload(upload, agreement=agreement, actor=actor, dry_run=dry_run, all_or_nothing=all_or_nothing, start=start)
    return start_import_job(batch, actor=actor, start=start, sheet=sheet, mapping=mapping, remembered=remembered)


PREVIEW_ROWS = 10


def remembered_mapping(sponsor_id: int) -> dict[str, str]:
    """The column mapping the sponsor gave or confirmed last (``{field: header label}``), or
    ``{}``: the columns an import given a mapping was read with (its summary's ``mapping``: CLI
    ``--map``, the API's ``mapping``), else the mapping a web import's job was started with."""
    for batch in RosterImport.objects.filter(sponsor_id=sponsor_id).select_related("job").order_by("-pk")[:20]:
        mapping = (batch.summary or {}).get("mapping") or ((batch.job.params or {}).get("mapping") if batch.job else None)
        if mapping and isinstance(mapping, dict):
            return dict(mapping)
    return {}


def usable_mapping(mapping: dict, labels: list[str]) -> dict:
    """The entries of a remembered ``mapping`` that this file's header can take: known fields
    naming a column it has (or none); the others are left to the columns found."""
    return {f: c for f, c in (mapping or {}).items() if f in layout.ALIASES and (c in ("", None) or layout.column_ref(c, labels) is not None)}


def preview(batch: RosterImport, *, mapping: dict | None = None, sheet: str | None = None) -> dict:
    """What the import of ``batch`` would read, before anything is written: the sheet, the header
    row, the columns' labels, the field -> column mapping (found, then corrected by ``mapping``;
    entries naming a column the file lacks are skipped), the fields still missing and the first
    ``PREVIEW_ROWS`` data rows as text. ``FileRejected`` for a file that cannot be read."""
    with local_path(batch.stored_file) as path:
        if sheet is None:
            names = tabular.sheet_names(path, what=gettext("roster"))
            if len(names) > 1:
                heads = {n: list(itertools.islice(iter_file_rows(path, sheet=n), layout.SCAN_ROWS)) for n in names[:MAX_SHEETS]}
                sheet, _best = layout.choose(heads)
        rows = iter_file_rows(path, sheet=sheet)
        head = list(itertools.islice(rows, layout.SCAN_ROWS))
        found = layout.find_layout(head)
        if found is None:
            first = next((r for r in head if not tabular.is_blank(r.cells)), None)
            width = max((len(r.cells) for r in head), default=0)
            labels = [tabular.text(c) for c in first.cells] if first else [""] * width
            found = layout.Layout(first.number if first else 1, first.number if first else 1, labels, {}, 0, list(layout.NEEDED))
        layout.apply_mapping(found, usable_mapping(mapping, found.labels))
        data = []
        for row in layout.rows_after(itertools.chain(head, rows), found):
            if tabular.is_blank(row.cells):
                continue
            data.append((row.number, [tabular.text(c) for c in row.cells] + [""] * (found.width - len(row.cells))))
            if len(data) >= PREVIEW_ROWS:
                break
    return {
        "sheet": sheet or "",
        "header_row": found.header_row,
        "labels": found.labels,
        "index": dict(found.index),
        "mapping": {f: found.labels[c] for f, c in found.index.items() if c < len(found.labels)},
        "missing": found.missing,
        "rows": data,
    }
