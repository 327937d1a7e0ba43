"""The bank's answer to an exported batch: a result CSV (columns of the batch's bank format), an ISO
20022 pain.002 status report or a camt.054 debit notification.

Each order is marked paid (a ``Settlement``: one per order, a database constraint), failed with the
bank's reason, or left as sent (unknown: the bank has not decided yet). Every row is checked before
anything is written: a row naming an order that is not in the batch, an amount that is not the
order's, an order named twice, or a paid order now reported failed makes the whole file rejected
with its row errors. The same file imported again changes nothing (its digest is known); a different
file repeating an earlier answer leaves those orders unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import audit, tabular
from lindung.core.errors import FileRejected, RowError, ServiceError
from lindung.core.files.checks import check_upload
from lindung.payouts import bankfiles, iso20022
from lindung.payouts.iso20022 import AnswerRow
from lindung.payouts.models import BankAnswer, OrderStatus, PaymentBatch, PaymentOrder
from lindung.payouts.workflow import BATCH, ORDER

MAX_BYTES = 50 * 1024 * 1024


@dataclass
class ImportResult:
    answer: BankAnswer
    duplicate: bool = False
    paid: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _read_table(content: bytes, fmt: bankfiles.BankFormat, filename: str) -> list[AnswerRow]:
    """The bank's result file — CSV (any separator and encoding the kernel's tabular reader takes)
    or a workbook — read with the columns of the batch's bank format."""
    spec = fmt.answer
    what = _("bank answer")
    rows_in = tabular.read_rows(content, name=filename if Path(filename).suffix else "answer.csv", what=what)
    first = next(rows_in, None)
    header = [tabular.text(h).strip() for h in (first.cells if first else [])]
    lower = {h.lower(): i for i, h in enumerate(header)}

    def col(name: str) -> int | None:
        wanted = spec.get(name)
        return lower.get(str(wanted).lower()) if wanted else None

    ref_col, status_col = col("reference"), col("status")
    missing = [spec[n] for n, c in (("reference", ref_col), ("status", status_col)) if c is None]
    if missing:
        raise FileRejected([RowError(1, "missing_column", _("Column %(col)s is missing.") % {"col": m}, m) for m in missing], what=what)
    cols = {n: col(n) for n in ("amount", "bank_reference", "reason_code", "reason", "date")}
    outcomes = {str(v).upper(): k for k in ("paid", "failed", "unknown") for v in spec.get(k, [])}
    rows, errors = [], []
    for source in rows_in:
        cells, number = source.cells, source.number
        if tabular.is_blank(cells):
            continue

        def cell(i: int | None, cells=cells):
            return cells[i] if i is not None and i < len(cells) else ""

        status = tabular.text(cell(status_col)).strip().upper()
        outcome = outcomes.get(status)
        if outcome is None:
            errors.append(
                RowError(
                    number,
                    "unknown_status",
                    _("Status %(status)s is not one of %(known)s.") % {"status": status or "—", "known": ", ".join(outcomes)},
                    spec["status"],
                )
            )
            continue
        raw_amount = cell(cols["amount"])
        if isinstance(raw_amount, (int, float)) and not isinstance(raw_amount, bool):
            amount = int(raw_amount) if float(raw_amount).is_integer() else -1
        else:
            text = tabular.text(raw_amount).strip().replace(".", "").replace(",", "")
            amount = int(text) if text.isdigit() else (None if not text else -1)
        paid_on = None
        raw_date = cell(cols["date"])
        if tabular.text(raw_date).strip():
            paid_on = tabular.parse_date(raw_date)
            if paid_on is None:
                try:
                    paid_on = dt.datetime.strptime(tabular.text(raw_date).strip(), spec.get("date_format", "%Y-%m-%d")).date()
                except ValueError:
                    errors.append(
                        RowError(number, "invalid_date", _("The date %(d)s cannot be read.") % {"d": tabular.text(raw_date)}, spec.get("date"))
                    )
                    continue
        rows.append(
            AnswerRow(
                row=number,
                reference=tabular.text(cell(ref_col)).strip(),
                outcome=outcome,
                status=status,
                amount=amount,
                reason_code=tabular.text(cell(cols["reason_code"])).strip()[:10],
                reason=tabular.text(cell(cols["reason"])).strip()[:300],
                bank_reference=tabular.text(cell(cols["bank_reference"])).strip()[:64],
                paid_on=paid_on,
            )
        )
    if errors:
        raise FileRejected(errors, what=what)
    return rows


