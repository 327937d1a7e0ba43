"""Transfer of a claim to another branch office (the heir moved): the receiving branch takes it over
with its history, and scoping follows (``Claim.branch``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts.models import Branch
from lindung.claims.models import Claim, ClaimStatus, ClaimTransfer
from lindung.core import audit
from lindung.core.errors import ServiceError


@transaction.atomic
def transfer_claim(claim: Claim, *, actor, to_branch: Branch, reason: str) -> ClaimTransfer:
    if not actor.has_perm("claims.transfer_claim"):
        raise ServiceError("permission_denied", _("You may not transfer claims."), status=403)
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if locked.status in (ClaimStatus.READY, ClaimStatus.REJECTED):
        raise ServiceError(
            "not_transferable",
            _("A claim that is %(status)s is not transferred.") % {"status": locked.get_status_display()},
            {"status": locked.status},
        )
    if to_branch.pk == locked.branch_id:
        raise ServiceError("invalid", _("The claim is already at %(branch)s.") % {"branch": to_branch.name}, {"to_branch": "same branch"})
    if not reason.strip():
        raise ServiceError("reason_required", _("A transfer needs a reason."), {"reason": "required"})
    row = ClaimTransfer.objects.create(claim=locked, from_branch_id=locked.branch_id, to_branch=to_branch, reason=reason[:300], by=actor)
    Claim.objects.filter(pk=locked.pk).update(branch=to_branch)
    claim.branch = to_branch
    audit.record(
        actor=actor,
        action="claims.transfer",
        obj=locked,
        changes={"branch": [row.from_branch_id, to_branch.pk], "reason": reason[:300]},
        sponsor_id=locked.sponsor_id,
    )
    return row
