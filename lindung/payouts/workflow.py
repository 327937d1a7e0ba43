"""The workflows of payment orders and batches, declared on the kernel (``lindung.core.workflow``).

Order: ready → batched → sent → paid | failed → reissued; ready → cancelled.
Batch: draft → authorised (a second person: whoever made the batch may not authorise it; approval
levels by amount from ``LINDUNG_APPROVAL_LEVELS["payouts.authorise"]``) → exported → closed
(every order answered); draft → cancelled.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from lindung.core.workflow import CREATE, ApprovalLevels, SeparateActors, Transition, Workflow
from lindung.payouts.models import OrderStatus, PaymentBatch, PaymentOrder, Settlement

S = OrderStatus


def _settle(ctx, chunk) -> None:
    """The bank's confirmations of a chunk of paid orders, set-based (``ctx.data["settle"]``: order id
    → (paid on, amount, bank reference, answer id)). One settlement per order: the database refuses a
    second one, so a paid order is never paid again."""
    settle = ctx.data["settle"]
    Settlement.objects.bulk_create(
        [Settlement(order_id=pk, paid_on=settle[pk][0], amount=settle[pk][1], bank_reference=settle[pk][2], answer_id=settle[pk][3]) for pk in chunk],
        batch_size=2000,
    )


B = PaymentBatch.Status

ORDER = Workflow(
    "payouts.order",
    model=PaymentOrder,
    states=OrderStatus,
    transitions=[
        Transition(
            "batch",
            source=S.READY,
            target=S.BATCHED,
            permission="payouts.change_paymentorder",
            label=gettext_lazy("add to a batch"),
            bulk_updates=lambda ctx: {"batch_id": ctx.data["batch_id"]},
        ),
        Transition(
            "unbatch",
            source=S.BATCHED,
            target=S.READY,
            permission="payouts.change_paymentorder",
            label=gettext_lazy("take out of the batch"),
            bulk_updates=lambda ctx: {"batch_id": None},
        ),
        Transition("send", source=S.BATCHED, target=S.SENT, permission="payouts.export_paymentbatch", label=gettext_lazy("send to the bank")),
        Transition(
            "pay",
            source=S.SENT,
            target=S.PAID,
            permission="payouts.import_bankanswer",
            allow_system=True,
            label=gettext_lazy("paid"),
            bulk_effect=_settle,
        ),
        Transition("fail", source=S.SENT, target=S.FAILED, permission="payouts.import_bankanswer", allow_system=True, label=gettext_lazy("failed")),
        Transition("reissue", source=S.FAILED, target=S.REISSUED, permission="payouts.add_paymentorder", label=gettext_lazy("re-issue")),
        Transition(
            "cancel", source=S.READY, target=S.CANCELLED, permission="payouts.change_paymentorder", reason_required=True, label=gettext_lazy("cancel")
        ),
    ],
    amount="amount",
    sponsor_of=lambda o: o.sponsor_id,
)

BATCH = Workflow(
    "payouts.batch",
    model=PaymentBatch,
    states=PaymentBatch.Status,
    transitions=[
        Transition("authorise", source=B.DRAFT, target=B.AUTHORISED, permission="payouts.authorise_paymentbatch", label=gettext_lazy("authorise")),
        Transition("export", source=B.AUTHORISED, target=B.EXPORTED, permission="payouts.export_paymentbatch", label=gettext_lazy("export")),
        Transition(
            "close", source=B.EXPORTED, target=B.CLOSED, permission="payouts.import_bankanswer", allow_system=True, label=gettext_lazy("close")
        ),
        Transition(
            "cancel",
            source=B.DRAFT,
            target=B.CANCELLED,
            permission="payouts.change_paymentbatch",
            reason_required=True,
            label=gettext_lazy("cancel"),
        ),
    ],
    separate=[SeparateActors(CREATE, "authorise")],
    approval_levels=[ApprovalLevels("authorise", "payouts.authorise")],
    amount="total",
    audit_fields=("total", "count"),
)
