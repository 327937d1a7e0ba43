"""The report as a file: a workbook (XLSX, through ``lindung.core.tabular_write``: every text cell
neutralised, numbers kept as numbers) or a printable PDF (``lindung.core.pdf``, the page the
hand-over list and the decision letter print on too). Every download is recorded in the audit trail
as the other documents made for one download are (``file.download`` on the sponsor,
``changes.kind`` ``programme_report_xlsx`` or ``programme_report_pdf``, the file name with the
period, its size), from the web, the API or the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from lindung.core import files
from lindung.core.errors import ServiceError
from lindung.core.pdf import Document
from lindung.core.tabular_write import xlsx_bytes
from lindung.reports.document import cell_value, sections, subtitle, title
from lindung.reports.selectors import ProgrammeReport

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    filename: str
    content_type: str


def filename(report: ProgrammeReport, fmt: str) -> str:
    return f"laporan-{report.sponsor_code}-{report.period.code}.{fmt}".lower()


def report_file(report: ProgrammeReport, fmt: str, *, actor) -> ReportFile:
    """The report in ``fmt`` (``xlsx`` or ``pdf``), its download audited."""
    if fmt not in FORMATS:
        raise ServiceError("unsupported_format", _("A report downloads as XLSX or PDF."), {"format": str(fmt)[:10]})
    content = workbook(report) if fmt == "xlsx" else pdf(report)
    name = filename(report, fmt)
    files.record_document_download(
        actor, report.sponsor, document=f"programme_report_{fmt}", name=name, size=len(content), sponsor_id=report.sponsor_id
    )
    return ReportFile(content, name, FORMATS[fmt])


def workbook(report: ProgrammeReport) -> bytes:
    """One sheet: the title, then each section's table; amounts in whole rupiah (numbers)."""
    rows: list[list] = [[title(report)], [subtitle(report)]]
    for section in sections(report):
        rows += [[], [section.title], section.columns]
        rows += [[cell_value(c) for c in row] for row in section.rows]
        if section.total:
            rows.append([cell_value(c) for c in section.total])
        if section.note:
            rows.append([section.note])
    return xlsx_bytes({_("Report"): rows})


def _widths(columns: int) -> tuple[int, ...]:
    if columns == 2:
        return (120, 60)
    if columns == 6:  # hand-over events
        return (26, 52, 38, 16, 18, 30)
    return (28, *([19] * (columns - 1)))  # the claims table


def _texts(section) -> list[list[str]]:
    """A section's rows as the PDF prints them (an indented row led by spaces), its total last."""
    rows = [[("   " if c.indent else "") + c.text for c in row] for row in section.rows]
    return rows + ([[c.text for c in section.total]] if section.total else [])


def pdf(report: ProgrammeReport, *, compress: bool = True) -> bytes:
    doc = Document(title(report), compress=compress)
    doc.heading(_("PROGRAMME REPORT"), f"{report.sponsor_name} - {report.period.label}")
    doc.paragraph(subtitle(report), size=9.5, height=5)
    for section in sections(report):
        doc.ln(3)
        doc.paragraph(section.title, size=10.5, style="B", height=6)
        if section.rows:
            doc.rows(
                section.columns,
                _texts(section),
                widths=_widths(len(section.columns)),
                align=tuple("RIGHT" if numeric else "LEFT" for _title, numeric in section.headers),
                size=8.5 if len(section.columns) > 2 else 9.5,
                line_height=4.8,
            )
        if section.note:
            doc.paragraph(section.note, size=8, style="I", height=4.2)
    doc.ln(4)
    doc.paragraph(_("Aggregates only: this report names no person."), size=8, style="I", height=4.2)
    return doc.content()
