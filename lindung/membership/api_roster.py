"""API: roster imports (``/api/v1/roster-imports``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.core import files
from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.errors import NotFound, ServiceError
from lindung.membership import roster, selectors
from lindung.membership.models import RosterImport

router = Router(tags=["roster"])


class RosterImportOut(Schema):
    id: int
    sponsor: str
    agreement: str
    file_name: str
    status: str
    dry_run: bool
    all_or_nothing: bool
    summary: dict[str, Any]
    job_id: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    errors_url: str | None

    @staticmethod
    def resolve_sponsor(obj: RosterImport) -> str:
        return obj.sponsor.code

    @staticmethod
    def resolve_agreement(obj: RosterImport) -> str:
        return obj.agreement.number

    @staticmethod
    def resolve_job_id(obj: RosterImport) -> str | None:
        return str(obj.job_id) if obj.job_id else None

    @staticmethod
    def resolve_summary(obj: RosterImport) -> dict[str, Any]:
        return {k: v for k, v in (obj.summary or {}).items() if k != "error_file"}

    @staticmethod
    def resolve_errors_url(obj: RosterImport) -> str | None:
        return f"/api/v1/roster-imports/{obj.pk}/errors" if obj.error_file_id else None


class RejectedRowOut(Schema):
    """One line of the error file: one problem of one row (``row`` counts the header as row 1)."""

    row: int
    nik: str  # masked, as in every list
    name: str
    code: str
    message: str  # the error file's ``keterangan`` (Indonesian)


@router.post("/roster-imports", response={201: RosterImportOut, 202: RosterImportOut, 400: ErrorOut, 404: ErrorOut, 422: RosterImportOut})
def roster_import_create(
    request,
    file: UploadedFile = File(...),
    sponsor: str = Form(...),
    agreement: str | None = Form(None),
    dry_run: bool = Form(False),
    all_or_nothing: bool = Form(False),
    start: dt.date | None = Form(None),
    sheet: str | None = Form(None),
    mapping: str | None = Form(None, description='JSON {"field": "column header, letter or number"} correcting the columns found'),
):
    """Upload a roster (.csv or .xlsx) for a sponsor's agreement; it is checked and enrolled as a
    job. 201 with the summary when the job finished already (embedded default), 422 with the
    import (status ``rejected``, ``summary.error``) when the file was refused as a whole (not
    readable, missing columns, no data rows), else 202; poll ``GET /roster-imports/{id}`` or
    ``/jobs/{job_id}``."""
    require_perm(request, "membership.import_roster")
    sponsor_obj = selectors.sponsor_get(user=request.user, code=sponsor)
    agreement_obj = roster.find_agreement(sponsor_obj, agreement)
    try:
        parsed = json.loads(mapping) if mapping else None
    except ValueError:
        parsed = None
    if mapping and not (isinstance(parsed, dict) and all(isinstance(k, str) and isinstance(v, (str, int)) for k, v in parsed.items())):
        raise ServiceError("bad_mapping", _('mapping must be a JSON object {"field": "column"}.'), {"mapping": "invalid"})
    batch = roster.start_import_from_upload(
        file,
        agreement=agreement_obj,
        actor=request.user,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        start=start,
        sheet=sheet,
        mapping=parsed or None,
        # no mapping given: the sponsor's remembered one, where this file has its columns
        remembered=None if parsed else roster.remembered_mapping(agreement_obj.sponsor_id),
    )
    batch = selectors.roster_import_get(user=request.user, pk=batch.pk)
    if not batch.finished_at:
        return Status(202, batch)
    return Status(422 if batch.status == RosterImport.Status.REJECTED else 201, batch)


@router.get("/roster-imports", response=list[RosterImportOut])
@paginate(Page)
def roster_import_list(request, sponsor: str | None = None):
    require_perm(request, "membership.view_rosterimport")
    sponsor_obj = selectors.sponsor_get(user=request.user, code=sponsor) if sponsor else None
    return selectors.roster_import_list(user=request.user, sponsor=sponsor_obj)


@router.get("/roster-imports/{import_id}", response={200: RosterImportOut, 404: ErrorOut})
def roster_import_detail(request, import_id: int):
    require_perm(request, "membership.view_rosterimport")
    return selectors.roster_import_get(user=request.user, pk=import_id)


@router.get("/roster-imports/{import_id}/errors", response={404: ErrorOut})
def roster_import_errors(request, import_id: int):
    """The error file (CSV: the roster's columns plus ``baris``, ``kode_kesalahan``, ``keterangan``)."""
    require_perm(request, "membership.view_rosterimport")
    batch = selectors.roster_import_get(user=request.user, pk=import_id)
    if not batch.error_file_id:
        raise NotFound(_("This import has no error file (yet)."))
    return files.serve(request, batch.error_file_id, filename=f"roster-{batch.pk}-errors.csv")


@router.get("/roster-imports/{import_id}/rejected", response={200: list[RejectedRowOut], 400: ErrorOut, 404: ErrorOut})
@paginate(Page)
def roster_import_rejected(request, import_id: int, reason: str | None = None):
    """The error file as JSON, paginated (``?page=&page_size=``), optionally only one reason code
    (``?reason=over_quota``). The file is streamed up to the page asked for; NIKs are masked."""
    require_perm(request, "membership.view_rosterimport")
    return selectors.roster_import_rejected(user=request.user, pk=import_id, reason=reason)
