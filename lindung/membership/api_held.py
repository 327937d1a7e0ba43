"""API: the branch office's verification queue (``/api/v1/held-rows``, ``/api/v1/change-proposals``)
and, for whoever sees a roster import (its sponsor too), the outcome of the rows it held
(``/api/v1/roster-imports/{id}/held``: the file's own values, never the register's)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.masking import mask_nik
from lindung.membership.held import selectors, services
from lindung.membership.held.reasons import PROPOSAL_REASONS, ROW_REASONS, proposal_reason_text, row_reason_text
from lindung.membership.models import ChangeProposal, HeldRow
from lindung.registry import services as registry_services

router = Router(tags=["verification"])


class HeldRowOut(Schema):
    """A held row as the branch office sees it in the queue (NIK masked, as in every list)."""

    id: int
    sponsor: str
    agreement: str
    roster_import: int
    row: int
    nik: str
    full_name: str
    birth_date: dt.date
    status: str
    reason: str
    reason_text: str
    kpj: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_sponsor(obj: HeldRow) -> str:
        return obj.sponsor.code

    @staticmethod
    def resolve_agreement(obj: HeldRow) -> str:
        return obj.agreement.number

    @staticmethod
    def resolve_roster_import(obj: HeldRow) -> int:
        return obj.roster_import_id

    @staticmethod
    def resolve_row(obj: HeldRow) -> int:
        return obj.row_number

    @staticmethod
    def resolve_nik(obj: HeldRow) -> str:
        return mask_nik(obj.nik)

    @staticmethod
    def resolve_reason_text(obj: HeldRow) -> str:
        return row_reason_text(obj.reason)

    @staticmethod
    def resolve_kpj(obj: HeldRow) -> str | None:
        return obj.participant.kpj_number if obj.participant_id else None


class ComparedOut(Schema):
    field: str
    row: str
    registered: str
    differs: bool


class HeldRowDetailOut(HeldRowOut):
    """The row beside the registered person (staff only; the whole NIK, audited)."""

    comparison: list[ComparedOut]

    @staticmethod
    def resolve_nik(obj: HeldRow) -> str:
        return obj.nik

    @staticmethod
    def resolve_comparison(obj: HeldRow) -> list[dict]:
        return [
            {
                "field": c.field,
                "row": "" if c.row is None else str(c.row),
                "registered": "" if c.registered is None else str(c.registered),
                "differs": c.differs,
            }
            for c in selectors.comparison(obj)
        ]


class AcceptIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str
    note: str = ""


class ProposalOut(Schema):
    id: int
    sponsor: str
    roster_import: int
    row: int
    person_nik: str
    field: str
    current_value: str
    proposed_value: str
    status: str
    reason: str
    reason_text: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_sponsor(obj: ChangeProposal) -> str:
        return obj.sponsor.code

    @staticmethod
    def resolve_roster_import(obj: ChangeProposal) -> int:
        return obj.roster_import_id

    @staticmethod
    def resolve_row(obj: ChangeProposal) -> int:
        return obj.row_number

    @staticmethod
    def resolve_person_nik(obj: ChangeProposal) -> str:
        return mask_nik(obj.person.nik)

    @staticmethod
    def resolve_reason_text(obj: ChangeProposal) -> str:
        return proposal_reason_text(obj.reason)


class ReasonOut(Schema):
    code: str
    text: str


@router.get("/held-rows", response={200: list[HeldRowOut], 403: ErrorOut})
@paginate(Page)
def held_row_list(request, status: str | None = "pending", sponsor: str | None = None):
    """The rows held for verification in the user's branch (``?status=pending|accepted|rejected``,
    empty for all; ``?sponsor=CODE``)."""
    require_perm(request, "membership.view_heldrow")
    return selectors.held_rows(user=request.user, status=status or None, sponsor=sponsor)


@router.get("/held-rows/reasons", response={200: list[ReasonOut], 403: ErrorOut})
def held_row_reasons(request):
    """The reasons a held row may be rejected with, and the words its sponsor reads."""
    require_perm(request, "membership.view_heldrow")
    return [{"code": code, "text": str(text)} for code, text in ROW_REASONS.items()]


@router.get("/held-rows/{row_id}", response={200: HeldRowDetailOut, 403: ErrorOut, 404: ErrorOut})
def held_row_detail(request, row_id: int):
    require_perm(request, "membership.view_heldrow")
    row = selectors.held_row_get(user=request.user, pk=row_id)
    registry_services.record_full_nik_view(user=request.user, person=row.person, where="held roster row (API)")
    return row


@router.post("/held-rows/{row_id}/accept", response={200: HeldRowOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def held_row_accept(request, row_id: int, body: AcceptIn):
    """Enrol the worker against the registered person under the sponsor's agreement. 409 when
    someone decided the row meanwhile (``stale_state``) or the person has an open BPU membership."""
    require_perm(request, "membership.decide_heldrow")
    row = selectors.held_row_get(user=request.user, pk=row_id)
    services.accept_held_row(row, actor=request.user, note=body.note)
    return selectors.held_row_get(user=request.user, pk=row_id)


@router.post("/held-rows/{row_id}/reject", response={200: HeldRowOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def held_row_reject(request, row_id: int, body: RejectIn):
    """Reject with a reason code (``GET /held-rows/reasons``); the sponsor reads its words, never the note."""
    require_perm(request, "membership.decide_heldrow")
    row = selectors.held_row_get(user=request.user, pk=row_id)
    services.reject_held_row(row, actor=request.user, reason=body.reason, note=body.note)
    return selectors.held_row_get(user=request.user, pk=row_id)


@router.get("/roster-imports/{import_id}/held", response={200: list[selectors.SponsorHeldRow], 403: ErrorOut, 404: ErrorOut})
@paginate(Page)
def roster_import_held(request, import_id: int):
    """The rows of an import held for verification and their outcome, for anyone who sees the
    import: the file's values (NIK masked), the status and the reason in words; the KPJ once
    enrolled. Nothing of the register. Paginated in the database."""
    require_perm(request, "membership.view_rosterimport")
    return selectors.import_held_rows(user=request.user, import_pk=import_id)


@router.get("/change-proposals", response={200: list[ProposalOut], 403: ErrorOut})
@paginate(Page)
def proposal_list(request, status: str | None = "pending", sponsor: str | None = None):
    """Values of sponsors' files that differ from the register, awaiting the branch office."""
    require_perm(request, "membership.view_changeproposal")
    return selectors.proposals(user=request.user, status=status or None, sponsor=sponsor)


