"""Reads of claims, always scoped with ``visible_to(user)``: the work queues, one claim, and the
claim as the API and the CLI return it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.claims import benefit, documents, eligibility
from lindung.claims.models import CLOCK_STATUSES, Claim, ClaimHeir, ClaimStatus, Outreach, Payee
from lindung.core.errors import NotFound
from lindung.core.masking import mask_account, mask_nik
from lindung.core.scoping import scope_kind

QUEUES = ("unclaimed", "intake", "verification", "approval", "overdue", "all")


def can_see_personal_data(user) -> bool:
    """Branch staff and global roles see heirs, documents and bank accounts; sponsors never do."""
    return scope_kind(user) in ("all", "branch")


def claim_queue(*, user, queue: str = "all", q: str | None = None, today: dt.date | None = None) -> QuerySet[Claim]:
    """The claims of one work queue the user may see, oldest first where age matters.

    - ``unclaimed``: deaths reported, awaiting the heirs' claim (oldest report first), with the
      number of heirs known and the last outreach attempt;
    - ``intake``: drafts and claims returned for correction (the officer's);
    - ``verification``: submitted (the verifier's); ``approval``: verified (the branch head's);
    - ``overdue``: past the payment deadline and not yet paid out (``ready_for_payment`` waits for payouts).
    """
    today = today or timezone.localdate()
    qs = Claim.objects.visible_to(user).select_related("participant__person", "sponsor", "branch")
    if queue == "unclaimed":
        # a reported case is created by its report: oldest first by the (indexed) creation time
        qs = qs.filter(status=ClaimStatus.REPORTED).order_by("created_at", "id")
    elif queue == "intake":
        qs = qs.filter(status__in=[ClaimStatus.DRAFT, ClaimStatus.RETURNED]).order_by("created_at", "id")
    elif queue == "verification":
        qs = qs.filter(status=ClaimStatus.SUBMITTED).order_by("deadline", "id")
    elif queue == "approval":
        qs = qs.filter(status=ClaimStatus.VERIFIED).order_by("deadline", "id")
    elif queue == "overdue":
        qs = qs.filter(status__in=[*CLOCK_STATUSES, ClaimStatus.READY], deadline__lt=today).order_by("deadline", "id")
    elif queue == "all":
        qs = qs.order_by("-created_at", "-id")
    else:
        raise NotFound(_("Unknown work queue %(queue)s.") % {"queue": queue}, {"queue": ", ".join(QUEUES)})
    if q:
        q = q.strip()
        if q.upper().startswith("KLM-"):
            qs = qs.filter(number=q.upper())
        elif q.isdigit() and len(q) == 16:
            qs = qs.filter(participant__person__nik=q)
        elif q.isdigit():
            qs = qs.filter(participant__kpj_number__startswith=q)
        else:
            qs = qs.filter(participant__person__full_name__icontains=q)
    return qs


def with_outreach(claims: list[Claim], *, user) -> list[Claim]:
    """For one page of the unclaimed queue: each case's entitled heirs (with contacts, staff only),
    their number, and the outreach attempts so far (count, last date and outcome), in three queries
    for the page whatever its size."""
    ids = [c.pk for c in claims]
    heirs: dict[int, list[ClaimHeir]] = {}
    if can_see_personal_data(user):
        for h in ClaimHeir.objects.filter(claim_id__in=ids, entitled=True).order_by("id"):
            heirs.setdefault(h.claim_id, []).append(h)
    else:
        counts = dict(
            ClaimHeir.objects.filter(claim_id__in=ids, entitled=True).values("claim_id").annotate(n=Count("id")).values_list("claim_id", "n")
        )
    stats = {r["claim_id"]: r for r in Outreach.objects.filter(claim_id__in=ids).values("claim_id").annotate(n=Count("id"), last=Max("at"))}
    last: dict[int, str] = {}
    for o in Outreach.objects.filter(claim_id__in=ids).order_by("claim_id", "-at").only("claim_id", "result", "at"):
        last.setdefault(o.claim_id, o.get_result_display())
    for c in claims:
        c.entitled_heirs = heirs.get(c.pk, [])
        c.heirs_known = len(c.entitled_heirs) if can_see_personal_data(user) else counts.get(c.pk, 0)
        c.outreach_count = stats.get(c.pk, {}).get("n", 0)
        c.last_outreach_at = stats.get(c.pk, {}).get("last")
        c.last_outreach_result = last.get(c.pk)
    return claims


def queue_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    qs = Claim.objects.visible_to(user)
    return qs.aggregate(
        unclaimed=Count("id", filter=Q(status=ClaimStatus.REPORTED)),
        intake=Count("id", filter=Q(status__in=[ClaimStatus.DRAFT, ClaimStatus.RETURNED])),
        verification=Count("id", filter=Q(status=ClaimStatus.SUBMITTED)),
        approval=Count("id", filter=Q(status=ClaimStatus.VERIFIED)),
        overdue=Count("id", filter=Q(status__in=[*CLOCK_STATUSES, ClaimStatus.READY], deadline__lt=today)),
    )


def branch_get(*, user, code: str):
    """A branch office to transfer a claim to (branch offices are public reference data)."""
    from lindung.accounts.models import Branch

    branch = Branch.objects.visible_to(user).filter(code=code).first()
    if branch is None:
        raise NotFound(_("No branch office %(code)s.") % {"code": code}, {"to": "not found"})
    return branch


def transfer_targets(*, user, claim: Claim):
    from lindung.accounts.models import Branch

    return Branch.objects.visible_to(user).exclude(pk=claim.branch_id).order_by("name")


def claim_get(*, user, number: str, for_update: bool = False) -> Claim:
    qs = Claim.objects.visible_to(user).select_related("participant__person", "participant__sponsor", "sponsor", "branch", "accident")
    claim = qs.filter(number=str(number).strip().upper()).first()
    if claim is None:
        raise NotFound(_("Claim %(number)s not found.") % {"number": number}, {"claim": "not found"})
    return claim


def is_overdue(claim: Claim, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return claim.deadline is not None and claim.status in (*CLOCK_STATUSES, ClaimStatus.READY) and today > claim.deadline


@dataclass
class ClaimView:
    """Everything the claim page, the API and the CLI show of one claim."""

    claim: Claim
    checks: list[eligibility.Check]
    checklist: list[documents.Item]
    heirs: list[ClaimHeir]
    payees: list[Payee]
    amounts: dict[int, int]
    late: dict | None
    overdue: bool
    personal: bool


def claim_view(claim: Claim, *, user, today: dt.date | None = None) -> ClaimView:
    personal = can_see_personal_data(user)
    open_claim = claim.status not in (ClaimStatus.READY, ClaimStatus.REJECTED, ClaimStatus.APPROVED)
    checks = (
        eligibility.evaluate(claim)
        if open_claim or not claim.checks
        else [eligibility.Check(**{k: v for k, v in c.items() if k != "blocks"}) for c in claim.checks]
    )
    heirs = list(ClaimHeir.objects.filter(claim=claim).order_by("id")) if personal else []
    payees = list(Payee.objects.filter(claim=claim).select_related("heir").order_by("id")) if personal else []
    late = benefit.late_compensation(claim, paid_on=today) if claim.status not in (ClaimStatus.REJECTED,) else None
    amounts = {a["payee"].pk: a["amount"] for a in benefit.payee_amounts(claim, extra=late["amount"] if late else 0)} if personal else {}
    return ClaimView(
        claim=claim,
        checks=checks,
        checklist=documents.checklist(claim) if personal else [],
        heirs=heirs,
        payees=payees,
        amounts=amounts,
        late=late,
        overdue=is_overdue(claim, today),
        personal=personal,
    )


def _heir_json(h: ClaimHeir, *, full: bool) -> dict:
    return {
        "id": h.pk,
        "relation": h.relation,
        "full_name": h.full_name,
        "nik": h.nik if full else mask_nik(h.nik),
        "birth_date": h.birth_date.isoformat() if h.birth_date else None,
        "school_level": h.school_level or None,
        "entitled": h.entitled,
        "heir_class": h.heir_class or None,
        "phone": h.phone,
    }


def _payee_json(p: Payee, amount: int | None, *, full: bool) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "heir": p.heir_id,
        "name": p.name,
        "share": p.share,
        "bank_code": p.bank_code or None,
        "account_number": (p.account_number if full else mask_account(p.account_number)) or None,
        "account_holder": p.account_holder or None,
        "amount": amount,
    }


def _document_json(d) -> dict:
    """One uploaded document (staff only: the checklist is empty for sponsor users)."""
    return {
        "id": d.pk,
        "file_id": str(d.file_id) if d.file_id else None,
        "name": d.file.name if d.file_id else None,
        "content_type": d.file.content_type if d.file_id else None,
        "size": d.file.size if d.file_id else None,
        "download": f"/api/v1/files/{d.file_id}" if d.file_id else None,
        "uploaded_by": d.uploaded_by.get_username() if d.uploaded_by_id else None,
        "uploaded_at": d.uploaded_at.isoformat() if d.uploaded_at else None,
        "check": d.check_result,
        "checked_by": d.checked_by.get_username() if d.checked_by_id else None,
        "checked_at": d.checked_at.isoformat() if d.checked_at else None,
        "note": d.note,
    }


def claim_json(view: ClaimView, *, user, history: list | None = None) -> dict:
    """The claim as the API returns it (and ``lindung claim … --json`` prints)."""
    from lindung.claims.workflow import CLAIM

    c = view.claim
    frozen = c.benefit or {}
    data = {
        "number": c.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "status_reason": c.status_reason or None,
        "program": c.program,
        "outcome": c.outcome,
        "event_date": c.event_date.isoformat(),
        "participant": {
            "kpj_number": c.participant.kpj_number,
            "name": c.participant.person.full_name,
            "nik": mask_nik(c.participant.person.nik),
            "segment": c.participant.segment,
        },
        "sponsor": c.sponsor.code if c.sponsor_id else None,
        "branch": c.branch.code,
        "source": c.source,
        "reported_at": c.reported_at.isoformat() if c.reported_at else None,
        "claimant": {"name": c.claimant_name, "relation": c.claimant_relation} if c.claimant_name else None,
        "checks": [ch.as_dict() for ch in view.checks],
        "heirs": [_heir_json(h, full=view.personal) for h in view.heirs],
        "payees": [_payee_json(p, view.amounts.get(p.pk), full=view.personal) for p in view.payees],
        "documents": [
            {
                "code": i.code,
                "label": i.label,
                "required": i.required,
                "status": i.status,
                "files": len(i.documents),
                "uploads": [_document_json(d) for d in i.documents],
            }
            for i in view.checklist
        ],
        "benefit": {
            "total": c.benefit_total,
            "total_in_words": frozen.get("total_in_words"),
            "components": [
                {k: comp.get(k) for k in ("code", "program", "amount", "amount_in_words", "reference", "explanation_id", "explanation_en")}
                for comp in frozen.get("components", [])
            ],
            "scholarship": (
                {k: frozen["scholarship"].get(k) for k in ("eligible", "max_total", "projected_total")} if frozen.get("scholarship") else None
            ),
            "parameter_version": frozen.get("parameter_version"),
            "computed_at": frozen.get("computed_at"),
        }
        if frozen
        else None,
        "complete_on": c.complete_on.isoformat() if c.complete_on else None,
        "deadline": c.deadline.isoformat() if c.deadline else None,
        "overdue": view.overdue,
        "late_compensation": view.late,
        "decided_on": c.decided_on.isoformat() if c.decided_on else None,
        "actions": [t.name for t in CLAIM.available(c, actor=user)],
    }
    if history is not None:
        data["history"] = history
    return data


def timeline(claim: Claim) -> list[dict]:
    """Decisions, transfers and outreach of a claim, oldest first."""
    from lindung.claims.workflow import CLAIM

    # ``step``, ``from`` and ``to`` are codes (the API's); ``label``, ``from_label`` and
    # ``to_label`` their words, which the claim page shows.
    rows = [
        {
            "at": d.at,
            "kind": "decision",
            "step": d.transition,
            "label": CLAIM.step_label(d.transition),
            "by": d.actor_username,
            "from": d.from_state,
            "to": d.to_state,
            "from_label": CLAIM.state_label(d.from_state) if d.from_state and d.from_state != d.to_state else "",
            "to_label": CLAIM.state_label(d.to_state),
            "reason": d.reason,
            "note": d.note,
        }
        for d in CLAIM.history(claim)
    ]
    rows += [
        {
            "at": t.at,
            "kind": "transfer",
            "step": "transfer",
            "label": _("transferred to another branch office"),
            "by": t.by.get_username() if t.by else "",
            "from": t.from_branch.code,
            "to": t.to_branch.code,
            "from_label": t.from_branch.name,
            "to_label": t.to_branch.name,
            "reason": "",
            "note": t.reason,
        }
        for t in claim.transfers.select_related("from_branch", "to_branch", "by")
    ]
    rows += [
        {
            "at": o.at,
            "kind": "outreach",
            "step": o.kind,
            "label": o.get_kind_display(),
            "by": o.by.get_username() if o.by else "",
            "from": "",
            "to": o.result,
            "from_label": "",
            "to_label": o.get_result_display(),
            "reason": "",
            "note": o.note,
        }
        for o in claim.outreach.select_related("by")
    ]
    rows.sort(key=lambda r: r["at"])
    return rows
