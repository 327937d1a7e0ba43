"""Payment orders from claims ready for payment, and the re-issue of a failed order.

One order per payee and component group: the cash benefit's share of each payee from the frozen
calculation (``claims.benefit.payee_amounts``) plus the late-payment compensation where the deadline
was missed (frozen as the kernel's calculation record), with a snapshot of the payee taken now.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.claims import benefit as claim_benefit
from lindung.claims import heirs as claim_heirs
from lindung.claims.models import Claim, ClaimStatus, Payee, PayeeKind
from lindung.core import audit
from lindung.core.calculations import calculate_and_freeze
from lindung.core.errors import ServiceError
from lindung.core.masking import mask_account
from lindung.payouts.models import LIVE_ORDER_STATUSES, OrderGroup, OrderStatus, PaymentOrder
from lindung.payouts.workflow import ORDER
from lindung.rules import load_parameters
from lindung.rules.banks import banks


def order_number(order: PaymentOrder) -> str:
    return f"PO-{order.created_at:%Y}-{order.pk:07d}"


def _snapshot(payee: Payee, *, prefix: str = "") -> dict:
    """The payee as they are now: name, NIK, bank, account and holder (copied onto the order)."""
    found = banks().get(payee.bank_code or "")
    if not payee.account_number or found is None:
        raise ServiceError(
            "payee_without_account",
            _("%(name)s has no valid bank account; record it on the claim first.") % {"name": payee.name},
            {f"{prefix}account_number": "required"},
        )
    return {
        "payee_name": payee.name[:200],
        "payee_nik": payee.nik or "",
        "bank_code": found.code,
        "bank_name": found.short_name[:100],
        "bank_bic": found.bic or "",
        "account_number": payee.account_number,
        "account_holder": (payee.account_holder or payee.name)[:200],
    }


def _create(claim: Claim, payee: Payee, *, actor, group: str, benefit_amount: int, late: int = 0, late_record=None, **extra) -> PaymentOrder:
    order = PaymentOrder(
        number="t" + uuid.uuid4().hex[:19],
        claim=claim,
        payee=payee,
        group=group,
        sponsor_id=claim.sponsor_id,
        branch_id=claim.branch_id,
        benefit_amount=benefit_amount,
        late_compensation=late,
        amount=benefit_amount + late,
        late_calculation=late_record,
        created_by=actor if getattr(actor, "pk", None) else None,
        **_snapshot(payee),
        **extra,
    )
    order.save()
    order.number = order_number(order)
    order.save(update_fields=["number"])
    ORDER.record_creation(order, actor=actor)
    return order


def _late_compensation(claim: Claim, on: dt.date, actor):
    """The late-payment compensation due if paid on ``on`` (0 when in time), frozen when due."""
    late = claim_benefit.late_compensation(claim, paid_on=on)
    if not late or late["amount"] <= 0:
        return 0, None
    record = calculate_and_freeze(
        "late-payment",
        {
            "program": claim.program,
            "benefit_amount": claim.benefit_total,
            "application_date": claim.complete_on.isoformat(),
            "payment_date": on.isoformat(),
        },
        actor=actor,
        params=load_parameters(),
    )
    return record.total or 0, record


@transaction.atomic
def create_orders_for_claim(claim: Claim, *, actor, on: dt.date | None = None) -> list[PaymentOrder]:
    """The payment orders of a claim ready for payment: one per payee of the cash benefit, the
    amount from the frozen calculation plus the late compensation due on ``on`` (default today).
    The social security fund's part is not transferred. Refused when the claim is not ready for
    payment or already has its orders."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != ClaimStatus.READY:
        raise ServiceError(
            "claim_not_ready",
            _("Claim %(number)s is not ready for payment (it is “%(status)s”).") % {"number": locked.number, "status": locked.get_status_display()},
            {"claim": locked.status},
        )
    live = PaymentOrder.objects.filter(claim=locked, group=OrderGroup.BENEFIT, status__in=LIVE_ORDER_STATUSES)
    if live.exists():
        raise ServiceError(
            "orders_exist",
            _("Claim %(number)s already has its payment orders (%(orders)s).")
            % {"number": locked.number, "orders": ", ".join(live.values_list("number", flat=True))},
            {"claim": "ordered"},
        )
    on = on or timezone.localdate()
    late, late_record = _late_compensation(locked, on, actor)
    base = {row["payee"].pk: row["amount"] for row in claim_benefit.payee_amounts(locked)}
    with_late = claim_benefit.payee_amounts(locked, extra=late)
    orders = []
    for index, row in enumerate(with_late):
        payee: Payee = row["payee"]
        if payee.kind == PayeeKind.SOCIAL_SECURITY_FUND or row["amount"] <= 0:
            continue
        benefit_amount = base[payee.pk]
        try:
            orders.append(
                _create(
                    locked,
                    payee,
                    actor=actor,
                    group=OrderGroup.BENEFIT,
                    benefit_amount=benefit_amount,
                    late=row["amount"] - benefit_amount,
                    late_record=late_record,
                )
            )
        except ServiceError as exc:
            exc.fields = {f"payees.{index}.{k}": v for k, v in exc.fields.items()}
            raise
    if not orders:
        raise ServiceError("nothing_to_pay", _("Claim %(number)s has nothing to transfer.") % {"number": locked.number}, {"claim": "no payee"})
    audit.record(
        actor=actor,
        action="payouts.orders_create",
        obj=locked,
        changes={"orders": [o.number for o in orders], "amount": sum(o.amount for o in orders), "late_compensation": late},
        sponsor_id=locked.sponsor_id,
    )
    return orders


