"""Payments: manual entry and bank statements, matching to invoices, allocation to lines,
overpayment credit, the unmatched queue, late fines (PU), refunds after death and audited
arrears settlements.

Allocation rule for a multi-participant invoice (see docs/contributions.md): money paid on an
invoice goes to the contribution before the late fine; within the contribution, whole
participant-months are paid in order — oldest month first, then KPJ number — as long as the money
covers the whole participant-month (all its programmes). A partly paid participant-month covers
nothing; the remainder waits on the invoice for the next payment."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from lindung.contributions.models import Allocation, ArrearsSettlement, BankImport, Invoice, InvoiceLine, PayerCredit, Payment, Refund
from lindung.core import audit
from lindung.core.errors import FileRejected, RowError, ServiceError
from lindung.rules import LateFineCase, pu_late_fine

INVOICE_RE = re.compile(r"INV-\d{6}-\d{10}-\d+", re.IGNORECASE)
VA_RE = re.compile(r"(?<!\d)8802\d{10}(?!\d)")

OPEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID, Invoice.Status.OVERDUE)


# --------------------------------------------------------------------------------------------- allocation
def _status_for(invoice: Invoice, on: dt.date) -> str:
    if invoice.status == Invoice.Status.CANCELLED:
        return invoice.status
    if invoice.paid_amount >= invoice.total + invoice.fine_amount:
        return Invoice.Status.PAID
    if invoice.due_date < on:
        return Invoice.Status.OVERDUE
    return Invoice.Status.PARTLY_PAID if invoice.paid_amount > 0 else Invoice.Status.ISSUED


def allocate_lines(invoice: Invoice) -> None:
    """Mark the invoice's lines paid by the allocation rule (one set-based UPDATE).

    Participant-months that a credit note of the same payer and period cancels (an exit, a death,
    a lower wage) come first: the credit note's credit is what pays them, so the cash goes to the
    participants still covered."""
    available = min(invoice.paid_amount, invoice.total)
    credited = Invoice.objects.filter(payer_key=invoice.payer_key, period_start=invoice.period_start, kind=Invoice.Kind.CREDIT_NOTE).exists()
    if credited:
        cte = """c AS (
              SELECT DISTINCT cl.participant_id AS pid, cl.period AS period
              FROM contributions_invoiceline cl JOIN contributions_invoice ci ON ci.id = cl.invoice_id
              WHERE ci.payer_key = %s AND ci.period_start = %s AND ci.kind = 'credit_note'
            ),"""
        join, first = "LEFT JOIN c ON c.pid = l.participant_id AND c.period = l.period", "MAX(CASE WHEN c.pid IS NULL THEN 1 ELSE 0 END), "
        params = [invoice.payer_key, connection.ops.adapt_datefield_value(invoice.period_start)]
    else:
        cte, join, first, params = "", "", "", []
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH {cte} g AS (
              SELECT l.participant_id AS pid, l.period AS period,
                     SUM(SUM(l.amount)) OVER (ORDER BY {first}l.period, p.kpj_number, l.participant_id ROWS UNBOUNDED PRECEDING) AS cum
              FROM contributions_invoiceline l LEFT JOIN membership_participant p ON p.id = l.participant_id {join}
              WHERE l.invoice_id = %s AND l.amount > 0
              GROUP BY l.participant_id, l.period, p.kpj_number
            )
            UPDATE contributions_invoiceline SET paid_amount = CASE
                WHEN EXISTS (SELECT 1 FROM g WHERE g.cum <= %s AND g.period = contributions_invoiceline.period
                             AND (g.pid = contributions_invoiceline.participant_id
                                  OR (g.pid IS NULL AND contributions_invoiceline.participant_id IS NULL)))
                THEN amount ELSE 0 END
            WHERE invoice_id = %s AND amount > 0
            """,
            [*params, invoice.pk, available, invoice.pk],
        )


def _accrue_fine(invoice: Invoice, settling: int, on: dt.date) -> int:
    """PU only: 2% per month late of the contribution settled late (rules engine); BPU none."""
    if invoice.segment != "PU" or on <= invoice.due_date or settling <= 0:
        return 0
    m = invoice.period_start
    fine = pu_late_fine(LateFineCase(segment="PU", amount_due=settling, year=m.year, month=m.month, payment_date=on)).total
    return int(fine)


