"""The claim workflow, declared on the kernel (``lindung.core.workflow``).

reported (awaiting the heirs' claim) → draft (intake) → submitted → verified (verifier) → approved
(branch head) → ready for payment; returned for correction and rejected (with a reason) from the
verifier's and the branch head's step. The creator of a claim and whoever opened or submitted it
cannot verify it; the verifier cannot approve it (nor can the creator). Approval levels by amount
come from ``LINDUNG_APPROVAL_LEVELS["claims.approve"]``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.claims import benefit, eligibility
from lindung.claims import heirs as heirs_service
from lindung.claims.models import Claim, ClaimStatus
from lindung.core.workflow import CREATE, ApprovalLevels, ExclusiveRoles, Refusal, SeparateActors, Transition, Workflow
from lindung.rules import load_parameters, payment_deadline

S = ClaimStatus


def _step_permission(actor, claim) -> bool:
    """Return and reject belong to the step the claim is at: the verifier's or the branch head's."""
    if claim.status == S.VERIFIED:
        return actor.has_perm("claims.approve_claim")
    return actor.has_perm("claims.verify_claim")


def _refuse_failed(ctx, checks, message, *, ignore=lambda c: False) -> Refusal | None:
    ctx.data["checks"] = [c.as_dict() for c in checks]
    failed = [c for c in checks if c.blocks and not ignore(c)]
    if not failed:
        return None
    return Refusal(
        message % {"checks": " ".join(f"{c.label}: {c.reason}" for c in failed)},
        code="checks_failed",
        fields={c.code: c.reason for c in failed},
    )


def _submit_checks(ctx) -> Refusal | None:
    """A complete application: every check passes, except that uploaded documents may still wait
    for the verifier's check."""
    return _refuse_failed(
        ctx,
        eligibility.evaluate(ctx.obj),
        _("The claim cannot be submitted: %(checks)s"),
        ignore=lambda c: c.code == "documents" and c.detail == "unchecked",
    )


def _all_checks(ctx) -> Refusal | None:
    return _refuse_failed(ctx, eligibility.evaluate(ctx.obj), _("The claim cannot go on: %(checks)s"))


def _payees_complete(ctx) -> Refusal | None:
    problems = heirs_service.payee_problems(ctx.obj)
    if problems:
        return Refusal(" ".join(problems), code="payees_incomplete", fields={"payees": " ".join(problems)})
    return None


def _snapshot_checks(ctx) -> list[str]:
    claim = ctx.obj
    claim.checks = ctx.data.get("checks") or [c.as_dict() for c in eligibility.evaluate(claim)]
    claim.checks_at = timezone.now()
    claim.status_reason = ctx.note[:500] if ctx.reason or ctx.note else ""
    return ["checks", "checks_at", "status_reason"]


def _on_open(ctx) -> list[str]:
    claim = ctx.obj
    claim.opened_at = timezone.now()
    heirs_service.load_family(claim, actor=ctx.actor)
    return ["opened_at"]


def _on_submit(ctx) -> list[str]:
    """The application is complete today: the service-level clock starts (working days)."""
    claim = ctx.obj
    today = timezone.localdate()
    due = payment_deadline(claim.program, today, load_parameters())
    claim.complete_on = today
    claim.deadline = due.deadline
    claim.deadline_detail = due.to_dict()
    return ["complete_on", "deadline", "deadline_detail", *_snapshot_checks(ctx)]


def _on_verify(ctx) -> list[str]:
    return [*benefit.freeze(ctx.obj, actor=ctx.actor), *_snapshot_checks(ctx)]


def _on_approve(ctx) -> list[str]:
    ctx.obj.decided_on = timezone.localdate()
    return ["decided_on", *_snapshot_checks(ctx)]


def _on_return(ctx) -> list[str]:
    claim = ctx.obj
    claim.status_reason = (ctx.note or ctx.reason)[:500]
    return ["status_reason"]


CLAIM = Workflow(
    "claims.claim",
    model=Claim,
    states=ClaimStatus,
    field="status",
    transitions=[
        Transition(
            "open", source=S.REPORTED, target=S.DRAFT, permission="claims.change_claim", label=gettext_lazy("open the claim"), effect=_on_open
        ),
        Transition(
            "submit",
            source=[S.DRAFT, S.RETURNED],
            target=S.SUBMITTED,
            permission="claims.change_claim",
            label=gettext_lazy("submit"),
            guards=[_submit_checks],
            effect=_on_submit,
        ),
        Transition(
            "verify",
            source=S.SUBMITTED,
            target=S.VERIFIED,
            permission="claims.verify_claim",
            label=gettext_lazy("verify"),
            guards=[_all_checks],
            effect=_on_verify,
        ),
        Transition(
            "approve",
            source=S.VERIFIED,
            target=S.APPROVED,
            permission="claims.approve_claim",
            label=gettext_lazy("approve"),
            guards=[_all_checks],
            effect=_on_approve,
        ),
        Transition(
            "release",
            source=S.APPROVED,
            target=S.READY,
            permission="claims.change_claim",
            allow_system=True,
            label=gettext_lazy("release for payment"),
            guards=[_payees_complete],
        ),
        Transition(
            "return",
            source=[S.SUBMITTED, S.VERIFIED],
            target=S.RETURNED,
            permission=_step_permission,
            reason_required=True,
            label=gettext_lazy("return for correction"),
            effect=_on_return,
        ),
        Transition(
            "reject",
            source=[S.SUBMITTED, S.VERIFIED],
            target=S.REJECTED,
            permission=_step_permission,
            reason_required=True,
            label=gettext_lazy("reject"),
            effect=_on_return,
        ),
    ],
    separate=[SeparateActors([CREATE, "open", "submit"], "verify"), SeparateActors([CREATE, "open", "submit", "verify"], "approve")],
    exclusive_roles=[ExclusiveRoles("verifier", "branch_head")],
    approval_levels=[ApprovalLevels("approve", "claims.approve")],
    amount="benefit_total",
    audit_fields=("complete_on", "deadline", "benefit_total", "decided_on"),
    sponsor_of=lambda c: c.sponsor_id,
)


def record_creation(claim: Claim, *, actor) -> None:
    CLAIM.record_creation(claim, actor=actor)
