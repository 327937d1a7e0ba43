"""The claims context's writes, in one place for the web, the API, the CLI and the demo."""

from __future__ import annotations

from django.db import transaction

from lindung.claims import heirs as heirs_service
from lindung.claims.intake import (
    DOCUMENT_STATUSES,
    add_reimbursement,
    check_document,
    find_participant,
    log_outreach,
    open_claim,
    override_check,
    record_accident_death,
    report_accident,
    report_death,
    update_claim,
    upload_document,
)
from lindung.claims.models import Claim, ClaimStatus
from lindung.claims.transfer import transfer_claim
from lindung.claims.workflow import CLAIM

__all__ = [
    "DOCUMENT_STATUSES",
    "STEPS",
    "add_reimbursement",
    "check_document",
    "find_participant",
    "heirs_service",
    "log_outreach",
    "open_claim",
    "override_check",
    "record_accident_death",
    "report_accident",
    "report_death",
    "take_step",
    "transfer_claim",
    "update_claim",
    "upload_document",
]

STEPS = ("submit", "verify", "approve", "reject", "return", "release")


def take_step(claim: Claim, step: str, *, actor, reason: str = "", note: str = ""):
    """One workflow step; an approval whose payees are complete goes on to *ready for payment* in the
    same transaction (the system takes that step)."""
    with transaction.atomic():
        outcome = CLAIM.perform(claim, step, actor=actor, reason=reason, note=note)
        if step == "approve" and outcome.moved and claim.status == ClaimStatus.APPROVED and not heirs_service.payee_problems(claim):
            CLAIM.perform(claim, "release", actor=None)
    return outcome