def read_answer(content: bytes, fmt: bankfiles.BankFormat, filename: str = "answer.csv") -> tuple[str, list[AnswerRow]]:
    """The kind of the answer (``csv``, ``pain002``, ``camt054``) and its rows."""
    if content.lstrip()[:1] == b"<":
        try:
            root = iso20022.parse_xml(content)
            kind = iso20022.message_kind(root)
        except iso20022.MessageError as exc:
            raise FileRejected([RowError(1, exc.code, str(exc))], what=_("bank answer")) from None
        return kind, iso20022.read_pain002(root) if kind == "pain002" else iso20022.read_camt054(root)
    return "csv", _read_table(content, fmt, filename)


def _check(rows: list[AnswerRow], orders: dict[str, dict]) -> list[RowError]:
    errors = []
    seen: dict[str, int] = {}
    for r in rows:
        if r.reference == "*":  # a rejected group: every order of the batch
            continue
        order = orders.get(r.reference)
        if order is None:
            errors.append(RowError(r.row, "unknown_order", _("Order %(ref)s is not in this batch.") % {"ref": r.reference or "—"}, "reference"))
            continue
        if r.reference in seen:
            errors.append(
                RowError(
                    r.row, "duplicate_order", _("Order %(ref)s is named twice (row %(first)s).") % {"ref": r.reference, "first": seen[r.reference]}
                )
            )
            continue
        seen[r.reference] = r.row
        if r.amount is not None and r.amount != order["amount"]:
            errors.append(
                RowError(
                    r.row,
                    "amount_mismatch",
                    _("The amount %(got)s is not the order's %(amount)s.") % {"got": r.amount, "amount": order["amount"]},
                    "amount",
                )
            )
        elif r.outcome == "failed" and order["status"] == OrderStatus.PAID:
            errors.append(
                RowError(r.row, "paid_order_failed", _("Order %(ref)s was confirmed paid earlier; it cannot fail now.") % {"ref": r.reference})
            )
        elif r.outcome == "paid" and order["status"] in (OrderStatus.FAILED, OrderStatus.REISSUED):
            errors.append(
                RowError(r.row, "failed_order_paid", _("Order %(ref)s was reported failed earlier; ask the bank to confirm.") % {"ref": r.reference})
            )
    return errors


