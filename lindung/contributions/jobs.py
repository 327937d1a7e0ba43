"""Billing runs as background jobs (``contributions.billing_run``), started from the web form and
the API; the job page ``/jobs/<id>/`` and ``/api/v1/jobs/{id}`` show progress and the summary."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from lindung.contributions import billing
from lindung.core.errors import ServiceError
from lindung.core.formatting import number
from lindung.core.jobs import JobContext, job_handler, start_job
from lindung.core.models import Job
from lindung.membership.models import Employer, Sponsor

KIND = "contributions.billing_run"

log = logging.getLogger(__name__)


def payers_for_billing(user, *, sponsor: str | None, employer: str | None) -> tuple[Sponsor | None, Employer | None]:
    """The sponsor (code) and employer (NPP) a billing run is limited to, as ``user`` sees them.
    ``None`` or an empty value means no limit; a code that is unknown or out of the user's scope
    is refused (404, naming the field): it never widens the run to every payer."""
    return _payers(Sponsor.objects.visible_to(user), Employer.objects.visible_to(user), sponsor=sponsor, employer=employer)


def _payers(sponsors, employers, *, sponsor: str | None, employer: str | None) -> tuple[Sponsor | None, Employer | None]:
    sponsor_obj = employer_obj = None
    if sponsor is not None and sponsor.strip():
        sponsor_obj = sponsors.filter(code=sponsor.strip()).first()
        if sponsor_obj is None:
            raise ServiceError(
                "not_found",
                _("sponsor: no sponsor with code %(code)s; nothing was billed.") % {"code": repr(sponsor.strip())},
                {"sponsor": "unknown"},
                status=404,
            )
    if employer is not None and employer.strip():
        employer_obj = employers.filter(npp=employer.strip()).first()
        if employer_obj is None:
            raise ServiceError(
                "not_found",
                _("employer: no employer with NPP %(npp)s; nothing was billed.") % {"npp": repr(employer.strip())},
                {"employer": "unknown"},
                status=404,
            )
    return sponsor_obj, employer_obj


def start_billing_run(*, period, sponsor: Sponsor | None = None, employer: Employer | None = None, correction: bool = False, actor=None) -> Job:
    """Start a billing run as a job (inline on the embedded default, queued on the database backend)."""
    params = {
        "period": f"{period:%Y-%m}",
        "sponsor": sponsor.code if sponsor else None,
        "employer": employer.npp if employer else None,
        "correction": bool(correction),
    }
    return start_job(KIND, actor=actor, sponsor=sponsor, params=params)


@job_handler(KIND, permission="contributions.add_billingrun")
def billing_run_job(ctx: JobContext) -> dict:
    """``params = {"period": "YYYY-MM", "sponsor": code | None, "employer": NPP | None, "correction": bool}``;
    the result is the run's summary ``{"invoices", "lines", "total", "created"}``."""
    from lindung.accounts.models import User

    params = ctx.params
    period = billing.parse_period(params.get("period", ""))
    # Checked in the starter's scope when the job was started; a payer removed since is refused
    # here too (never every payer instead).
    sponsor, employer = _payers(Sponsor.objects.all(), Employer.objects.all(), sponsor=params.get("sponsor"), employer=params.get("employer"))
    actor = User.objects.filter(pk=ctx.job.created_by_id).first() if ctx.job.created_by_id else None
    seen = {"total": 0}

    def progress(done: int, total: int, message: str) -> None:
        # The run is one transaction: the job context shows the progress meanwhile (kernel).
        seen["total"] = total
        ctx.progress(done, total, message, force=done >= total)

    summary = billing.run_billing(
        period=period, sponsor=sponsor, employer=employer, correction=bool(params.get("correction")), actor=actor, progress=progress
    )
    total = max(seen["total"], 1)
    ctx.progress(
        total,
        total,
        _("Billing %(period)s: %(created)s invoice(s) created; %(invoices)s invoice(s) in scope, total Rp %(total)s.")
        % {"period": f"{period:%Y-%m}", "created": summary.created, "invoices": summary.invoices, "total": number(summary.total)},
        force=True,
    )
    return summary.as_dict()
