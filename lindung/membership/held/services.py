"""The branch office's decisions on the verification queue. Each is one workflow step
(``held.workflow``); callers (web, API, CLI) find the row through the scoped selectors first."""

from __future__ import annotations

from lindung.core.workflow import Outcome
from lindung.membership.held.workflow import CHANGE_PROPOSAL, HELD_ROW
from lindung.membership.models import ChangeProposal, HeldRow


def accept_held_row(row: HeldRow, *, actor, note: str = "") -> Outcome:
    """Enrol the worker of a held row against the registered person, under the sponsor's agreement
    (``registration.sponsored.enrol_sponsored``: quota, budget, one open BPU membership)."""
    return HELD_ROW.perform(row, "accept", actor=actor, note=note)


def reject_held_row(row: HeldRow, *, actor, reason: str, note: str = "") -> Outcome:
    """Reject a held row with a reason (``held.reasons.ROW_REASONS``) the sponsor reads in words;
    the note stays with the branch office."""
    return HELD_ROW.perform(row, "reject", actor=actor, reason=reason, note=note)


def accept_proposal(proposal: ChangeProposal, *, actor, note: str = "") -> Outcome:
    """Update the register with the proposed value (``registry.services.person_update``)."""
    return CHANGE_PROPOSAL.perform(proposal, "accept", actor=actor, note=note)


def reject_proposal(proposal: ChangeProposal, *, actor, reason: str, note: str = "") -> Outcome:
    return CHANGE_PROPOSAL.perform(proposal, "reject", actor=actor, reason=reason, note=note)
