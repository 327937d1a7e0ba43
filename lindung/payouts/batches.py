"""Payment batches: finance groups orders, a second person authorises, the batch is exported for the
bank as a bulk-transfer CSV (columns per bank format) or as ISO 20022 pain.001.001.09.

The first export moves the batch to *exported* and its orders to *sent to the bank* (one bulk
decision); later downloads of the same batch give the same content and are audited as downloads.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.payouts import bankfiles, iso20022
from lindung.payouts.models import OrderStatus, PaymentBatch, PaymentOrder
from lindung.payouts.workflow import BATCH, ORDER


def batch_number(batch: PaymentBatch) -> str:
    return f"PB-{batch.created_at:%Y}-{batch.pk:06d}"


def _totals(batch: PaymentBatch) -> tuple[int, int]:
    agg = PaymentOrder.objects.filter(batch=batch).exclude(status=OrderStatus.READY).aggregate(n=Count("id"), total=Sum("amount"))
    return agg["n"] or 0, agg["total"] or 0


@transaction.atomic
def create_batch(
    orders: Sequence[PaymentOrder | int],
    *,
    actor,
    execution_date: dt.date | None = None,
    bank_format: str = "default",
    note: str = "",
    branch=None,
) -> PaymentBatch:
    """A draft batch of orders awaiting a batch (all of one branch office). Nothing is written when
    any order is not awaiting a batch."""
    ids = sorted({o if isinstance(o, int) else o.pk for o in orders})
    if not ids:
        raise ServiceError("empty_batch", _("Choose at least one payment order."), {"orders": "required"})
    bankfiles.get_format(bank_format)
    found = list(PaymentOrder.objects.filter(pk__in=ids).values_list("pk", "number", "status", "branch_id"))
    missing = set(ids) - {row[0] for row in found}
    if missing:
        raise ServiceError(
            "unknown_order", _("Unknown payment order(s): %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}, {"orders": "unknown"}
        )
    not_ready = [row[1] for row in found if row[2] != OrderStatus.READY]
    if not_ready:
        raise ServiceError(
            "order_not_ready",
            _("These orders are not awaiting a batch: %(numbers)s.") % {"numbers": ", ".join(not_ready[:20])},
            {"orders": "not awaiting a batch"},
        )
    branches = {row[3] for row in found}
    if len(branches) > 1:
        raise ServiceError("several_branches", _("A batch holds the orders of one branch office."), {"orders": "several branch offices"})
    batch = PaymentBatch.objects.create(
        number="t" + uuid.uuid4().hex[:19],
        branch_id=branch.pk if branch is not None else branches.pop(),
        bank_format=bank_format,
        execution_date=execution_date or timezone.localdate(),
        note=note[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    batch.number = batch_number(batch)
    outcome = ORDER.perform_bulk(ids, "batch", from_state=OrderStatus.READY, actor=actor, data={"batch_id": batch.pk}, description=batch.number)
    if outcome.count != len(ids):
        raise ServiceError("order_not_ready", _("Some orders were taken by someone else meanwhile; try again."), {"orders": "changed"})
    batch.count, batch.total = _totals(batch)
    batch.save(update_fields=["number", "count", "total"])
    BATCH.record_creation(batch, actor=actor)
    audit.record(actor=actor, action="payouts.batch_create", obj=batch, changes={"orders": batch.count, "total": batch.total})
    return batch


def authorise_batch(batch: PaymentBatch, *, actor, note: str = ""):
    """The second person's authorisation (kernel maker-checker: not whoever made the batch; from the
    amounts of ``LINDUNG_APPROVAL_LEVELS["payouts.authorise"]`` up, that many different people).
    Two people at the same moment: one wins, the other gets ``stale_state``."""
    return BATCH.perform(batch, "authorise", actor=actor, note=note)


@transaction.atomic
def cancel_batch(batch: PaymentBatch, *, actor, reason: str, note: str = "") -> PaymentBatch:
    """A draft batch is cancelled; its orders await a batch again."""
    BATCH.perform(batch, "cancel", actor=actor, reason=reason, note=note)
    ids = list(PaymentOrder.objects.filter(batch=batch, status=OrderStatus.BATCHED).values_list("pk", flat=True))
    ORDER.perform_bulk(ids, "unbatch", from_state=OrderStatus.BATCHED, actor=actor, description=batch.number)
    return batch


def _mark_exported(batch: PaymentBatch, *, actor, fmt: str) -> PaymentBatch:
    """First export: batch → exported, its orders → sent (one bulk decision). A later download of an
    exported batch is audited only. Refused before authorisation."""
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == PaymentBatch.Status.AUTHORISED:
            ids = list(PaymentOrder.objects.filter(batch=locked, status=OrderStatus.BATCHED).values_list("pk", flat=True))
            BATCH.perform(locked, "export", actor=actor, note=fmt)
            ORDER.perform_bulk(ids, "send", from_state=OrderStatus.BATCHED, actor=actor, description=locked.number)
            PaymentBatch.objects.filter(pk=locked.pk).update(exported_at=timezone.now())
            locked.refresh_from_db()
        elif locked.status in (PaymentBatch.Status.EXPORTED, PaymentBatch.Status.CLOSED):
            audit.record(actor=actor, action="payouts.batch_download", obj=locked, changes={"format": fmt})
        else:
            raise ServiceError(
                "not_authorised",
                _("Batch %(number)s is “%(status)s”; it is exported once authorised.")
                % {"number": locked.number, "status": locked.get_status_display()},
                {"batch": locked.status},
            )
    batch.status, batch.exported_at = locked.status, locked.exported_at
    return locked


def _exported_orders(batch: PaymentBatch):
    return PaymentOrder.objects.filter(batch=batch).exclude(status=OrderStatus.READY).order_by("id")


_FIELDS = ("number", "amount", "bank_bic", "bank_code", "bank_name", "account_number", "account_holder", "payee_name", "claim__number", "group")


def _rows(batch: PaymentBatch) -> Iterator[dict]:
    for values in _exported_orders(batch).values_list(*_FIELDS).iterator(chunk_size=2000):
        row = dict(zip(_FIELDS, values, strict=True))
        row["claim_number"] = row.pop("claim__number")
        row["remittance"] = f"Santunan BPJS TK {row['claim_number']} {row['number']}"
        row["batch_number"] = batch.number
        row["execution_date"] = batch.execution_date
        yield row


def debtor() -> iso20022.Debtor:
    d = settings.LINDUNG_PAYOUT_DEBTOR
    return iso20022.Debtor(name=d["name"], account=d["account"], bic=d.get("bic", ""), bank_code=d.get("bank_code", ""))


def export_pain001(batch: PaymentBatch, *, actor) -> Iterator[bytes]:
    """The authorised batch as ISO 20022 pain.001.001.09 (streamed, flat memory), with its control
    sum and number of transactions. The first export sends the orders to the bank."""
    locked = _mark_exported(batch, actor=actor, fmt="pain.001.001.09")
    count, total = _totals(locked)
    created = locked.exported_at or timezone.now()

    def transfers():
        for row in _rows(locked):
            yield iso20022.CreditTransfer(
                number=row["number"],
                amount=row["amount"],
                bank_bic=row["bank_bic"],
                bank_code=row["bank_code"],
                account_number=row["account_number"],
                account_holder=row["account_holder"],
                remittance=row["remittance"],
            )

    return iso20022.iter_pain001(
        message_id=locked.number,
        created_at=created,
        execution_date=locked.execution_date,
        count=count,
        control_sum=total,
        initiating_party=settings.LINDUNG_PAYOUT_DEBTOR.get("initiating_party") or settings.LINDUNG_PAYOUT_DEBTOR["name"],
        debtor=debtor(),
        transfers=transfers(),
    )


def export_csv(batch: PaymentBatch, *, actor, bank_format: str | None = None) -> Iterator[bytes]:
    """The authorised batch as the bank's bulk-transfer CSV (the batch's format, or ``bank_format``)."""
    fmt = bankfiles.get_format(bank_format or batch.bank_format)
    locked = _mark_exported(batch, actor=actor, fmt=f"csv:{fmt.code}")
    return bankfiles.iter_csv(_rows(locked), fmt)