def import_bank_answer(batch: PaymentBatch, content: bytes, *, actor, filename: str = "answer", today: dt.date | None = None) -> ImportResult:
    """Apply the bank's answer to ``batch`` — all of it or, on any row error, nothing
    (``FileRejected`` with the row errors). Returns what changed."""
    if len(content) > MAX_BYTES:
        raise FileRejected(
            [RowError(1, "too_large", _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024})], what=_("bank answer")
        )
    check_upload(io.BytesIO(content), "bank_answer")  # a table or XML by content, a workbook's extent
    digest = hashlib.sha256(content).hexdigest()
    known = BankAnswer.objects.filter(batch=batch, digest=digest).first()
    if known is not None:
        return ImportResult(known, duplicate=True)
    if batch.status not in (PaymentBatch.Status.EXPORTED, PaymentBatch.Status.CLOSED):
        raise ServiceError(
            "not_exported",
            _("Batch %(number)s has not been sent to the bank yet.") % {"number": batch.number},
            {"batch": batch.status},
        )
    kind, rows = read_answer(content, bankfiles.get_format(batch.bank_format), filename)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        known = BankAnswer.objects.filter(batch=locked, digest=digest).first()
        if known is not None:
            return ImportResult(known, duplicate=True)
        orders = {
            number: {"id": pk, "amount": amount, "status": status}
            for pk, number, amount, status in PaymentOrder.objects.filter(batch=locked)
            .exclude(status=OrderStatus.READY)
            .values_list("pk", "number", "amount", "status")
            .iterator(chunk_size=5000)
        }
        if any(r.reference == "*" for r in rows):
            group = next(r for r in rows if r.reference == "*")
            rows = [AnswerRow(i, n, "failed", group.status, None, group.reason_code, group.reason) for i, n in enumerate(orders, 1)]
        if not rows:
            raise FileRejected([RowError(1, "empty", _("The answer names no order."))], what=_("bank answer"))
        errors = _check(rows, orders)
        if errors:
            raise FileRejected(errors, what=_("bank answer"))
        answer = BankAnswer.objects.create(
            batch=locked, kind=kind, filename=filename[:200], digest=digest, rows=len(rows), imported_by=actor if getattr(actor, "pk", None) else None
        )
        result = ImportResult(answer)
        to_pay: dict[int, AnswerRow] = {}
        to_fail: dict[int, AnswerRow] = {}
        for r in rows:
            order = orders[r.reference]
            if r.outcome == "paid":
                if order["status"] == OrderStatus.SENT:
                    to_pay[order["id"]] = r
                    result.paid.append(r.reference)
                else:
                    result.unchanged.append(r.reference)
            elif r.outcome == "failed":
                if order["status"] == OrderStatus.SENT:
                    to_fail[order["id"]] = r
                    result.failed.append(r.reference)
                else:
                    result.unchanged.append(r.reference)
            else:
                result.unknown.append(r.reference)
        actor_or_system = actor if getattr(actor, "pk", None) else None
        if to_pay:
            settle = {pk: (r.paid_on or today, orders[r.reference]["amount"], r.bank_reference[:64], answer.pk) for pk, r in to_pay.items()}
            moved = ORDER.perform_bulk(
                to_pay, "pay", from_state=OrderStatus.SENT, actor=actor_or_system, description=locked.number, data={"settle": settle}
            ).count
            if moved != len(to_pay):
                raise ServiceError("stale_state", _("Orders of this batch changed meanwhile; import the answer again."), {"batch": "changed"})
        if to_fail:
            moved = ORDER.perform_bulk(to_fail, "fail", from_state=OrderStatus.SENT, actor=actor_or_system, description=locked.number).count
            if moved != len(to_fail):
                raise ServiceError("stale_state", _("Orders of this batch changed meanwhile; import the answer again."), {"batch": "changed"})
            changed = []
            for pk, r in to_fail.items():
                changed.append(PaymentOrder(pk=pk, failure_code=r.reason_code[:10] or r.status[:10], failure_reason=(r.reason or r.status)[:300]))
            PaymentOrder.objects.bulk_update(changed, ["failure_code", "failure_reason"], batch_size=2000)
        answer.paid, answer.failed, answer.unknown, answer.unchanged = (
            len(result.paid),
            len(result.failed),
            len(result.unknown),
            len(result.unchanged),
        )
        answer.save(update_fields=["paid", "failed", "unknown", "unchanged"])
        if locked.status == PaymentBatch.Status.EXPORTED and not PaymentOrder.objects.filter(batch=locked, status=OrderStatus.SENT).exists():
            BATCH.perform(locked, "close", actor=actor_or_system, expect=None)
        audit.record(
            actor=actor,
            action="payouts.bank_answer_import",
            obj=locked,
            changes={
                "kind": kind,
                "rows": len(rows),
                "paid": answer.paid,
                "failed": answer.failed,
                "unknown": answer.unknown,
                "unchanged": answer.unchanged,
            },
            summary=filename[:200],
        )
    batch.status = locked.status
    return result
