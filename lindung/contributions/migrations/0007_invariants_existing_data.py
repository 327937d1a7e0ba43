"""Existing data made to fit the invariants 0008 puts in the database (issue 8, item 7), without
losing a rupiah:

- duplicated invoice lines (same invoice, month, participant and programme) are merged into the
  first: amounts and paid amounts summed, so the invoice's total and what was paid stay the same;
- a line's paid amount is brought within its amount (0 ≤ paid ≤ amount; amount ≤ paid ≤ 0 on a
  credit line): the paid months are derived from the invoice's paid amount anyway;
- an invoice paid beyond its total and late fine keeps total + fine as paid and the excess becomes
  the payer's credit (an *overpayment* entry), as a new payment would;
- an allocation naming both a payment and a credit keeps the payment as its source;
- a programme or segment outside the choices cannot be guessed: the migration stops and names the
  rows, to be corrected by hand."""

from django.db import migrations
from django.db.models import Count, F, Min, Q, Sum

PROGRAMS = ("JKK", "JKM", "JHT")
SEGMENTS = ("PU", "BPU", "JAKON")


def fit(apps, schema_editor):
    InvoiceLine = apps.get_model("contributions", "InvoiceLine")
    Invoice = apps.get_model("contributions", "Invoice")
    Allocation = apps.get_model("contributions", "Allocation")
    BillingPrice = apps.get_model("contributions", "BillingPrice")
    PayerCredit = apps.get_model("contributions", "PayerCredit")

    wrong = []
    for model, field, allowed in [
        (InvoiceLine, "program", PROGRAMS),
        (BillingPrice, "program", PROGRAMS),
        (BillingPrice, "segment", SEGMENTS),
        (Invoice, "segment", SEGMENTS),
    ]:
        bad = list(model.objects.exclude(**{f"{field}__in": allowed}).values_list("pk", field)[:20])
        if bad:
            wrong.append(f"{model._meta.db_table}.{field} not in {allowed}: {bad}")
    if wrong:
        raise RuntimeError("Correct these rows before migrating (the database now refuses them):\n" + "\n".join(wrong))

    dupes = (
        InvoiceLine.objects.filter(participant_id__isnull=False)
        .order_by()
        .values("invoice_id", "period", "participant_id", "program")
        .annotate(n=Count("id"), first=Min("id"), amount_sum=Sum("amount"), paid_sum=Sum("paid_amount"))
        .filter(n__gt=1)
    )
    merged = set()
    for d in list(dupes):
        merged.add(d["invoice_id"])
        InvoiceLine.objects.filter(pk=d["first"]).update(amount=d["amount_sum"], paid_amount=d["paid_sum"])
        InvoiceLine.objects.filter(
            invoice_id=d["invoice_id"], period=d["period"], participant_id=d["participant_id"], program=d["program"]
        ).exclude(pk=d["first"]).delete()
    # Totals are unchanged by a merge (the sums moved into one line); the line counts follow it.
    for invoice in Invoice.objects.filter(pk__in=merged).annotate(n=Count("lines")):
        Invoice.objects.filter(pk=invoice.pk).update(line_count=invoice.n)

    InvoiceLine.objects.filter(amount__gte=0, paid_amount__lt=0).update(paid_amount=0)
    InvoiceLine.objects.filter(amount__gte=0, paid_amount__gt=F("amount")).update(paid_amount=F("amount"))
    InvoiceLine.objects.filter(amount__lt=0, paid_amount__gt=0).update(paid_amount=0)
    InvoiceLine.objects.filter(amount__lt=0, paid_amount__lt=F("amount")).update(paid_amount=F("amount"))

    for invoice in Invoice.objects.filter(~Q(paid_amount=0), paid_amount__gt=F("total") + F("fine_amount")).iterator():
        due = max(0, invoice.total + invoice.fine_amount)
        excess = invoice.paid_amount - due
        PayerCredit.objects.create(
            payer_key=invoice.payer_key,
            sponsor_id=invoice.sponsor_id,
            kind="overpayment",
            amount=excess,
            invoice_id=invoice.pk,
            note=f"Paid beyond {invoice.number}: moved to credit (migration 0007)"[:300],
        )
        Invoice.objects.filter(pk=invoice.pk).update(paid_amount=due)

    Allocation.objects.filter(payment__isnull=False, credit__isnull=False).update(credit=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0006_refund_once_per_payer_month"),
    ]

    operations = [migrations.RunPython(fit, migrations.RunPython.noop)]
