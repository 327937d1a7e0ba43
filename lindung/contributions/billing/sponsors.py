"""Billing sponsor agreements: one invoice per agreement and period (a quarter for quarterly
agreements); a month goes to the sponsorship period that overlaps it and started last."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from lindung.contributions.allocation import running_total
from lindung.contributions.billing.corrections import correct_invoice
from lindung.contributions.billing.invoices import as_date, finish_invoice, insert_lines
from lindung.contributions.billing.numbering import invoice_number, payer_key, virtual_account
from lindung.contributions.billing.pricing import price_combinations, sql_date
from lindung.contributions.billing.progress import Progress
from lindung.contributions.billing.summary import BillingSummary
from lindung.contributions.models import BillingRun, Invoice, PayerType
from lindung.membership.models import Participant, Sponsor, SponsorAgreement, SponsorshipPeriod
from lindung.rules import contribution_due_date
from lindung.rules.months import add_months, month_end, month_start, quarter_months

_SPONSOR_FROM = """
FROM membership_sponsorshipperiod sp
JOIN membership_participant p ON p.id = sp.participant_id
JOIN contributions_billingprice pr
  ON pr.run_id = %s AND pr.segment = p.segment AND pr.programs = p.programs AND pr.wage = p.wage AND pr.risk_class = p.risk_class
WHERE sp.agreement_id = %s AND pr.month >= %s AND pr.month <= %s
  AND sp.start_date <= pr.month_end AND (sp.end_date IS NULL OR sp.end_date >= pr.month)
  AND p.start_date <= pr.month_end AND (p.end_date IS NULL OR p.end_date >= pr.month)
  AND NOT EXISTS (SELECT 1 FROM membership_sponsorshipperiod q
                  WHERE q.participant_id = sp.participant_id AND q.start_date > sp.start_date AND q.start_date <= pr.month_end)
"""
# Each line's place in the allocation order (oldest month, then KPJ number), written with it.
_SPONSOR_CUM = running_total("pr.amount", "pr.month", "p.kpj_number", "sp.participant_id")


def _agreement_window(agreement: SponsorAgreement, period: dt.date) -> list[dt.date]:
    months = quarter_months(period) if agreement.billing_frequency == SponsorAgreement.Billing.QUARTERLY else [period]
    lo, hi = month_start(agreement.start_date), agreement.end_date
    return [m for m in months if lo <= m <= hi]


def bill_sponsors(
    run: BillingRun, period: dt.date, sponsor: Sponsor | None, today: dt.date, summary: BillingSummary, correction: bool, tracker: Progress
):
    agreements = SponsorAgreement.objects.select_related("sponsor").filter(
        start_date__lte=month_end(add_months(period, 2)), end_date__gte=add_months(period, -2)
    )
    if sponsor is not None:
        agreements = agreements.filter(sponsor=sponsor)
    plans = []
    for agreement in agreements:
        window = _agreement_window(agreement, period)
        if not window:
            continue
        plans.append((agreement, window))
    if not plans:
        return
    tracker.plan("sponsor", len(plans), _("Billing sponsor agreements"))
    all_months = sorted({m for _, w in plans for m in w})
    agreement_ids = [a.pk for a, _ in plans]
    combos = (
        Participant.objects.filter(pk__in=SponsorshipPeriod.objects.filter(agreement_id__in=agreement_ids).values("participant_id"))
        .values_list("segment", "programs", "wage", "risk_class")
        .distinct()
    )
    combos = {(s, tuple(p), w, r) for s, p, w, r in combos}
    price_combinations(run, [(s, list(p), w, r) for s, p, w, r in combos], all_months)
    for agreement, window in plans:
        tracker.advance("sponsor", _("Billing sponsor agreements"))
        key = payer_key(PayerType.SPONSOR, agreement.pk)
        first = window[0]
        existing = Invoice.objects.filter(payer_key=key, period_start=first, sequence=1).first()
        if existing is None:
            invoice = Invoice.objects.create(
                number=invoice_number(first, PayerType.SPONSOR, agreement.pk),
                kind=Invoice.Kind.REGULAR,
                payer_type=PayerType.SPONSOR,
                payer_key=key,
                sponsor=agreement.sponsor,
                agreement=agreement,
                branch=agreement.sponsor.branch,
                segment="BPU",
                period_start=first,
                period_end=window[-1],
                issue_date=today,
                due_date=contribution_due_date("BPU", first.year, first.month),
                virtual_account=virtual_account(PayerType.SPONSOR, agreement.pk),
                run=run,
            )
            created, total = insert_lines(
                f"SELECT %s, sp.participant_id, pr.program, pr.month, pr.amount, 0, 'regular', {_SPONSOR_CUM} " + _SPONSOR_FROM,
                [invoice.pk, run.pk, agreement.pk, sql_date(first), sql_date(window[-1])],
                invoice.pk,
            )
            if created == 0:
                invoice.delete()
                continue
            finish_invoice(invoice, created, total)
            summary.created += 1
            summary.lines_created += created
        elif correction:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT sp.participant_id, pr.program, pr.month, pr.amount " + _SPONSOR_FROM,
                    [run.pk, agreement.pk, sql_date(first), sql_date(window[-1])],
                )
                desired = {(pid, prog, as_date(m)): amt for pid, prog, m, amt in cur.fetchall()}
            correct_invoice(run, existing, desired, window, today, summary)