@router.get("/change-proposals/reasons", response={200: list[ReasonOut], 403: ErrorOut})
def proposal_reasons(request):
    require_perm(request, "membership.view_changeproposal")
    return [{"code": code, "text": str(text)} for code, text in PROPOSAL_REASONS.items()]


@router.get("/change-proposals/{proposal_id}", response={200: ProposalOut, 403: ErrorOut, 404: ErrorOut})
def proposal_detail(request, proposal_id: int):
    require_perm(request, "membership.view_changeproposal")
    return selectors.proposal_get(user=request.user, pk=proposal_id)


@router.post("/change-proposals/{proposal_id}/accept", response={200: ProposalOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def proposal_accept(request, proposal_id: int, body: AcceptIn):
    """The register takes the proposed value (audited as ``person.update``)."""
    require_perm(request, "membership.decide_changeproposal")
    proposal = selectors.proposal_get(user=request.user, pk=proposal_id)
    services.accept_proposal(proposal, actor=request.user, note=body.note)
    return selectors.proposal_get(user=request.user, pk=proposal_id)


@router.post("/change-proposals/{proposal_id}/reject", response={200: ProposalOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def proposal_reject(request, proposal_id: int, body: RejectIn):
    require_perm(request, "membership.decide_changeproposal")
    proposal = selectors.proposal_get(user=request.user, pk=proposal_id)
    services.reject_proposal(proposal, actor=request.user, reason=body.reason, note=body.note)
    return selectors.proposal_get(user=request.user, pk=proposal_id)
