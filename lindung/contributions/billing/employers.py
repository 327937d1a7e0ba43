"""Billing PU employers: one invoice per employer and month, on the reported wages."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from lindung.contributions.allocation import running_total
from lindung.contributions.billing.corrections import correct_invoice
from lindung.contributions.billing.invoices import as_date, finish_invoice, insert_lines
from lindung.contributions.billing.numbering import invoice_number, payer_key, virtual_account
from lindung.contributions.billing.pricing import price_combinations, sql_date
from lindung.contributions.billing.progress import Progress
from lindung.contributions.billing.summary import BillingSummary
from lindung.contributions.models import BillingRun, Invoice, PayerType
from lindung.membership.models import Employer, Participant, WageReport
from lindung.rules import contribution_due_date
from lindung.rules.months import month_end

_EMPLOYER_FROM = """
FROM membership_participant p
JOIN membership_employer e ON e.id = p.employer_id
LEFT JOIN membership_wagereport w ON w.participant_id = p.id AND w.period = %s
JOIN contributions_billingprice pr
  ON pr.run_id = %s AND pr.segment = p.segment AND pr.programs = p.programs AND pr.month = %s
 AND pr.wage = COALESCE(w.wage, p.wage)
 AND pr.risk_class = CASE WHEN p.risk_class = '' THEN e.risk_class ELSE p.risk_class END
WHERE p.employer_id = %s AND p.segment = 'PU' AND p.start_date <= %s
  AND (p.end_date IS NULL OR p.end_date >= %s)
"""


def bill_employers(
    run: BillingRun, period: dt.date, employer: Employer | None, today: dt.date, summary: BillingSummary, correction: bool, tracker: Progress
) -> None:
    workers = Participant.objects.filter(segment="PU", start_date__lte=month_end(period)).filter(Q(end_date__isnull=True) | Q(end_date__gte=period))
    if employer is not None:
        workers = workers.filter(employer=employer)
    employer_ids = sorted(set(workers.values_list("employer_id", flat=True)))
    if correction:
        # An employer whose last worker left still gets a credit note for what was billed.
        billed = Invoice.objects.filter(payer_type=PayerType.EMPLOYER, period_start=period, sequence=1)
        if employer is not None:
            billed = billed.filter(employer=employer)
        employer_ids = sorted(set(employer_ids) | set(billed.values_list("employer_id", flat=True)))
    if not employer_ids:
        return
    tracker.plan("employer", len(employer_ids), _("Billing employers"))
    reported = dict(WageReport.objects.filter(period=period, participant__in=workers).values_list("participant_id", "wage"))
    risk = dict(Employer.objects.filter(pk__in=employer_ids).values_list("pk", "risk_class"))
    combos = set()
    for pid, programs, wage, rc, eid in workers.values_list("pk", "programs", "wage", "risk_class", "employer_id"):
        combos.add(("PU", tuple(programs), reported.get(pid, wage), rc or risk[eid]))
    price_combinations(run, [(s, list(p), w, r) for s, p, w, r in combos], [period])
    due = contribution_due_date("PU", period.year, period.month)
    for emp in Employer.objects.filter(pk__in=employer_ids):
        tracker.advance("employer", _("Billing employers"))
        key = payer_key(PayerType.EMPLOYER, emp.pk)
        from_params = [sql_date(period), run.pk, sql_date(period), emp.pk, sql_date(month_end(period)), sql_date(period)]
        existing = Invoice.objects.filter(payer_key=key, period_start=period, sequence=1).first()
        if existing is not None:
            if correction:
                # Wage reports sent late, joiners and leavers: the difference goes on an
                # adjustment invoice or a credit note; the issued invoice is not edited.
                with connection.cursor() as cur:
                    cur.execute("SELECT p.id, pr.program, pr.month, pr.amount " + _EMPLOYER_FROM, from_params)
                    desired = {(pid, prog, as_date(m)): amt for pid, prog, m, amt in cur.fetchall()}
                correct_invoice(run, existing, desired, [period], today, summary)
            continue
        invoice = Invoice.objects.create(
            number=invoice_number(period, PayerType.EMPLOYER, emp.pk),
            payer_type=PayerType.EMPLOYER,
            payer_key=key,
            employer=emp,
            branch_id=emp.branch_id,
            segment="PU",
            period_start=period,
            period_end=period,
            issue_date=today,
            due_date=due,
            virtual_account=virtual_account(PayerType.EMPLOYER, emp.pk),
            run=run,
        )
        created, total = insert_lines(
            "SELECT %s, p.id, pr.program, pr.month, pr.amount, 0, 'regular', "
            + running_total("pr.amount", "pr.month", "p.kpj_number", "p.id")
            + _EMPLOYER_FROM,
            [invoice.pk, *from_params],
            invoice.pk,
        )
        if not created:
            invoice.delete()
            continue
        finish_invoice(invoice, created, total)
        summary.created += 1
        summary.lines_created += created
