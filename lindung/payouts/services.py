"""The payouts context's writes, in one place for the web, the API, the CLI and the demo.

orders = create_orders_for_claim(claim, actor=finance)
batch = create_batch(orders, actor=finance, execution_date=date)
authorise_batch(batch, actor=second_finance)
stored = bank_file(batch, actor=finance, file_format="pain001")  # a StoredFile, written once
for chunk in export_pain001(batch, actor=finance): ...
import_bank_answer(batch, pain002_bytes, actor=finance, filename="pain002.xml")
create_handover_event(actor=..., title=..., date=..., place=..., claims=[...], officials=[...])
"""

from django.db import transaction

from lindung.payouts import orders as _orders
from lindung.payouts.batches import authorise_batch, bank_file, bank_files, cancel_batch, create_batch, export_csv, export_pain001
from lindung.payouts.handover import create_handover_event, event_summary, handover_pdf
from lindung.payouts.orders import reissue_order
from lindung.payouts.reconciliation import ImportResult, import_bank_answer
from lindung.payouts.scholarships import (
    approve_scholarship_year,
    attach_enrolment_proof,
    create_schedules_for_claim,
    current_school_year,
    open_school_year,
    record_enrolment,
    record_not_in_school,
    record_stop_event,
)


def create_orders_for_claim(claim, *, actor, on=None):
    """The claim's payment orders (``orders.create_orders_for_claim``) and, in the same transaction,
    the yearly scholarship schedules of its entitled children."""
    with transaction.atomic():
        made = _orders.create_orders_for_claim(claim, actor=actor, on=on)
        create_schedules_for_claim(claim, actor=actor)
    return made


def create_orders_for_ready_claims(*, actor, branch=None, on=None):
    """Orders (and scholarship schedules) for every claim ready for payment that has none yet."""
    from lindung.claims.models import Claim, ClaimStatus
    from lindung.payouts.models import LIVE_ORDER_STATUSES, PaymentOrder

    claims = Claim.objects.filter(status=ClaimStatus.READY).exclude(
        pk__in=PaymentOrder.objects.filter(group="benefit", status__in=LIVE_ORDER_STATUSES).values("claim_id")
    )
    if branch is not None:
        claims = claims.filter(branch=branch)
    out = []
    for claim in claims.order_by("id"):
        out += create_orders_for_claim(claim, actor=actor, on=on)
    return out


__all__ = [
    "ImportResult",
    "approve_scholarship_year",
    "attach_enrolment_proof",
    "authorise_batch",
    "bank_file",
    "bank_files",
    "cancel_batch",
    "create_batch",
    "create_handover_event",
    "create_orders_for_claim",
    "create_orders_for_ready_claims",
    "create_schedules_for_claim",
    "current_school_year",
    "event_summary",
    "export_csv",
    "export_pain001",
    "handover_pdf",
    "import_bank_answer",
    "open_school_year",
    "record_enrolment",
    "record_not_in_school",
    "record_stop_event",
    "reissue_order",
]
