"""Payment batches: finance groups orders, a second person authorises, the batch is exported for the
bank as a bulk-transfer CSV (columns per bank format) or as ISO 20022 pain.001.001.09.

The first export moves the batch to *exported* and its orders to *sent to the bank* (one bulk
decision). Each file made for the bank (pain.001, or the CSV of one bank format) is written once, in
the same transaction, as a ``StoredFile`` (kind ``bank_file``) owned by the batch: a later download
serves the very bytes the bank was sent, through the scoped, audited file view. Making the file
again is explicit (``regenerate=True``, audited with both digests); the earlier files are kept.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import audit, files
from lindung.core.errors import ServiceError
from lindung.core.files.models import StoredFile
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
    """First export: batch → exported, its orders → sent (one bulk decision). Refused before
    authorisation. Call inside a transaction: the batch row stays locked until it ends."""
    locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status == PaymentBatch.Status.AUTHORISED:
        ids = list(PaymentOrder.objects.filter(batch=locked, status=OrderStatus.BATCHED).values_list("pk", flat=True))
        BATCH.perform(locked, "export", actor=actor, note=fmt)
        ORDER.perform_bulk(ids, "send", from_state=OrderStatus.BATCHED, actor=actor, description=locked.number)
        PaymentBatch.objects.filter(pk=locked.pk).update(exported_at=timezone.now())
        locked.refresh_from_db()
    elif locked.status not in (PaymentBatch.Status.EXPORTED, PaymentBatch.Status.CLOSED):
        raise ServiceError(
            "not_authorised",
            _("Batch %(number)s is “%(status)s”; it is exported once authorised.") % {"number": locked.number, "status": locked.get_status_display()},
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


def _pain001_chunks(locked: PaymentBatch) -> Iterator[bytes]:
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


BANK_FILE_KIND = "bank_file"
PAIN001 = "pain001"


def bank_file_name(batch: PaymentBatch, file_format: str, bank_format: str | None = None) -> str:
    """The download name, which also tells the files of one batch apart: ``PB-….pain.001.xml``,
    ``PB-….csv`` (the batch's own bank format) or ``PB-….<format>.csv``."""
    if file_format == PAIN001:
        return f"{batch.number}.pain.001.xml"
    code = bank_format or batch.bank_format
    return f"{batch.number}.csv" if code == batch.bank_format else f"{batch.number}.{code}.csv"


def bank_files(batch: PaymentBatch):
    """The files made for the bank of ``batch``, newest first (a regenerated file before the one it
    replaced)."""
    return StoredFile.objects.filter(kind=BANK_FILE_KIND, owner_type=PaymentBatch._meta.label_lower, owner_id=str(batch.pk)).order_by("-created_at")


def bank_file(batch: PaymentBatch, *, actor, file_format: str = PAIN001, bank_format: str | None = None, regenerate: bool = False) -> StoredFile:
    """The stored bank file of ``batch`` (``file_format`` ``pain001`` or ``csv`` in ``bank_format``,
    the batch's own by default). The first call exports the batch (orders sent) and writes the file
    in the same transaction; later calls return the same file, unless ``regenerate`` asks for the
    file to be made again from the orders (audited ``payouts.bank_file_regenerate``; the earlier
    file is kept). Two first exports at the same moment: the batch row lock makes one wait and find
    the other's file."""
    if file_format == PAIN001:
        label, content_type, fmt = "pain.001.001.09", "application/xml", None
    elif file_format == "csv":
        fmt = bankfiles.get_format(bank_format or batch.bank_format)
        label, content_type = f"csv:{fmt.code}", "text/csv; charset=utf-8"
    else:
        raise ServiceError("unknown_format", _("Unknown bank file format %(code)s.") % {"code": file_format}, {"format": "pain001 or csv"})
    with transaction.atomic():
        locked = _mark_exported(batch, actor=actor, fmt=label)
        name = bank_file_name(locked, file_format, fmt.code if fmt else None)
        existing = bank_files(locked).filter(name=name).first()
        if existing is not None and not regenerate:
            return existing
        chunks = _pain001_chunks(locked) if fmt is None else bankfiles.iter_csv(_rows(locked), fmt)
        with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
            for chunk in chunks:
                spool.write(chunk)
            stored = files.store(spool, kind=BANK_FILE_KIND, name=name, owner=locked, actor=actor, content_type=content_type)
        if existing is not None:
            audit.record(
                actor=actor,
                action="payouts.bank_file_regenerate",
                obj=locked,
                changes={"format": label, "file": str(stored.pk), "sha256": [existing.sha256, stored.sha256], "replaces": str(existing.pk)},
            )
        return stored


def _read(stored: StoredFile, *, actor) -> Iterator[bytes]:
    """The content of a stored bank file handed to ``actor`` outside the file view (the CLI, the
    demo): audited as a download, like the file view does."""
    files.record_download(actor, stored)
    with files.open_stored(stored) as fh:
        yield from iter(lambda: fh.read(1 << 16), b"")


def export_pain001(batch: PaymentBatch, *, actor, regenerate: bool = False) -> Iterator[bytes]:
    """The authorised batch as ISO 20022 pain.001.001.09 (written once, read back in blocks), with
    its control sum and number of transactions. The first export sends the orders to the bank."""
    return _read(bank_file(batch, actor=actor, file_format=PAIN001, regenerate=regenerate), actor=actor)


def export_csv(batch: PaymentBatch, *, actor, bank_format: str | None = None, regenerate: bool = False) -> Iterator[bytes]:
    """The authorised batch as the bank's bulk-transfer CSV (the batch's format, or ``bank_format``)."""
    return _read(bank_file(batch, actor=actor, file_format="csv", bank_format=bank_format, regenerate=regenerate), actor=actor)