def _apply(invoice: Invoice, amount: int, *, on: dt.date, payment: Payment | None = None, credit: PayerCredit | None = None) -> int:
    """Apply up to ``amount`` to ``invoice``; returns what was applied."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.CANCELLED:
        return 0  # money naming a cancelled invoice becomes the payer's credit
    contribution_open = max(0, invoice.total - invoice.paid_amount)
    settling = min(amount, contribution_open)
    fine = _accrue_fine(invoice, settling, on)
    invoice.fine_amount += fine
    applied = min(amount, invoice.outstanding)
    if applied <= 0:
        if fine:
            invoice.save(update_fields=["fine_amount"])
        return 0
    invoice.paid_amount += applied
    invoice.status = _status_for(invoice, on)
    invoice.save(update_fields=["paid_amount", "fine_amount", "status"])
    Allocation.objects.create(invoice=invoice, payment=payment, credit=credit, amount=applied, fine_accrued=fine, applied_on=on)
    allocate_lines(invoice)
    return applied


def add_credit(*, payer_key: str, sponsor=None, amount: int, kind: str, payment=None, invoice=None, note: str = "") -> PayerCredit:
    return PayerCredit.objects.create(
        payer_key=payer_key, sponsor=sponsor, amount=amount, kind=kind, payment=payment, invoice=invoice, note=note[:300]
    )


def credit_balance(payer_key: str) -> int:
    return PayerCredit.objects.filter(payer_key=payer_key).aggregate(s=Sum("amount"))["s"] or 0


def apply_credits_for(payer_keys, *, on: dt.date) -> int:
    """Carry each payer's credit to its open invoices, oldest first."""
    applied_total = 0
    keys = list(
        PayerCredit.objects.filter(payer_key__in=list(payer_keys))
        .values("payer_key")
        .annotate(s=Sum("amount"))
        .filter(s__gt=0)
        .values_list("payer_key", "s")
    )
    for key, balance in keys:
        for invoice in (
            Invoice.objects.filter(payer_key=key, status__in=OPEN_STATUSES)
            .exclude(kind=Invoice.Kind.CREDIT_NOTE)
            .order_by("period_start", "sequence")
        ):
            if balance <= 0:
                break
            entry = add_credit(
                payer_key=key, sponsor=invoice.sponsor, amount=0, kind=PayerCredit.Kind.APPLIED, invoice=invoice, note=f"Applied to {invoice.number}"
            )
            applied = _apply(invoice, balance, on=on, credit=entry)
            if applied:
                entry.amount = -applied
                entry.save(update_fields=["amount"])
            else:
                entry.delete()
            balance -= applied
            applied_total += applied
    return applied_total


# --------------------------------------------------------------------------------------------- matching
def find_invoice(reference: str) -> Invoice | None:
    """The invoice named in a bank reference: an invoice number, or a payer's virtual account
    (then the payer's oldest open invoice)."""
    for kind, value in _named_documents(reference):
        if kind == "invoice":
            inv = Invoice.objects.filter(number=value).first()
            if inv:
                return inv
        else:
            qs = Invoice.objects.filter(virtual_account=value).exclude(kind=Invoice.Kind.CREDIT_NOTE)
            return qs.filter(status__in=OPEN_STATUSES).order_by("period_start", "sequence").first() or qs.order_by("-period_start").first()
    return None


def _settle_payment(payment: Payment, invoice: Invoice, on: dt.date) -> dict:
    payment.payer_key = invoice.payer_key
    payment.sponsor = invoice.sponsor
    payment.branch = invoice.branch or payment.branch
    payment.status = Payment.Status.MATCHED
    payment.save(update_fields=["payer_key", "sponsor", "branch", "status"])
    applied = _apply(invoice, payment.amount, on=on, payment=payment)
    rest = payment.amount - applied
    if rest > 0:
        add_credit(
            payer_key=invoice.payer_key,
            sponsor=invoice.sponsor,
            amount=rest,
            kind=PayerCredit.Kind.OVERPAYMENT,
            payment=payment,
            note=f"Overpayment of {invoice.number}",
        )
        apply_credits_for([invoice.payer_key], on=on)
    return {"invoice": invoice.number, "applied": applied, "credit": rest}


def _create_payment(*, amount: int, paid_on: dt.date, reference: str, bank_reference: str | None, method: str, actor, bank_import=None) -> Payment:
    if amount is None or amount <= 0:
        raise ServiceError("invalid", _("The amount must be a positive number of rupiah."), {"amount": "must be positive"})
    if paid_on > dt.date.today():
        raise ServiceError("invalid", _("The payment date %(date)s is in the future.") % {"date": paid_on}, {"paid_on": "in the future"})
    try:
        with transaction.atomic():
            return Payment.objects.create(
                amount=amount,
                paid_on=paid_on,
                reference=(reference or "")[:300],
                bank_reference=bank_reference or None,
                method=method,
                bank_import=bank_import,
                created_by=actor if getattr(actor, "pk", None) else None,
                # Until matched, a payment belongs to the branch that recorded it (its unmatched queue).
                branch_id=getattr(actor, "branch_id", None),
            )
    except IntegrityError:
        raise ServiceError(
            "duplicate_bank_reference",
            _("The bank reference %(reference)s was already applied.") % {"reference": bank_reference},
            {"bank_reference": "already applied"},
            status=409,
        ) from None


