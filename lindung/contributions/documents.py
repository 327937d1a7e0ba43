"""Documents: invoice and statement PDFs (fpdf2) and the reconciliation workbook (openpyxl,
write-only). Personal data is masked in the multi-participant documents."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lindung.core import tabular_write
from lindung.core.formatting import month, rupiah
from lindung.core.terbilang import terbilang


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "BPJS Ketenagakerjaan - Lindung", new_x="LMARGIN", new_y="NEXT")
    return pdf


def _latin(text: str) -> str:
    return str(text).replace("—", "-").replace("×", "x").encode("latin-1", "replace").decode("latin-1")


def _row(pdf, cells, widths, bold=False):
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for text, w in zip(cells, widths, strict=False):
        align = "R" if isinstance(text, str) and text.startswith(("Rp", "-Rp")) else "L"
        pdf.cell(w, 6, _latin(text), border=1, align=align)
    pdf.ln()


def invoice_pdf(invoice, summary: list[dict]) -> bytes:
    pdf = _pdf()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin(f"{_('Invoice')} {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in [
        (_("Payer"), invoice.payer_name),
        (_("Kind"), invoice.get_kind_display()),
        (_("Period"), f"{invoice.period_start:%m/%Y} - {invoice.period_end:%m/%Y}"),
        (_("Issued"), f"{invoice.issue_date:%d-%m-%Y}"),
        (_("Due"), f"{invoice.due_date:%d-%m-%Y}"),
        (_("Virtual account"), invoice.virtual_account),
        (_("Status"), invoice.get_status_display()),
    ]:
        pdf.cell(45, 6, _latin(str(label)))
        pdf.cell(0, 6, _latin(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = [30, 25, 35, 50, 50]
    _row(pdf, [_("Month"), _("Programme"), _("Participants"), _("Amount"), _("Paid")], widths, bold=True)
    for r in summary:
        _row(pdf, [month(r["period"]), r["program"], str(r["participants"]), rupiah(r["amount"]), rupiah(r["paid"])], widths)
    pdf.ln(2)
    for label, value in [
        (_("Total"), invoice.total),
        (_("Late fine"), invoice.fine_amount),
        (_("Paid"), invoice.paid_amount),
        (_("Outstanding"), invoice.outstanding),
    ]:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(60, 6, _latin(str(label)))
        pdf.cell(0, 6, _latin(rupiah(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(0, 6, _latin(f"{_('Amount in words')}: {terbilang(invoice.total, capitalize=True)}"))
    return bytes(pdf.output())


def statement_pdf(participant, rows: list[dict], masked_name: str) -> bytes:
    pdf = _pdf()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin(f"{_('Contribution history')} KPJ {participant.kpj_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin(masked_name), new_x="LMARGIN", new_y="NEXT")
    widths = [25, 25, 60, 35, 35]
    _row(pdf, [_("Month"), _("Programme"), _("Invoice"), _("Amount"), _("Paid")], widths, bold=True)
    for r in rows:
        _row(pdf, [month(r["month"]), r["program"], r["invoice"], rupiah(r["amount"]), rupiah(r["paid"])], widths)
    total = sum(r["paid"] for r in rows)
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(0, 6, _latin(f"{_('Total paid')}: {rupiah(total)} ({terbilang(total)})"))
    return bytes(pdf.output())


def sponsor_statement_pdf(data: dict) -> bytes:
    pdf = _pdf()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin(f"{_('Account statement')} {data['sponsor'].name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin(f"{data['start']:%d-%m-%Y} - {data['end']:%d-%m-%Y}"), new_x="LMARGIN", new_y="NEXT")
    widths = [60, 30, 35, 35, 30]
    _row(pdf, [_("Invoice"), _("Period"), _("Billed"), _("Paid"), _("Status")], widths, bold=True)
    for i in data["invoices"]:
        _row(pdf, [i.number, month(i.period_start), rupiah(i.total), rupiah(i.paid_amount), i.get_status_display()], widths)
    for label in ("billed", "paid", "outstanding", "credit"):
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(60, 6, _latin(label.title()))
        pdf.cell(0, 6, _latin(rupiah(data[label])), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def reconciliation_xlsx(rows) -> bytes:
    """The reconciliation workbook; payer names and codes are neutralised against formula
    injection by the kernel's safe writer (a sponsor code ``=2+5`` stays text)."""
    header = [_("Payer type"), _("Payer"), _("First month"), _("Last month"), _("Billed"), _("Late fines"), _("Paid"), _("Outstanding")]
    body = ([r["payer_type"], r["payer"], r["period"], r["period_end"], r["billed"], r["fines"], r["paid"], r["outstanding"]] for r in rows)
    return tabular_write.xlsx_bytes({str(_("Reconciliation")): [[str(h) for h in header], *body]})
