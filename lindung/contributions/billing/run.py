"""A billing run: every segment of a period in one transaction, then the payers' credit carried
to the new invoices and one audit event."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.contributions.allocation import apply_credits_for
from lindung.contributions.billing.employers import bill_employers
from lindung.contributions.billing.progress import Progress
from lindung.contributions.billing.projects import bill_projects
from lindung.contributions.billing.self_paying import bill_self_paying
from lindung.contributions.billing.sponsors import bill_sponsors
from lindung.contributions.billing.summary import BillingSummary
from lindung.contributions.models import BillingRun, Invoice, PayerType
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Employer, Sponsor, SponsorAgreement
from lindung.rules.months import month_start, quarter_months


def run_billing(
    *,
    period: dt.date,
    sponsor: Sponsor | None = None,
    employer: Employer | None = None,
    correction: bool = False,
    actor=None,
    today: dt.date | None = None,
    segments: tuple[str, ...] = ("sponsor", "employer", "self", "project"),
    progress=None,
) -> BillingSummary:
    """Bill ``period`` (first day of a month). Idempotent: a payer already billed for the period
    gets nothing new unless ``correction`` is set, which adds adjustment lines only.

    ``progress(done, total, message)``, when given, is called per payer (sponsor agreement,
    employer) and per segment (self-paying workers, construction projects); the billing job
    passes its reporter."""
    try:
        return _run_billing(
            period=period, sponsor=sponsor, employer=employer, correction=correction, actor=actor, today=today, segments=segments, progress=progress
        )
    except IntegrityError:
        # Two runs for the same payers at once: the unique (payer, first month, sequence) of an
        # invoice stops the second, whose transaction is rolled back whole.
        raise ServiceError(
            "billing_conflict",
            _("Another billing run for this period was running at the same time; nothing was created by this one. Run it again to see the result."),
            {"period": f"{period:%Y-%m}"},
            status=409,
        ) from None


def _run_billing(*, period, sponsor, employer, correction, actor, today, segments, progress=None) -> BillingSummary:
    period = month_start(period)
    today = today or dt.date.today()
    if sponsor is not None or employer is not None:
        segments = tuple(s for s in segments if (s == "sponsor" and sponsor) or (s == "employer" and employer))
    tracker = Progress(progress, segments)
    with transaction.atomic():
        run = BillingRun.objects.create(
            period=period, sponsor=sponsor, employer=employer, correction=correction, created_by=actor if getattr(actor, "pk", None) else None
        )
        summary = BillingSummary(run_id=run.pk)
        if "sponsor" in segments:
            bill_sponsors(run, period, sponsor, today, summary, correction, tracker)
            tracker.complete("sponsor", _("Sponsor agreements billed"))
        if "employer" in segments:
            bill_employers(run, period, employer, today, summary, correction, tracker)
            tracker.complete("employer", _("Employers billed"))
        if "self" in segments:
            bill_self_paying(run, period, today, summary)
            tracker.complete("self", _("Self-paying workers billed"))
        if "project" in segments:
            bill_projects(run, period, today, summary)
            tracker.complete("project", _("Construction projects billed"))
        created_invoices = Invoice.objects.filter(run=run)
        agg = created_invoices.aggregate(total=Sum("total"))
        run.invoices_created = summary.created
        run.lines_created = summary.lines_created
        run.total_created = agg["total"] or 0
        run.save(update_fields=["invoices_created", "lines_created", "total_created"])
        apply_credits_for(list(created_invoices.values_list("payer_key", flat=True).distinct()), on=today)
        scope = invoices_in_scope(period, sponsor=sponsor, employer=employer, segments=segments)
        summary.invoices = scope.count()
        agg = scope.aggregate(t=Sum("total"), n=Sum("line_count"))
        summary.lines = agg["n"] or 0
        summary.total = agg["t"] or 0
        audit.record(
            actor=actor,
            action="contributions.billing_run",
            obj=run,
            object_repr=f"billing {period:%Y-%m}",
            changes={
                "period": period,
                "correction": correction,
                "invoices_created": summary.created,
                "lines_created": summary.lines_created,
                "total_created": run.total_created,
                "sponsor": sponsor.code if sponsor else None,
                "employer": employer.npp if employer else None,
            },
            summary=audit.Message(
                gettext_noop("Billing %(month)s: %(count)s invoices, %(lines)s lines created"),
                month=audit.as_month(period),
                count=summary.created,
                lines=summary.lines_created,
            ),
            sponsor_id=sponsor.pk if sponsor else None,
        )
    summary.invoice_ids = []
    return summary


def invoices_in_scope(period: dt.date, *, sponsor=None, employer=None, segments=("sponsor", "employer", "self", "project")):
    """The invoices that belong to billing ``period`` (quarterly invoices of the quarter containing it)."""
    quarter_first = quarter_months(period)[0]
    q = Q(pk__in=[])
    if "sponsor" in segments:
        sq = Q(payer_type=PayerType.SPONSOR) & (
            Q(agreement__billing_frequency=SponsorAgreement.Billing.QUARTERLY, period_start__gte=quarter_first, period_start__lte=period)
            | Q(agreement__billing_frequency=SponsorAgreement.Billing.MONTHLY, period_start=period)
        )
        if sponsor is not None:
            sq &= Q(sponsor=sponsor)
        q |= sq
    if "employer" in segments:
        eq = Q(payer_type=PayerType.EMPLOYER, period_start=period)
        if employer is not None:
            eq &= Q(employer=employer)
        q |= eq
    if "self" in segments:
        q |= Q(payer_type=PayerType.SELF, period_start__lte=period, period_end__gte=period)
    if "project" in segments:
        q |= Q(payer_type=PayerType.PROJECT, period_start=period)
    return Invoice.objects.filter(q)
