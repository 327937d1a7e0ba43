"""Billing construction projects: once per project, for its whole duration."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from lindung.contributions.billing.invoices import finish_invoice
from lindung.contributions.billing.numbering import invoice_number, payer_key, virtual_account
from lindung.contributions.billing.summary import BillingSummary
from lindung.contributions.models import BillingRun, Invoice, InvoiceLine, PayerType
from lindung.core.errors import ServiceError
from lindung.membership.models import Project
from lindung.rules import ContributionCase, calculate_contribution, contribution_due_date
from lindung.rules.months import month_end, month_start
from lindung.rules.results import CaseError


def bill_projects(run: BillingRun, period: dt.date, today: dt.date, summary: BillingSummary) -> None:
    """A construction project is billed once, for its whole duration, priced on the contract
    value (or on the total wage when known); lines per programme without a participant."""
    billed = Invoice.objects.filter(payer_type=PayerType.PROJECT).values("project_id")
    projects = Project.objects.filter(start_date__lte=month_end(period), end_date__gte=period).exclude(pk__in=billed)
    for project in projects:
        first = month_start(project.start_date)
        if project.total_wage:
            case = ContributionCase(segment="JAKON", on=project.start_date, programs=("JKK", "JKM"), wage=project.total_wage)
        else:
            case = ContributionCase(segment="JAKON", on=project.start_date, programs=("JKK", "JKM"), contract_value=project.contract_value)
        try:
            result = calculate_contribution(case)
        except CaseError as exc:
            raise ServiceError(
                "cannot_price",
                _("The rules engine cannot price project %(number)s: %(error)s") % {"number": project.number, "error": exc},
                {"project": project.number},
            ) from None
        invoice = Invoice.objects.create(
            number=invoice_number(first, PayerType.PROJECT, project.pk),
            payer_type=PayerType.PROJECT,
            payer_key=payer_key(PayerType.PROJECT, project.pk),
            project=project,
            employer=project.contractor,
            branch=project.branch,
            segment="JAKON",
            period_start=first,
            period_end=month_start(project.end_date),
            issue_date=today,
            due_date=contribution_due_date("PU", first.year, first.month),
            virtual_account=virtual_account(PayerType.PROJECT, project.pk),
            run=run,
        )
        lines = [
            InvoiceLine(invoice=invoice, participant=None, program=c.program, period=first, amount=c.amount) for c in result.components if c.program
        ]
        InvoiceLine.objects.bulk_create(lines)
        finish_invoice(invoice)
        summary.created += 1
        summary.lines_created += len(lines)
