"""The reports API: the sponsors whose report the caller may read, and a sponsor's programme report
for a period as JSON, XLSX or PDF (downloads audited). Aggregates only; another sponsor's report
answers 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Router, Schema

from lindung.core.api import ErrorOut, require_perm
from lindung.core.audit import audit_source
from lindung.reports import downloads, selectors
from lindung.reports.periods import parse_period

router = Router(tags=["reports"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PERMISSION = "reports.view_sponsorreport"


class ReportSponsorOut(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    code: str
    kind: str
    start: dt.date
    end: dt.date


class MembershipOut(Schema):
    enrolled_at_end: int
    covered_at_end: int
    new: int
    ended: int
    ended_by_reason: dict[str, int]


class ContributionsOut(Schema):
    billed: int
    paid: int
    outstanding: int
    received: int
    arrears_at_end: int
    invoices_in_arrears: int
    worker_months: int


class ClaimFiguresOut(Schema):
    program: str
    reported: int
    reported_to_date: int
    decided: int
    decided_amount: int
    rejected: int
    paid: int
    paid_amount: int
    decided_to_date: int
    decided_amount_to_date: int
    paid_to_date: int
    paid_amount_to_date: int


class ScholarshipsOut(Schema):
    paid: int
    amount: int
    children: int


class HandoverOut(Schema):
    date: dt.date
    title: str
    place: str
    cases: int
    total: int
    paid: int
    awaiting: int


class HandoverTotalsOut(Schema):
    events: int
    cases: int
    total: int


class ReportOut(Schema):
    sponsor: ReportSponsorOut
    period: PeriodOut
    as_of: dt.date
    membership: MembershipOut
    contributions: ContributionsOut
    claims: list[ClaimFiguresOut]
    scholarships: ScholarshipsOut
    handovers: list[HandoverOut]
    handover_totals: HandoverTotalsOut


@router.get("/reports/sponsors", response={200: list[ReportSponsorOut], **ERRORS})
def report_sponsors(request):
    """The sponsors whose programme report the caller may read (a sponsor user: its own)."""
    require_perm(request, PERMISSION)
    return [{"code": s.code, "name": s.name} for s in selectors.report_sponsors(user=request.user)]


def _report(request, code: str, period: str | None):
    require_perm(request, PERMISSION)
    return selectors.programme_report(user=request.user, code=code, period=parse_period(period))


@router.get("/reports/sponsors/{code}", response={200: ReportOut, **ERRORS})
def sponsor_report(request, code: str, period: str | None = None):
    """A sponsor's programme report for ``period``: a month (``2024-03``), a quarter (``2024-Q1``)
    or a year (``2024``); without it, the current quarter. 400 ``invalid_period``; 404 for a
    sponsor outside the caller's scope."""
    return _report(request, code, period).as_dict()


def _file(request, code: str, period: str | None, fmt: str) -> HttpResponse:
    report = _report(request, code, period)
    with audit_source("api"):
        file = downloads.report_file(report, fmt, actor=request.user)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@router.get("/reports/sponsors/{code}/xlsx", response={200: None, **ERRORS})
def sponsor_report_xlsx(request, code: str, period: str | None = None):
    """The report as a workbook (audited download)."""
    return _file(request, code, period, "xlsx")


@router.get("/reports/sponsors/{code}/pdf", response={200: None, **ERRORS})
def sponsor_report_pdf(request, code: str, period: str | None = None):
    """The report as a printable PDF (audited download)."""
    return _file(request, code, period, "pdf")
