"""The branch office's verification queue for rosters (issue 10, point 4).

A roster row whose NIK the register knows under another name or birth date, or that has an open
membership elsewhere, or a date of death, is not enrolled: the import records it as a
``HeldRow`` (set-based, ``roster.holding``) and answers ``verification_needed``. A value of a
sponsor's file that differs from what the register holds for the same person becomes a
``ChangeProposal``. Branch staff (officer, verifier) accept or reject both here.

Modules: ``workflow`` (the two workflows on the kernel), ``services`` (the decisions),
``selectors`` (the queue, the comparison, the sponsor's view), ``reasons`` (rejection reasons in
words), ``labels`` (words for the audit actions).
"""

from lindung.membership.held.reasons import PROPOSAL_REASONS, ROW_REASONS
from lindung.membership.held.services import accept_held_row, accept_proposal, reject_held_row, reject_proposal

__all__ = ["PROPOSAL_REASONS", "ROW_REASONS", "accept_held_row", "accept_proposal", "reject_held_row", "reject_proposal"]
