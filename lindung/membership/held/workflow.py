"""The workflows of the verification queue, on the kernel (``lindung.core.workflow``): a roster
row held for verification (``membership.held_row``: accept → enrolled against the registered
person, reject → a reason the sponsor reads) and a change a roster proposes to the register
(``membership.change_proposal``: accept → the person is updated, reject). Each decision locks the
row, re-reads it (two people at once: one wins, the other gets ``stale_state``), writes the state,
the decision record and the audit event in one transaction."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.core.workflow import Refusal, Transition, TransitionContext, Workflow
from lindung.membership.held.reasons import PROPOSAL_REASONS, ROW_REASONS
from lindung.membership.models import ChangeProposal, HeldRow, Verdict
from lindung.membership.registration.sponsored import enrol_sponsored
from lindung.membership.roster.usage import default_cover_start
from lindung.registry import services as registry_services

V = Verdict


def _in_scope(ctx: TransitionContext):
    """The row is one of the actor's branch (the callers found it through a scoped selector; a
    service call from elsewhere is held to the same rule)."""
    if not type(ctx.obj).objects.visible_to(ctx.actor).filter(pk=ctx.obj.pk).exists():
        return Refusal(_("Not found."), code="not_found")
    return None


def _not_the_uploader(ctx: TransitionContext):
    """Maker-checker: whoever uploaded the roster does not verify its rows."""
    created_by = ctx.obj.roster_import.created_by_id
    if created_by is not None and created_by == getattr(ctx.actor, "pk", None):
        return Refusal(_("You uploaded this roster, so another person must verify its rows."), code="maker_checker")
    return None


def _known_reason(reasons: dict):
    def guard(ctx: TransitionContext):
        if ctx.reason not in reasons:
            return Refusal(_("Unknown reason %(reason)s.") % {"reason": repr(ctx.reason)}, code="unknown_reason", fields={"reason": "unknown"})
        return None

    return guard


def _decided(ctx: TransitionContext) -> list[str]:
    obj = ctx.obj
    obj.decided_at = timezone.now()
    obj.decided_by = ctx.actor if getattr(ctx.actor, "pk", None) else None
    if ctx.transition.name == "reject":
        obj.reason = ctx.reason
    return ["decided_at", "decided_by", "reason"]


def _enrol(ctx: TransitionContext) -> list[str]:
    """Accept: enrol the worker against the registered person under the sponsor's agreement, from
    the import's cover start or, when that has passed, the start the import would give today."""
    row: HeldRow = ctx.obj
    start = max(row.cover_start, default_cover_start(row.agreement))
    row.participant = enrol_sponsored(
        actor=ctx.actor, person=row.person, agreement=row.agreement, start_date=start, import_batch=row.roster_import, note=ctx.note
    )
    return ["participant"]


def _update_person(ctx: TransitionContext) -> list[str]:
    """Accept: the register takes the proposed value (``registry.services.person_update``, audited)."""
    proposal: ChangeProposal = ctx.obj
    fld = "region_code" if proposal.field == ChangeProposal.Field.REGION else proposal.field
    registry_services.person_update(proposal.person, actor=ctx.actor, **{fld: proposal.proposed_value})
    return []


HELD_ROW = Workflow(
    "membership.held_row",
    model=HeldRow,
    states=V,
    field="status",
    transitions=[
        Transition(
            "accept",
            source=V.PENDING,
            target=V.ACCEPTED,
            permission="membership.decide_heldrow",
            label=gettext_lazy("accept and enrol"),
            guards=[_in_scope, _not_the_uploader],
            effect=_enrol,
            audit_action="roster.held_row.accept",
        ),
        Transition(
            "reject",
            source=V.PENDING,
            target=V.REJECTED,
            permission="membership.decide_heldrow",
            label=gettext_lazy("reject"),
            reason_required=True,
            guards=[_in_scope, _known_reason(ROW_REASONS)],
            audit_action="roster.held_row.reject",
        ),
    ],
    audit_fields=("reason", "participant_id"),
    sponsor_of=lambda row: row.sponsor_id,
    effect=_decided,
)

CHANGE_PROPOSAL = Workflow(
    "membership.change_proposal",
    model=ChangeProposal,
    states=V,
    field="status",
    transitions=[
        Transition(
            "accept",
            source=V.PENDING,
            target=V.ACCEPTED,
            permission="membership.decide_changeproposal",
            label=gettext_lazy("accept the change"),
            guards=[_in_scope],
            effect=_update_person,
            audit_action="roster.change_proposal.accept",
        ),
        Transition(
            "reject",
            source=V.PENDING,
            target=V.REJECTED,
            permission="membership.decide_changeproposal",
            label=gettext_lazy("reject"),
            reason_required=True,
            guards=[_in_scope, _known_reason(PROPOSAL_REASONS)],
            audit_action="roster.change_proposal.reject",
        ),
    ],
    audit_fields=("reason",),
    sponsor_of=lambda proposal: proposal.sponsor_id,
    effect=_decided,
)
