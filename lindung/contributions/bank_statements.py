"""Bank statements: a CSV of received payments checked row by row, then imported all or
nothing, each payment matched where its reference names an invoice or virtual account."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.contributions.models import BankImport, ContributionPayment, Invoice
from lindung.contributions.payments import amount_problem, create_payment, date_problem, find_invoice, named_documents, settle_payment
from lindung.core import audit, tabular
from lindung.core.errors import FileRejected, RowError
from lindung.core.files.checks import check_upload

BANK_COLUMNS = ("date", "amount", "reference", "bank_reference")
_AMOUNT_RE = re.compile(r"^\d{1,3}([.,]\d{3})+$|^\d+$")


def _cell(cells: list, index: int):
    """A cell of a statement row: dates stay dates, the rest is stripped text."""
    if index >= len(cells):
        return ""
    value = cells[index]
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    return tabular.text(value).strip()


def _parse_date(text) -> dt.date | None:
    if isinstance(text, dt.date):
        return text
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_bank_statement(content: bytes | str, *, name: str = "statement.csv", today: dt.date | None = None) -> tuple[list[dict], list[RowError]]:
    """Rows of a bank statement (``date,amount,reference,bank_reference``; CSV/TSV in UTF-8,
    UTF-16 or Windows-1252, or a workbook, read by ``lindung.core.tabular``) and the row errors
    (row numbers are the file's own): unreadable or future dates, amounts that are not positive
    whole rupiah, missing or duplicate bank references (in the file or already applied), and
    references naming an invoice number or virtual account that does not exist."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    try:
        rows_in = tabular.read_rows(content, name=name, what=_("bank statement"))
        header_row = next((r for r in rows_in if not tabular.is_blank(r.cells)), None)
    except FileRejected as exc:
        return [], exc.errors
    if header_row is None:
        return [], [RowError(1, "empty", _("The file has no payment rows."))]
    header = [tabular.text(h).strip().lower() for h in header_row.cells]
    missing = [c for c in BANK_COLUMNS if c not in header]
    if missing:
        return [], [
            RowError(header_row.number, "missing_column", _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}, field=missing[0])
        ]
    where = {c: header.index(c) for c in BANK_COLUMNS}
    today = today or dt.date.today()
    rows, errors, seen, names = [], [], {}, {}
    try:
        records = [(r.number, r.cells) for r in rows_in]
    except FileRejected as exc:
        return [], exc.errors
    for i, cells in records:
        row = {c: _cell(cells, k) for c, k in where.items()}
        if not any(row.values()):
            continue
        date = _parse_date(row["date"])
        if date is None:
            errors.append(
                RowError(i, "invalid_date", _("%(date)s is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"date": repr(row["date"])}, field="date")
            )
        elif date > today:
            errors.append(
                RowError(
                    i,
                    "future_date",
                    _("%(date)s is in the future: a bank statement lists money already received.") % {"date": row["date"]},
                    field="date",
                )
            )
        elif date_problem(date, today):
            errors.append(RowError(i, "invalid_date", date_problem(date, today), field="date"))
        amount = None
        if not _AMOUNT_RE.match(row["amount"]):
            errors.append(
                RowError(i, "invalid_amount", _("%(amount)s is not a whole rupiah amount.") % {"amount": repr(row["amount"])}, field="amount")
            )
        else:
            amount = int(re.sub(r"[.,]", "", row["amount"]))
            if amount <= 0:
                errors.append(RowError(i, "invalid_amount", _("The amount must be positive."), field="amount"))
            elif amount_problem(amount):
                errors.append(RowError(i, "invalid_amount", amount_problem(amount), field="amount"))
        ref = row["bank_reference"]
        for column in ("reference", "bank_reference"):
            if "\x00" in (row[column] or ""):
                errors.append(RowError(i, "invalid", _("The %(field)s contains a NUL character.") % {"field": column}, field=column))
        if not ref:
            errors.append(RowError(i, "required", _("The bank reference is required."), field="bank_reference"))
        elif len(ref) > 64:
            errors.append(RowError(i, "too_long", _("The bank reference is longer than 64 characters."), field="bank_reference"))
        elif ref in seen:
            errors.append(
                RowError(
                    i,
                    "duplicate_in_file",
                    _("The bank reference %(reference)s is also on row %(first)s.") % {"reference": ref, "first": seen[ref]},
                    field="bank_reference",
                )
            )
        else:
            seen[ref] = i
        named = named_documents(f"{row['reference']} {ref}")
        if named:
            names[i] = named
        rows.append({"row": i, "paid_on": date, "amount": amount, "reference": row["reference"], "bank_reference": ref})
    if not rows and not errors:
        errors.append(RowError(1, "empty", _("The file has no payment rows.")))
    # A reference that names an invoice number or virtual account must name one that exists, as
    # find_invoice reads it (a typo would otherwise pay nobody); a reference naming neither goes to
    # the unmatched queue.
    numbers = {v for docs in names.values() for kind, v in docs if kind == "invoice"}
    accounts = {v for docs in names.values() for kind, v in docs if kind == "virtual_account"}
    known_numbers = set(Invoice.objects.filter(number__in=numbers).values_list("number", flat=True)) if numbers else set()
    known_accounts = set(Invoice.objects.filter(virtual_account__in=accounts).values_list("virtual_account", flat=True)) if accounts else set()
    known = {"invoice": known_numbers, "virtual_account": known_accounts}
    for i, docs in sorted(names.items()):
        if any(value in known[kind] for kind, value in docs):
            continue
        kind, value = docs[0]
        if kind == "invoice":
            errors.append(
                RowError(
                    i, "unknown_invoice", _("The reference names invoice %(number)s, which does not exist.") % {"number": value}, field="reference"
                )
            )
        else:
            errors.append(
                RowError(
                    i,
                    "unknown_virtual_account",
                    _("The reference names virtual account %(account)s, which has no invoice.") % {"account": value},
                    field="reference",
                )
            )
    already = set(ContributionPayment.objects.filter(bank_reference__in=list(seen)).values_list("bank_reference", flat=True))
    for r in rows:
        if r["bank_reference"] in already:
            errors.append(
                RowError(
                    r["row"],
                    "duplicate_bank_reference",
                    _("The bank reference %(reference)s was already applied.") % {"reference": r["bank_reference"]},
                    field="bank_reference",
                )
            )
    errors.sort(key=lambda e: e.row)
    return rows, errors


# What a bank statement may be (a ".txt" export is refused: save it as CSV or as a workbook).
BANK_SUFFIXES = tabular.TABULAR_SUFFIXES


def import_bank_statement(*, content: bytes, file_name: str = "statement.csv", actor=None, today: dt.date | None = None) -> BankImport:
    """All rows or none: any row error rejects the whole file (FileRejected with row errors).
    A file whose extension is not a table's (``BANK_SUFFIXES``) is refused before it is read."""
    tabular.check_suffix(file_name, BANK_SUFFIXES, what=_("bank statement"))
    raw_bytes = content if isinstance(content, bytes) else content.encode()
    check_upload(io.BytesIO(raw_bytes), "bank_statement")
    rows, errors = parse_bank_statement(content, name=file_name, today=today)
    if errors:
        raise FileRejected(errors, what=_("bank statement"))
    raw = content if isinstance(content, bytes) else content.encode()
    with transaction.atomic():
        batch = BankImport.objects.create(
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(raw).hexdigest(),
            rows=len(rows),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        matched = 0
        for r in rows:
            payment = create_payment(
                amount=r["amount"],
                paid_on=r["paid_on"],
                reference=r["reference"],
                bank_reference=r["bank_reference"],
                method=ContributionPayment.Method.BANK,
                actor=actor,
                bank_import=batch,
            )
            target = find_invoice(f"{r['reference']} {r['bank_reference']}")
            if target:
                settle_payment(payment, target, r["paid_on"])
                matched += 1
        batch.matched = matched
        batch.unmatched = len(rows) - matched
        batch.total = sum(r["amount"] for r in rows)
        batch.save(update_fields=["matched", "unmatched", "total"])
        audit.record(
            actor=actor,
            action="contributions.bank_import",
            obj=batch,
            object_repr=file_name,
            changes={"rows": len(rows), "matched": matched, "unmatched": batch.unmatched, "total": batch.total},
            summary=audit.Message(
                gettext_noop("Bank statement %(file)s: %(count)s payments, %(matched)s matched"), file=file_name, count=len(rows), matched=matched
            ),
        )
    return batch
