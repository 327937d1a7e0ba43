"""The payouts context's writes, in one place for the web, the API, the CLI and the demo.

orders = create_orders_for_claim(claim, actor=finance)
batch = create_batch(orders, actor=finance, execution_date=date)
authorise_batch(batch, actor=second_finance)
for chunk in export_pain001(batch, actor=finance): ...
import_bank_answer(batch, pain002_bytes, actor=finance, filename="pain002.xml")
create_handover_event(actor=..., title=..., date=..., place=..., claims=[...], officials=[...])
"""

from lindung.payouts.batches import authorise_batch, cancel_batch, create_batch, export_csv, export_pain001
from lindung.payouts.handover import create_handover_event, event_summary, handover_pdf
from lindung.payouts.orders import create_orders_for_claim, create_orders_for_ready_claims, reissue_order
from lindung.payouts.reconciliation import ImportResult, import_bank_answer

__all__ = [
    "ImportResult",
    "authorise_batch",
    "cancel_batch",
    "create_batch",
    "create_handover_event",
    "create_orders_for_claim",
    "create_orders_for_ready_claims",
    "event_summary",
    "export_csv",
    "export_pain001",
    "handover_pdf",
    "import_bank_answer",
    "reissue_order",
]
