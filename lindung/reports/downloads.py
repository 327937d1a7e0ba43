"""The report as a file: a workbook (XLSX, through ``lindung.core.tabular_write``: every text cell
neutralised, numbers kept as numbers) or a printable PDF (fpdf2, like the hand-over list and the
invoices). Every download is recorded in the audit trail as the other documents made for one
download are (``file.download`` on the sponsor, ``changes.kind`` ``programme_report_xlsx`` or
``programme_report_pdf``, the file name with the period, its size), from the web, the API or the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from fpdf import FPDF

from lindung.core import files
from lindung.core.errors import ServiceError
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


def _latin1(text) -> str:
    return (
        str(text)
        .replace("–", "-")
        .replace("—", "-")
        .replace("’", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("·", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _widths(columns: int) -> tuple[int, ...]:
    if columns == 2:
        return (120, 60)
    if columns == 6:  # hand-over events
        return (26, 52, 38, 16, 18, 30)
    return (28, *([19] * (columns - 1)))  # the claims table


def pdf(report: ProgrammeReport, *, compress: bool = True) -> bytes:
    doc = FPDF(format="A4", unit="mm")
    doc.set_compression(compress)
    doc.set_title(_latin1(title(report)))
    doc.set_margins(15, 15, 15)
    doc.add_page()
    doc.set_font("Helvetica", "B", 13)
    doc.multi_cell(0, 7, _latin1(_("PROGRAMME REPORT")), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "B", 11)
    doc.multi_cell(0, 6, _latin1(f"{report.sponsor_name} - {report.period.label}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 9.5)
    doc.multi_cell(0, 5, _latin1(subtitle(report)), new_x="LMARGIN", new_y="NEXT")
    for section in sections(report):
        doc.ln(3)
        doc.set_font("Helvetica", "B", 10.5)
        doc.multi_cell(0, 6, _latin1(section.title), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", "", 8.5 if len(section.columns) > 2 else 9.5)
        aligns = tuple("RIGHT" if numeric else "LEFT" for _title, numeric in section.headers)
        if section.rows:
            with doc.table(
                col_widths=_widths(len(section.columns)), text_align=aligns, line_height=4.8, width=sum(_widths(len(section.columns)))
            ) as table:
                table.row([_latin1(h) for h in section.columns])
                for row in section.rows:
                    table.row([_latin1(("   " if c.indent else "") + c.text) for c in row])
                if section.total:
                    table.row([_latin1(c.text) for c in section.total])
        if section.note:
            doc.set_font("Helvetica", "I", 8)
            doc.multi_cell(0, 4.2, _latin1(section.note), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("Helvetica", "I", 8)
    doc.multi_cell(0, 4.2, _latin1(_("Aggregates only: this report names no person.")), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