@transaction.atomic
def reissue_order(
    order: PaymentOrder, *, actor, bank_code: str | None = None, account_number: str | None = None, account_holder: str = ""
) -> PaymentOrder:
    """A new order for a failed one, after the payee's account is corrected (given here, or corrected
    on the claim before). The failed order is kept (``reissued``), the new one points at it."""
    locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != OrderStatus.FAILED:
        raise ServiceError(
            "not_failed",
            _("Order %(number)s has not failed (it is “%(status)s”); only a failed order is re-issued.")
            % {"number": locked.number, "status": locked.get_status_display()},
            {"order": locked.status},
        )
    if locked.payee_id is None:  # a scholarship year: paid to the account given with the enrolment
        return _reissue_to_account(locked, actor=actor, bank_code=bank_code, account_number=account_number, account_holder=account_holder)
    payee = Payee.objects.select_related("claim").get(pk=locked.payee_id)
    if bank_code is not None or account_number is not None:
        claim_heirs.update_payee_account(
            payee, actor=actor, bank_code=bank_code or payee.bank_code, account_number=account_number or "", account_holder=account_holder
        )
    _refuse_same_account(locked, payee.bank_code, payee.account_number)
    ORDER.perform(locked, "reissue", actor=actor, note=_("re-issued"))
    new = _create(
        payee.claim,
        payee,
        actor=actor,
        group=locked.group,
        benefit_amount=locked.benefit_amount,
        late=locked.late_compensation,
        late_record=locked.late_calculation,
        reissue_of=locked,
        scholarship_year=locked.scholarship_year,
    )
    audit.record(
        actor=actor,
        action="payouts.order_reissue",
        obj=new,
        changes={"reissue_of": locked.number, "account": [mask_account(locked.account_number), mask_account(new.account_number)]},
        sponsor_id=new.sponsor_id,
    )
    return new


def _refuse_same_account(order: PaymentOrder, bank_code: str, account_number: str) -> None:
    if (bank_code, account_number) == (order.bank_code, order.account_number) and order.failure_code in ACCOUNT_FAILURES:
        raise ServiceError(
            "account_unchanged",
            _("The bank refused account %(account)s (%(reason)s); correct the account before re-issuing the order.")
            % {"account": mask_account(order.account_number), "reason": order.failure_reason or order.failure_code},
            {"account_number": "unchanged"},
        )


def _reissue_to_account(locked: PaymentOrder, *, actor, bank_code, account_number, account_holder) -> PaymentOrder:
    bank_code = bank_code or locked.bank_code
    number = claim_heirs.check_account(bank_code, account_number) if account_number else locked.account_number
    _refuse_same_account(locked, bank_code, number)
    found = banks().get(bank_code)
    ORDER.perform(locked, "reissue", actor=actor, note=_("re-issued"))
    new = PaymentOrder(
        number="t" + uuid.uuid4().hex[:19],
        claim_id=locked.claim_id,
        group=locked.group,
        scholarship_year=locked.scholarship_year,
        sponsor_id=locked.sponsor_id,
        branch_id=locked.branch_id,
        benefit_amount=locked.benefit_amount,
        late_compensation=locked.late_compensation,
        amount=locked.amount,
        payee_name=locked.payee_name,
        payee_nik=locked.payee_nik,
        bank_code=found.code,
        bank_name=found.short_name[:100],
        bank_bic=found.bic or "",
        account_number=number,
        account_holder=(account_holder or locked.account_holder)[:200],
        reissue_of=locked,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    new.save()
    new.number = order_number(new)
    new.save(update_fields=["number"])
    ORDER.record_creation(new, actor=actor)
    audit.record(actor=actor, action="payouts.order_reissue", obj=new, changes={"reissue_of": locked.number}, sponsor_id=new.sponsor_id)
    return new


# ISO 20022 external status reason codes that name a wrong account (re-issue needs a corrected one).
ACCOUNT_FAILURES = frozenset({"AC01", "AC02", "AC03", "AC04", "AC06", "AC13", "BE01", "BE04", "RC01"})
