"""Reads of payouts, always scoped with ``visible_to(user)``: orders, batches, bank answers, hand-over
events, payment history and what is owed."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from lindung.claims.models import Claim, ClaimStatus
from lindung.core.errors import NotFound
from lindung.core.masking import mask_account, mask_nik
from lindung.core.scoping import scope_kind
from lindung.payouts.models import (
    LIVE_ORDER_STATUSES,
    BankAnswer,
    HandoverCase,
    HandoverEvent,
    OrderStatus,
    PaymentBatch,
    PaymentOrder,
    ScholarshipSchedule,
    ScholarshipYear,
)
from lindung.payouts.workflow import BATCH, ORDER


def orders(*, user, status: str | None = None, batch: PaymentBatch | None = None, q: str | None = None) -> QuerySet[PaymentOrder]:
    qs = PaymentOrder.objects.visible_to(user).select_related("claim", "batch").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if batch is not None:
        qs = qs.filter(batch=batch)
    if q:
        q = q.strip().upper()
        qs = qs.filter(Q(number=q) | Q(claim__number=q))
    return qs


def order(*, user, number: str) -> PaymentOrder:
    found = PaymentOrder.objects.visible_to(user).select_related("claim", "batch", "reissue_of").filter(number=number).first()
    if found is None:
        raise NotFound()
    return found


def batches(*, user, status: str | None = None) -> QuerySet[PaymentBatch]:
    qs = PaymentBatch.objects.visible_to(user).select_related("created_by").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return qs


def batch(*, user, number: str, for_update: bool = False) -> PaymentBatch:
    found = PaymentBatch.objects.visible_to(user).filter(number=number).first()
    if found is None:
        raise NotFound()
    return found


def batch_orders(*, user, batch: PaymentBatch) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.visible_to(user).filter(batch=batch).select_related("claim").order_by("id")


def answers(*, user, batch: PaymentBatch) -> QuerySet[BankAnswer]:
    return BankAnswer.objects.visible_to(user).filter(batch=batch).order_by("-id")


def _timeline(workflow, decisions) -> list:
    """The decisions, each with ``step_label``: the step in words, as a timeline shows it."""
    rows = list(decisions)
    for d in rows:
        d.step_label = workflow.step_label(d.transition)
    return rows


def batch_history(obj: PaymentBatch) -> list:
    return _timeline(BATCH, BATCH.history(obj))


def order_history(obj: PaymentOrder) -> list:
    return _timeline(ORDER, ORDER.history(obj))


def batch_actions(obj: PaymentBatch, *, user) -> list[str]:
    return [t.name for t in BATCH.available(obj, actor=user)]


def order_row(o: PaymentOrder, *, user) -> dict:
    """An order as lists show it: the account masked, the NIK masked."""
    return {
        "number": o.number,
        "claim": o.claim.number,
        "group": o.group,
        "status": o.status,
        "status_label": o.get_status_display(),
        "amount": o.amount,
        "benefit_amount": o.benefit_amount,
        "late_compensation": o.late_compensation,
        "payee_name": o.payee_name,
        "payee_nik": mask_nik(o.payee_nik),
        "bank_code": o.bank_code,
        "bank_name": o.bank_name,
        "account_number": mask_account(o.account_number),
        "account_holder": o.account_holder,
        "batch": o.batch.number if o.batch_id else None,
        "failure_code": o.failure_code,
        "failure_reason": o.failure_reason,
        "reissue_of": o.reissue_of.number if o.reissue_of_id else None,
        "paid_on": getattr(getattr(o, "settlement", None), "paid_on", None) if o.status == OrderStatus.PAID else None,
        "created_at": o.created_at,
    }


def ready_claims(*, user) -> QuerySet[Claim]:
    """Claims ready for payment without live orders (finance's queue)."""
    return (
        Claim.objects.visible_to(user)
        .filter(status=ClaimStatus.READY)
        .exclude(pk__in=PaymentOrder.objects.filter(group="benefit", status__in=LIVE_ORDER_STATUSES).values("claim_id"))
        .select_related("participant__person")
        .order_by("deadline", "id")
    )


def events(*, user) -> QuerySet[HandoverEvent]:
    return HandoverEvent.objects.visible_to(user).annotate(n=Count("cases"), total=Sum("cases__amount")).order_by("-date", "-id")


def event(*, user, pk: int) -> HandoverEvent:
    found = HandoverEvent.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def event_cases(*, user, event: HandoverEvent) -> QuerySet[HandoverCase]:
    """The cases of an event the user may see: a sponsor's staff see only their own workers' cases."""
    qs = HandoverCase.objects.filter(event=event).select_related("claim").order_by("id")
    if scope_kind(user) == "sponsor":
        qs = qs.filter(claim__sponsor_id=user.sponsor_id)
    return qs


def payment_history(*, user, claim: Claim | None = None, payee_nik: str | None = None) -> QuerySet[PaymentOrder]:
    """Every order of a claim, or paid to one heir (by NIK), oldest first, with its settlement."""
    qs = PaymentOrder.objects.visible_to(user).select_related("claim", "batch", "settlement").order_by("created_at", "id")
    if claim is not None:
        qs = qs.filter(claim=claim)
    if payee_nik:
        qs = qs.filter(payee_nik=payee_nik)
    return qs


# ---------------------------------------------------------------------- scholarships and what is owed
def scholarship_years(*, user, year: int, status: str | None = None) -> QuerySet[ScholarshipYear]:
    qs = ScholarshipYear.objects.visible_to(user).filter(school_year=year).select_related("schedule__claim").order_by("schedule__claim_id", "id")
    if status:
        qs = qs.filter(status=status)
    return qs


def scholarship_year(*, user, pk: int) -> ScholarshipYear:
    found = ScholarshipYear.objects.visible_to(user).select_related("schedule__claim", "schedule__heir").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def schedules(*, user, claim: Claim | None = None) -> QuerySet[ScholarshipSchedule]:
    qs = ScholarshipSchedule.objects.visible_to(user).select_related("claim").order_by("claim_id", "birth_date")
    if claim is not None:
        qs = qs.filter(claim=claim)
    return qs


def schedule(*, user, pk: int) -> ScholarshipSchedule:
    found = ScholarshipSchedule.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def liabilities(*, user, school_year: int) -> dict:
    """What is owed, in total and per sponsor: benefits approved and not yet paid (orders not paid,
    decided claims without orders), the scholarships of ``school_year`` not yet paid (approved or
    awaiting proof: the projected amount) and those committed for the later years of active
    schedules (the projection, within each child's maximum)."""
    per: dict[int | None, dict[str, int]] = {}

    def add(sponsor_id, key, amount):
        row = per.setdefault(sponsor_id, {"approved_unpaid": 0, "scholarships_this_year": 0, "scholarships_future": 0})
        row[key] += int(amount or 0)

    unpaid = PaymentOrder.objects.visible_to(user).filter(status__in=[OrderStatus.READY, OrderStatus.BATCHED, OrderStatus.SENT], group="benefit")
    for sponsor_id, total in unpaid.values("sponsor_id").annotate(t=Sum("amount")).values_list("sponsor_id", "t"):
        add(sponsor_id, "approved_unpaid", total)
    unordered = (
        Claim.objects.visible_to(user)
        .filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.READY])
        .exclude(pk__in=PaymentOrder.objects.filter(group="benefit").exclude(status__in=[OrderStatus.CANCELLED]).values("claim_id"))
    )
    for sponsor_id, total in unordered.values("sponsor_id").annotate(t=Sum("benefit_total")).values_list("sponsor_id", "t"):
        add(sponsor_id, "approved_unpaid", total)
    earlier = PaymentOrder.objects.visible_to(user).filter(
        status__in=[OrderStatus.READY, OrderStatus.BATCHED, OrderStatus.SENT], group="scholarship", scholarship_year__school_year__lt=school_year
    )
    for sponsor_id, total in earlier.values("sponsor_id").annotate(t=Sum("amount")).values_list("sponsor_id", "t"):
        add(sponsor_id, "approved_unpaid", total)
    active = ScholarshipSchedule.objects.visible_to(user).filter(status=ScholarshipSchedule.Status.ACTIVE)
    Ys = ScholarshipYear.Status
    years = {
        (r["schedule_id"], r["school_year"]): r
        for r in ScholarshipYear.objects.filter(schedule__in=active.values("pk"), school_year__gte=school_year).values(
            "schedule_id", "school_year", "status", "amount"
        )
    }
    approved = dict(
        ScholarshipYear.objects.filter(schedule__in=active.values("pk"), status=Ys.APPROVED, school_year__lt=school_year)
        .values("schedule_id")
        .annotate(t=Sum("amount"))
        .values_list("schedule_id", "t")
    )
    paid_years = set(
        PaymentOrder.objects.filter(scholarship_year__schedule__in=active.values("pk"), status=OrderStatus.PAID).values_list(
            "scholarship_year__schedule_id", "scholarship_year__school_year"
        )
    )
    for s in active.values("pk", "sponsor_id", "max_total", "projected").iterator(chunk_size=5000):
        remaining = (s["max_total"] or 0) - approved.get(s["pk"], 0)
        for y in s["projected"]:
            start = int(str(y["school_year"])[:4])
            if start < school_year or remaining <= 0:
                continue
            got = years.get((s["pk"], start))
            if got and got["status"] in (Ys.CLOSED, Ys.NOT_IN_SCHOOL):
                continue
            amount = min(got["amount"] if got and got["status"] in (Ys.SUBMITTED, Ys.APPROVED) else y["amount"], remaining)
            remaining -= amount
            if (s["pk"], start) in paid_years:
                continue
            add(s["sponsor_id"], "scholarships_this_year" if start == school_year else "scholarships_future", amount)
    from lindung.membership.models import Sponsor

    names = dict(Sponsor.objects.filter(pk__in=[k for k in per if k]).values_list("pk", "name"))
    rows = [{"sponsor_id": k, "sponsor": names.get(k, "") if k else "", **v, "total": sum(v.values())} for k, v in per.items()]
    rows.sort(key=lambda r: (r["sponsor"] == "", r["sponsor"]))
    totals = {k: sum(r[k] for r in rows) for k in ("approved_unpaid", "scholarships_this_year", "scholarships_future", "total")}
    return {"school_year": school_year, "per_sponsor": rows, **totals}
