"""Why the branch office rejected a held row or a proposed change: codes, and the words the
sponsor reads (they say nothing of what the register holds)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# held roster rows: what the sponsor reads on its import
ROW_REASONS: dict[str, object] = {
    "identity_not_confirmed": _("The worker's identity could not be confirmed: check the NIK, name and birth date on the worker's KTP."),
    "not_eligible": _("The worker cannot be enrolled under this agreement; contact the branch office."),
    "sent_twice": _("The worker was sent twice; the other row is being handled."),
    "other": _("Not enrolled after verification; contact the branch office."),
}

# change proposals (staff only)
PROPOSAL_REASONS: dict[str, object] = {
    "not_confirmed": _("The change could not be confirmed with the worker."),
    "register_newer": _("The register holds a more recent value."),
    "other": _("Other reason (see the note)."),
}


def row_reason_text(code: str) -> str:
    return str(ROW_REASONS.get(code, ROW_REASONS["other"])) if code else ""


def proposal_reason_text(code: str) -> str:
    return str(PROPOSAL_REASONS.get(code, PROPOSAL_REASONS["other"])) if code else ""