def record_payment(
    *,
    amount: int,
    paid_on: dt.date,
    reference: str = "",
    bank_reference: str | None = None,
    invoice: Invoice | None = None,
    method: str = Payment.Method.MANUAL,
    actor=None,
) -> Payment:
    """Record one payment and match it (to ``invoice`` or by its reference); unmatched payments wait in the queue."""
    with transaction.atomic():
        payment = _create_payment(amount=amount, paid_on=paid_on, reference=reference, bank_reference=bank_reference, method=method, actor=actor)
        target = invoice or find_invoice(f"{reference} {bank_reference or ''}")
        outcome = _settle_payment(payment, target, paid_on) if target else {"unmatched": True}
        audit.record(
            actor=actor,
            action="contributions.payment",
            obj=payment,
            changes={"amount": amount, "paid_on": paid_on, **outcome},
            sponsor_id=payment.sponsor_id,
        )
    return payment


def match_payment(*, payment: Payment, invoice: Invoice, actor=None) -> Payment:
    """An officer matches a payment from the unmatched queue to an invoice."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.UNMATCHED:
            raise ServiceError("already_matched", _("This payment is already matched."), {"payment": "already matched"}, status=409)
        outcome = _settle_payment(payment, invoice, payment.paid_on)
        audit.record(actor=actor, action="contributions.payment_match", obj=payment, changes=outcome, sponsor_id=payment.sponsor_id)
    return payment


# --------------------------------------------------------------------------------------------- bank statement CSV
BANK_COLUMNS = ("date", "amount", "reference", "bank_reference")
_AMOUNT_RE = re.compile(r"^\d{1,3}([.,]\d{3})+$|^\d+$")


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _named_documents(text: str) -> list[tuple[str, str]]:
    """The invoice number and the virtual account a bank reference names, in the order
    ``find_invoice`` tries them (either may be missing)."""
    named = []
    m = INVOICE_RE.search(text or "")
    if m:
        named.append(("invoice", m.group(0).upper()))
    m = VA_RE.search(text or "")
    if m:
        named.append(("virtual_account", m.group(0)))
    return named


def parse_bank_statement(content: bytes | str, *, today: dt.date | None = None) -> tuple[list[dict], list[RowError]]:
    """Rows of a bank statement CSV (``date,amount,reference,bank_reference``) and the row errors
    (rows count the header as row 1): unreadable or future dates, amounts that are not positive
    whole rupiah, missing or duplicate bank references (in the file or already applied), and
    references naming an invoice number or virtual account that does not exist."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [RowError(1, "encoding", _("The file is not UTF-8 text."))]
    sample = content[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in BANK_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, "missing_column", _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}, field=missing[0])]
    reader.fieldnames = header
    today = today or dt.date.today()
    rows, errors, seen, names = [], [], {}, {}
    for i, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
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
        amount = None
        if not _AMOUNT_RE.match(row["amount"]):
            errors.append(
                RowError(i, "invalid_amount", _("%(amount)s is not a whole rupiah amount.") % {"amount": repr(row["amount"])}, field="amount")
            )
        else:
            amount = int(re.sub(r"[.,]", "", row["amount"]))
            if amount <= 0:
                errors.append(RowError(i, "invalid_amount", _("The amount must be positive."), field="amount"))
        ref = row["bank_reference"]
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
        named = _named_documents(f"{row['reference']} {ref}")
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
    already = set(Payment.objects.filter(bank_reference__in=list(seen)).values_list("bank_reference", flat=True))
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


def import_bank_statement(*, content: bytes, file_name: str = "statement.csv", actor=None, today: dt.date | None = None) -> BankImport:
    """All rows or none: any row error rejects the whole file (FileRejected with row errors)."""
    rows, errors = parse_bank_statement(content, today=today)
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
            payment = _create_payment(
                amount=r["amount"],
                paid_on=r["paid_on"],
                reference=r["reference"],
                bank_reference=r["bank_reference"],
                method=Payment.Method.BANK,
                actor=actor,
                bank_import=batch,
            )
            target = find_invoice(f"{r['reference']} {r['bank_reference']}")
            if target:
                _settle_payment(payment, target, r["paid_on"])
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
            summary=f"Bank statement {file_name}: {len(rows)} payments, {matched} matched",
        )
    return batch


