"""Who pays an invoice and how it is named: payer keys, virtual accounts, invoice numbers and the
sequence of a payer's invoices for one period."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from lindung.contributions.models import Invoice, PayerType

VA_PREFIX = "8802"
PAYER_DIGIT = {PayerType.SPONSOR: "1", PayerType.EMPLOYER: "2", PayerType.SELF: "3", PayerType.PROJECT: "4"}


def payer_key(payer_type: str, pk: int) -> str:
    return f"{payer_type}:{pk}"


def virtual_account(payer_type: str, pk: int) -> str:
    return f"{VA_PREFIX}{PAYER_DIGIT[payer_type]}{pk:09d}"


def invoice_number(period: dt.date, payer_type: str, pk: int, sequence: int = 1) -> str:
    return f"INV-{period:%Y%m}-{PAYER_DIGIT[payer_type]}{pk:09d}-{sequence}"


def next_sequence(key: str, period_start: dt.date) -> int:
    """The next invoice sequence of a payer's period (1 for the first; ``_SELF_SEQ`` is the same
    in SQL for the self-paying run)."""
    top = Invoice.objects.filter(payer_key=key, period_start=period_start).aggregate(top=Max("sequence"))["top"]
    return (top or 0) + 1
