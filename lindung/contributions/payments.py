"""Incoming contribution payments: manual entry, matching to an invoice (by invoice number or
virtual account in the reference, or by an officer from the unmatched queue) and their
allocation; an overpayment becomes the payer's credit."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lindung.contributions.allocation import OPEN_STATUSES, add_credit, apply_credits_for, apply_to_invoice
from lindung.contributions.models import ContributionPayment, Invoice, PayerCredit
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.core.formatting import number

# What a contribution payment can plausibly be: BPJS Ketenagakerjaan collects from 1 January 2014
# (Jamsostek before it), and no single payment reaches Rp 10 trillion (a province's year for a
# million workers is about Rp 200 billion). Outside these, it is a typing or file error.
FIRST_PAYMENT_DATE = dt.date(2014, 1, 1)
MAX_PAYMENT_AMOUNT = 10_000_000_000_000


def amount_problem(amount: int | None) -> str | None:
    """Why ``amount`` cannot be a payment (a translated sentence), or None."""
    if amount is None or amount <= 0:
        return _("The amount must be a positive number of rupiah.")
    if amount > MAX_PAYMENT_AMOUNT:
        return _("The amount Rp %(amount)s is larger than any contribution payment (at most Rp %(max)s).") % {
            "amount": number(amount),
            "max": number(MAX_PAYMENT_AMOUNT),
        }
    return None


def date_problem(paid_on: dt.date, today: dt.date | None = None) -> str | None:
    """Why ``paid_on`` cannot be a payment date (a translated sentence), or None."""
    if paid_on > (today or dt.date.today()):
        return _("The payment date %(date)s is in the future.") % {"date": paid_on}
    if paid_on < FIRST_PAYMENT_DATE:
        return _("The payment date %(date)s is before %(first)s, when contributions to BPJS Ketenagakerjaan began.") % {
            "date": paid_on,
            "first": FIRST_PAYMENT_DATE,
        }
    return None


INVOICE_RE = re.compile(r"INV-\d{6}-\d{10}-\d+", re.IGNORECASE)
VA_RE = re.compile(r"(?<!\d)8802\d{10}(?!\d)")


def find_invoice(reference: str) -> Invoice | None:
    """The invoice named in a bank reference: an invoice number, or a payer's virtual account
    (then the payer's oldest open invoice)."""
    for kind, value in named_documents(reference):
        if kind == "invoice":
            inv = Invoice.objects.filter(number=value).first()
            if inv:
                return inv
        else:
            qs = Invoice.objects.filter(virtual_account=value).exclude(kind=Invoice.Kind.CREDIT_NOTE)
            return qs.filter(status__in=OPEN_STATUSES).order_by("period_start", "sequence").first() or qs.order_by("-period_start").first()
    return None


def settle_payment(payment: ContributionPayment, invoice: Invoice, on: dt.date) -> dict:
    payment.payer_key = invoice.payer_key
    # Ids, not objects: a bank statement settles many payments, one query each would add up.
    payment.sponsor_id = invoice.sponsor_id
    payment.branch_id = invoice.branch_id or payment.branch_id
    payment.status = ContributionPayment.Status.MATCHED
    payment.save(update_fields=["payer_key", "sponsor", "branch", "status"])
    applied = apply_to_invoice(invoice, payment.amount, on=on, payment=payment)
    rest = payment.amount - applied
    if rest > 0:
        add_credit(
            payer_key=invoice.payer_key,
            sponsor_id=invoice.sponsor_id,
            amount=rest,
            kind=PayerCredit.Kind.OVERPAYMENT,
            payment=payment,
            note=f"Overpayment of {invoice.number}",
        )
        apply_credits_for([invoice.payer_key], on=on)
    return {"invoice": invoice.number, "applied": applied, "credit": rest}


def create_payment(
    *, amount: int, paid_on: dt.date, reference: str, bank_reference: str | None, method: str, actor, bank_import=None
) -> ContributionPayment:
    problem = amount_problem(amount)
    if problem:
        raise ServiceError("invalid", problem, {"amount": "must be positive" if not amount or amount <= 0 else "too large"})
    for field, text in (("reference", reference), ("bank_reference", bank_reference)):
        if text and "\x00" in text:
            # PostgreSQL refuses NUL in text (a server error before this check).
            raise ServiceError("invalid", _("The %(field)s contains a NUL character.") % {"field": field}, {field: "contains NUL"})
    problem = date_problem(paid_on)
    if problem:
        raise ServiceError("invalid", problem, {"paid_on": "in the future" if paid_on > dt.date.today() else "too early"})
    try:
        with transaction.atomic():
            return ContributionPayment.objects.create(
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
    method: str = ContributionPayment.Method.MANUAL,
    actor=None,
) -> ContributionPayment:
    """Record one payment and match it (to ``invoice`` or by its reference); unmatched payments wait in the queue."""
    with transaction.atomic():
        payment = create_payment(amount=amount, paid_on=paid_on, reference=reference, bank_reference=bank_reference, method=method, actor=actor)
        target = invoice or find_invoice(f"{reference} {bank_reference or ''}")
        outcome = settle_payment(payment, target, paid_on) if target else {"unmatched": True}
        audit.record(
            actor=actor,
            action="contributions.payment",
            obj=payment,
            changes={"amount": amount, "paid_on": paid_on, **outcome},
            sponsor_id=payment.sponsor_id,
        )
    return payment


def match_payment(*, payment: ContributionPayment, invoice: Invoice, actor=None) -> ContributionPayment:
    """An officer matches a payment from the unmatched queue to an invoice."""
    with transaction.atomic():
        payment = ContributionPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != ContributionPayment.Status.UNMATCHED:
            raise ServiceError("already_matched", _("This payment is already matched."), {"payment": "already matched"}, status=409)
        outcome = settle_payment(payment, invoice, payment.paid_on)
        audit.record(actor=actor, action="contributions.payment_match", obj=payment, changes=outcome, sponsor_id=payment.sponsor_id)
    return payment


def named_documents(text: str) -> list[tuple[str, str]]:
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