# --------------------------------------------------------------------------------------------- refunds, settlements
def refund_after_death(*, participant, actor=None) -> Refund | None:
    """Contributions paid for months after the month of death are owed back to the payer
    (a refund record with an audit event). Months already credited by a correction run and
    earlier refunds are not refunded twice."""
    death = participant.end_date if participant.exit_reason == "death" else None
    if death is None:
        person_death = getattr(participant.person, "death_date", None)
        death = person_death
    if death is None:
        raise ServiceError("not_deceased", _("The participant has no recorded death."), {"participant": "not deceased"})
    after = InvoiceLine.objects.filter(participant=participant, period__gt=death.replace(day=1))
    by_payer: dict[str, dict] = {}
    for payer, sponsor_id, period, paid in after.values_list("invoice__payer_key", "invoice__sponsor_id", "period").annotate(p=Sum("paid_amount")):
        if not paid or paid <= 0:
            continue  # unpaid, or cancelled by a credit note (its negative lines net the month out)
        entry = by_payer.setdefault(payer, {"sponsor_id": sponsor_id, "amount": 0, "months": set()})
        entry["amount"] += paid
        entry["months"].add(period.isoformat())
    done = dict(Refund.objects.filter(participant=participant).values("payer_key").annotate(s=Sum("amount")).values_list("payer_key", "s"))
    refund = None
    with transaction.atomic():
        for payer, entry in by_payer.items():
            due = entry["amount"] - done.get(payer, 0)
            if due <= 0:
                continue
            refund = Refund.objects.create(
                payer_key=payer,
                sponsor_id=entry["sponsor_id"],
                participant=participant,
                amount=due,
                months=sorted(entry["months"]),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            audit.record(
                actor=actor,
                action="contributions.refund_after_death",
                obj=refund,
                changes={"amount": due, "months": refund.months, "payer": payer, "death_date": death},
                sponsor_id=entry["sponsor_id"],
            )
    return refund


def settle_arrears(
    *,
    invoice: Invoice,
    amount: int,
    paid_on: dt.date,
    reason: str,
    document_reference: str,
    bank_reference: str | None = None,
    actor=None,
    today: dt.date | None = None,
) -> ArrearsSettlement:
    """Record a sponsor's late settlement of arrears (e.g. a late budget disbursement): the
    payment is allocated, paid-through extends, and participants in grace return to active at
    once (the daily job would do the same). A documented, audited action."""
    if not reason.strip() or not document_reference.strip():
        raise ServiceError(
            "invalid",
            _("A settlement needs a reason and a supporting document."),
            {"reason": "required" if not reason.strip() else "", "document_reference": "required" if not document_reference.strip() else ""},
        )
    from lindung.contributions.coverage import refresh_statuses

    with transaction.atomic():
        payment = record_payment(
            amount=amount,
            paid_on=paid_on,
            reference=f"{invoice.number} {reason}"[:300],
            bank_reference=bank_reference,
            invoice=invoice,
            method=Payment.Method.SETTLEMENT,
            actor=actor,
        )
        moved = refresh_statuses(on=today or dt.date.today(), invoice_id=invoice.pk, actor=actor)
        settlement = ArrearsSettlement.objects.create(
            invoice=invoice,
            payment=payment,
            reason=reason[:300],
            document_reference=document_reference[:200],
            participants_restored=moved.get("grace_to_active", 0),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action="contributions.settle_arrears",
            obj=settlement,
            object_repr=invoice.number,
            changes={
                "invoice": invoice.number,
                "amount": amount,
                "paid_on": paid_on,
                "reason": reason,
                "document": document_reference,
                "restored": settlement.participants_restored,
            },
            sponsor_id=invoice.sponsor_id,
        )
    return settlement


def mark_overdue(*, on: dt.date) -> int:
    return (
        Invoice.objects.filter(status__in=(Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID), due_date__lt=on)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .update(status=Invoice.Status.OVERDUE)
    )


def unmatched_queue():
    return Payment.objects.filter(status=Payment.Status.UNMATCHED)


__all__ = [
    "Q",
    "add_credit",
    "allocate_lines",
    "apply_credits_for",
    "credit_balance",
    "find_invoice",
    "import_bank_statement",
    "mark_overdue",
    "match_payment",
    "parse_bank_statement",
    "record_payment",
    "refund_after_death",
    "settle_arrears",
]
