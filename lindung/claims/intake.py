"""A death or accident becomes known; a claim is opened; the facts of the claim are recorded.

``report_death`` matches the person, records the death on the participant (the membership status
service ends the membership with the reason *death*; the register keeps the date of death) and
opens a case *awaiting the heirs' claim*, whoever reports it: branch staff, a sponsor's staff (only
for their own workers) or a death file. ``report_accident`` records a stage-I work-accident report.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.claims import heirs as heirs_service
from lindung.claims.models import (
    AccidentReport,
    CheckOverride,
    Claim,
    ClaimDocument,
    ClaimProgram,
    ClaimStatus,
    Outcome,
    Outreach,
    Reimbursement,
    ReportSource,
)
from lindung.core import audit
from lindung.core.errors import Conflict, NotFound, ServiceError
from lindung.membership.models import Participant
from lindung.rules.deadlines import accident_report_timeliness


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ServiceError("invalid", _("%(field)s must be a date (YYYY-MM-DD).") % {"field": field}, {field: "YYYY-MM-DD"}) from None


def find_participant(*, user, nik: str = "", kpj: str = "", name: str = "") -> Participant:
    """The participant the user may see, by NIK (16 digits), KPJ number or exact full name."""
    qs = Participant.objects.visible_to(user).select_related("person", "sponsor", "branch")
    if kpj:
        qs = qs.filter(kpj_number=kpj.strip())
    elif nik:
        qs = qs.filter(person__nik=nik.strip())
    elif name:
        qs = qs.filter(person__full_name__iexact=name.strip())
    else:
        raise ServiceError("invalid", _("Give a NIK, a KPJ number or a name."), {"participant": "required"})
    found = list(qs.order_by("-start_date")[:2])
    if not found:
        raise NotFound(_("No participant found."), {"participant": "not found"})
    if len(found) > 1 and not kpj:
        # several memberships of one person: the one in force most recently (the latest start)
        open_ones = [p for p in found if p.status != Participant.Status.ENDED]
        return open_ones[0] if open_ones else found[0]
    return found[0]


def _branch_for(participant: Participant, actor):
    branch = participant.branch or getattr(actor, "branch", None)
    if branch is None and participant.sponsor_id:
        branch = participant.sponsor.branch
    if branch is None:
        raise ServiceError("no_branch", _("The participant belongs to no branch office; assign one first."), {"branch": "required"})
    return branch


def _number(claim: Claim) -> str:
    return f"KLM-{claim.created_at:%Y}-{claim.pk:06d}"


def _create(participant: Participant, *, actor, **fields) -> Claim:
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                participant=participant,
                sponsor=participant.sponsor,
                branch=_branch_for(participant, actor),
                created_by=actor if getattr(actor, "pk", None) else None,
                **fields,
            )
    except IntegrityError as exc:
        if fields.get("outcome", Outcome.DEATH) == Outcome.DEATH and Claim.objects.filter(participant=participant, outcome=Outcome.DEATH).exists():
            existing = Claim.objects.filter(participant=participant, outcome=Outcome.DEATH).values_list("number", flat=True).first()
            raise Conflict(
                "death_claim_exists",
                _("A death claim for participant %(kpj)s exists already (%(number)s); a participant has one death claim.")
                % {"kpj": participant.kpj_number, "number": existing},
                {"participant": "death claim exists"},
            ) from None
        raise ServiceError("invalid", str(exc)) from None
    claim.number = _number(claim)
    claim.save(update_fields=["number"])
    from lindung.claims.workflow import record_creation

    record_creation(claim, actor=actor)
    return claim


def _record_death(participant: Participant, death_date: dt.date, *, actor) -> None:
    """The death on the register and the end of the membership (status service), once."""
    from lindung.membership.registration import end_membership
    from lindung.registry import services as registry

    registry.record_death(participant.person, actor=actor, death_date=death_date)
    if participant.status != Participant.Status.ENDED and death_date >= participant.start_date:
        end_membership(participant, actor=actor, effective_date=death_date, reason=Participant.ExitReason.DEATH, note=_("Death reported"))
    elif participant.status == Participant.Status.ENDED and participant.end_date and participant.start_date <= death_date < participant.end_date:
        # ended later (lapsed, by the sponsor) than the death: the membership ended at the death
        from lindung.membership.status import STATUS

        STATUS.perform(
            participant, "record_death", actor=actor, reason=Participant.ExitReason.DEATH, effective_date=death_date, note=_("Death reported")
        )


def _check_reporter(actor, participant: Participant) -> str:
    if actor is None:
        return ReportSource.DEATH_FILE
    if not (actor.has_perm("claims.report_death") or actor.has_perm("claims.add_claim")):
        raise ServiceError("permission_denied", _("You may not report a death."), status=403)
    if not Participant.objects.visible_to(actor).filter(pk=participant.pk).exists():
        raise NotFound(_("No participant found."), {"participant": "not found"})
    return ReportSource.SPONSOR if "sponsor" in actor.role_names else ReportSource.BRANCH


@transaction.atomic
def report_death(participant: Participant, *, actor, death_date, note: str = "", source: str | None = None) -> Claim:
    """A death becomes known: record it and open a case awaiting the heirs' claim (one per participant)."""
    when = _date(death_date, "death_date")
    if when > timezone.localdate():
        raise ServiceError("invalid", _("The date of death is in the future."), {"death_date": "in the future"})
    detected = _check_reporter(actor, participant)
    participant = Participant.objects.select_for_update(of=("self",)).select_related("person", "sponsor", "branch").get(pk=participant.pk)
    if Claim.objects.filter(participant=participant, outcome=Outcome.DEATH).exists():
        existing = Claim.objects.filter(participant=participant, outcome=Outcome.DEATH).values_list("number", flat=True).first()
        raise Conflict(
            "death_claim_exists",
            _("A death claim for participant %(kpj)s exists already (%(number)s); a participant has one death claim.")
            % {"kpj": participant.kpj_number, "number": existing},
            {"participant": "death claim exists"},
        )
    _record_death(participant, when, actor=actor)
    claim = _create(
        participant,
        actor=actor,
        program=ClaimProgram.JKM,
        outcome=Outcome.DEATH,
        event_date=when,
        status=ClaimStatus.REPORTED,
        source=source or detected,
        reported_by=actor if getattr(actor, "pk", None) else None,
        reported_at=timezone.now(),
        report_note=note[:500],
    )
    heirs_service.load_family(claim, actor=actor)
    audit.record(
        actor=actor, action="claims.death_reported", obj=claim, changes={"death_date": when, "source": claim.source}, sponsor_id=claim.sponsor_id
    )
    return claim


@transaction.atomic
def report_accident(
    participant: Participant, *, actor, accident_at: dt.datetime, place: str, description: str, reported_at: dt.datetime | None = None
) -> Claim:
    """A stage-I work-accident report: a JKK case awaiting the claim, flagged when reported late."""
    if not actor.has_perm("claims.add_claim"):
        raise ServiceError("permission_denied", _("You may not report an accident."), status=403)
    if not place or not description:
        raise ServiceError(
            "invalid",
            _("Give the place and a description of the accident."),
            {k: "required" for k, v in (("place", place), ("description", description)) if not v},
        )
    reported = reported_at or timezone.now()
    if timezone.is_naive(accident_at):
        accident_at = timezone.make_aware(accident_at)
    if timezone.is_naive(reported):
        reported = timezone.make_aware(reported)
    if reported < accident_at:
        raise ServiceError("invalid", _("The report is dated before the accident."), {"reported_at": "before the accident"})
    timeliness = accident_report_timeliness(accident_at, reported, participant.segment)
    report = AccidentReport.objects.create(
        participant=participant,
        accident_at=accident_at,
        place=place[:300],
        description=description,
        reported_at=reported,
        reported_late=timeliness.late,
        employer_pays_first=timeliness.employer_pays_first,
        created_by=actor,
    )
    claim = _create(
        participant,
        actor=actor,
        program=ClaimProgram.JKK,
        outcome=Outcome.MEDICAL,
        event_date=timezone.localdate(accident_at),
        status=ClaimStatus.REPORTED,
        accident=report,
        source=ReportSource.BRANCH,
        reported_by=actor,
        reported_at=reported,
        wage=participant.wage,
    )
    audit.record(
        actor=actor,
        action="claims.accident_reported",
        obj=claim,
        changes={"accident_at": accident_at, "late": timeliness.late},
        sponsor_id=claim.sponsor_id,
    )
    return claim


@transaction.atomic
def record_accident_death(claim: Claim, *, actor, death_date) -> Claim:
    """The participant of a JKK claim died of the accident: the claim becomes a JKK death claim (the
    event stays the accident, from which the claim expiry counts) and the death is recorded."""
    _editable(claim)
    if claim.program != ClaimProgram.JKK:
        raise ServiceError("invalid", _("Only a JKK claim records a death from a work accident."), {"program": "JKK"})
    when = _date(death_date, "death_date")
    if when < claim.event_date:
        raise ServiceError("invalid", _("The death is dated before the accident."), {"death_date": "before the accident"})
    participant = Participant.objects.select_for_update(of=("self",)).select_related("person").get(pk=claim.participant_id)
    update_claim(claim, actor=actor, outcome=Outcome.DEATH)
    _record_death(participant, when, actor=actor)
    heirs_service.load_family(claim, actor=actor)
    claim.participant.refresh_from_db()
    return claim


def open_claim(claim: Claim, *, actor, **fields) -> Claim:
    """The heirs (or the injured worker) come to claim: a reported case becomes a draft claim, with
    the claimant and the facts given."""
    from lindung.claims.workflow import CLAIM

    with transaction.atomic():
        if claim.status == ClaimStatus.REPORTED:
            CLAIM.perform(claim, "open", actor=actor)
        if fields:
            update_claim(claim, actor=actor, **fields)
    return claim


# Documents are added while the claim is being put together or corrected, and until it is decided.
DOCUMENT_STATUSES = (ClaimStatus.REPORTED, ClaimStatus.DRAFT, ClaimStatus.RETURNED, ClaimStatus.SUBMITTED)


@transaction.atomic
def upload_document(claim: Claim, *, actor, code: str, upload, note: str = "") -> ClaimDocument:
    """Attach a file to one item of the claim's checklist (PDF, JPEG or PNG, size-limited, checked
    by content through ``lindung.core.files``). The file belongs to the document, so it is served
    only to staff who see the claim (its branch, which a transfer changes) — never to sponsors."""
    from lindung.claims.documents import LABELS
    from lindung.core import files

    if not actor.has_perm("claims.add_claimdocument"):
        raise ServiceError("permission_denied", _("You may not add documents to a claim."), status=403)
    if code not in LABELS:
        raise ServiceError(
            "invalid",
            _("Unknown document %(code)s; one of: %(codes)s.") % {"code": repr(code), "codes": ", ".join(LABELS)},
            {"code": "unknown document"},
        )
    if claim.status not in DOCUMENT_STATUSES:
        raise ServiceError(
            "not_editable",
            _("Documents can no longer be added to claim %(number)s (%(status)s).") % {"number": claim.number, "status": claim.get_status_display()},
            status=409,
        )
    files.check_upload(upload, "claim_document")  # before anything is written
    doc = ClaimDocument.objects.create(claim=claim, code=code, uploaded_by=actor, uploaded_at=timezone.now(), note=note[:300])
    stored, _detected = files.store_upload(upload, kind="claim_document", owner=doc, sponsor_id=claim.sponsor_id, actor=actor)
    doc.file = stored
    doc.save(update_fields=["file"])
    audit.record(
        actor=actor,
        action="claims.document_upload",
        obj=claim,
        changes={"document": code, "document_id": doc.pk, "file": str(stored.pk), "type": stored.content_type, "bytes": stored.size},
        sponsor_id=claim.sponsor_id,
    )
    return doc


@transaction.atomic
def check_document(claim: Claim, *, actor, document_id: int, accepted: bool, note: str = "") -> ClaimDocument:
    """A checker accepts or refuses one uploaded document (the verifier, before verifying)."""
    if not actor.has_perm("claims.verify_claim"):
        raise ServiceError("permission_denied", _("Only a verifier checks documents."), status=403)
    doc = ClaimDocument.objects.filter(claim=claim, pk=document_id).first()
    if doc is None:
        raise NotFound(_("Document %(id)s is not on this claim.") % {"id": document_id}, {"document": "not found"})
    if not accepted and not note.strip():
        raise ServiceError("reason_required", _("Say why the document is not accepted."), {"note": "required"})
    doc.check_result = ClaimDocument.Check.ACCEPTED if accepted else ClaimDocument.Check.REJECTED
    doc.checked_by = actor
    doc.checked_at = timezone.now()
    doc.note = note[:300]
    doc.save(update_fields=["check_result", "checked_by", "checked_at", "note"])
    audit.record(
        actor=actor,
        action="claims.document_check",
        obj=claim,
        changes={"document": doc.code, "result": doc.check_result},
        sponsor_id=claim.sponsor_id,
    )
    return doc


CLAIMANT_FIELDS = ("claimant_name", "claimant_relation", "claimant_phone", "funeral_arranger")
FACT_FIELDS = ("wage", "incapacity_months", "disabilities", "left_handed", "home_care")


def _editable(claim: Claim) -> None:
    if claim.status not in (ClaimStatus.REPORTED, ClaimStatus.DRAFT, ClaimStatus.RETURNED):
        raise ServiceError(
            "not_editable",
            _("Claim %(number)s is %(status)s; it can be changed only before it is submitted or after it is returned.")
            % {"number": claim.number, "status": claim.get_status_display()},
            {"status": claim.status},
        )


@transaction.atomic
def update_claim(claim: Claim, *, actor, **data) -> Claim:
    """Change the claimant, the funeral arranger or the facts of the benefit (before submission)."""
    _editable(claim)
    unknown = set(data) - set(CLAIMANT_FIELDS) - set(FACT_FIELDS) - {"outcome", "program"}
    if unknown:
        raise ServiceError("invalid", _("Unknown field %(field)s.") % {"field": sorted(unknown)[0]}, {sorted(unknown)[0]: "unknown"})
    before = audit.snapshot(claim, [*CLAIMANT_FIELDS, *FACT_FIELDS, "outcome", "program"])
    if "program" in data and data["program"] not in ClaimProgram.values:
        raise ServiceError("invalid", _("Unknown programme."), {"program": "JKM or JKK"})
    if "outcome" in data and data["outcome"] not in Outcome.values:
        raise ServiceError("invalid", _("Unknown claim type."), {"outcome": ", ".join(Outcome.values)})
    program = data.get("program", claim.program)
    outcome = data.get("outcome", claim.outcome)
    if program == ClaimProgram.JKM and outcome != Outcome.DEATH:
        raise ServiceError("invalid", _("JKM pays on death only; a work accident is a JKK claim."), {"outcome": "death for JKM"})
    if program == ClaimProgram.JKK and claim.accident_id is None and outcome != Outcome.DEATH:
        raise ServiceError("invalid", _("A JKK claim needs its stage-I accident report."), {"accident": "required"})
    for key, value in data.items():
        setattr(claim, key, value)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise Conflict("death_claim_exists", _("A death claim for this participant exists already."), {"outcome": "death claim exists"}) from None
    if "funeral_arranger" in data:
        heirs_service.determine(claim, actor=actor)
    audit.record(
        actor=actor, action="claims.update", obj=claim, changes=audit.diff(before, audit.snapshot(claim, list(before))), sponsor_id=claim.sponsor_id
    )
    return claim


@transaction.atomic
def add_reimbursement(claim: Claim, *, actor, kind: str, amount: int, mode: str = "", description: str = "", receipt=None) -> Reimbursement:
    _editable(claim)
    if claim.program != ClaimProgram.JKK:
        raise ServiceError("invalid", _("Reimbursements belong to JKK claims."), {"kind": "JKK only"})
    if kind not in Reimbursement.Kind.values:
        raise ServiceError("invalid", _("Unknown reimbursement."), {"kind": ", ".join(Reimbursement.Kind.values)})
    if kind == Reimbursement.Kind.TRANSPORT and mode not in ("land", "sea", "air"):
        raise ServiceError("invalid", _("Give the transport mode (land, sea or air)."), {"mode": "land, sea or air"})
    if not isinstance(amount, int) or amount <= 0:
        raise ServiceError("invalid", _("The amount must be a positive whole number of rupiah."), {"amount": "positive rupiah"})
    row = Reimbursement.objects.create(
        claim=claim,
        kind=kind,
        mode=mode if kind == Reimbursement.Kind.TRANSPORT else "",
        amount=amount,
        description=description[:300],
        receipt=receipt,
    )
    audit.record(actor=actor, action="claims.reimbursement_add", obj=claim, changes={"kind": kind, "amount": amount}, sponsor_id=claim.sponsor_id)
    return row


@transaction.atomic
def log_outreach(claim: Claim, *, actor, kind: str, result: str, at: dt.datetime | None = None, contact: str = "", note: str = "") -> Outreach:
    """One attempt to reach the heirs of a reported death: visit, call or letter, and its outcome."""
    if kind not in Outreach.Kind.values:
        raise ServiceError("invalid", _("Unknown kind of outreach."), {"kind": ", ".join(Outreach.Kind.values)})
    if result not in Outreach.Result.values:
        raise ServiceError("invalid", _("Unknown outcome."), {"result": ", ".join(Outreach.Result.values)})
    row = Outreach.objects.create(claim=claim, kind=kind, result=result, at=at or timezone.now(), by=actor, contact=contact[:200], note=note[:500])
    audit.record(actor=actor, action="claims.outreach", obj=claim, changes={"kind": kind, "result": result}, sponsor_id=claim.sponsor_id)
    return row


@transaction.atomic
def override_check(claim: Claim, *, actor, code: str, reason: str) -> CheckOverride:
    """Document an override of a failed check, where the regulation allows one."""
    from lindung.claims.eligibility import OVERRIDABLE

    if code not in OVERRIDABLE:
        raise ServiceError(
            "not_overridable",
            _("The check %(code)s cannot be overridden: the regulation leaves no room.") % {"code": code},
            {"code": f"one of {', '.join(sorted(OVERRIDABLE))}"},
        )
    if not reason.strip():
        raise ServiceError("reason_required", _("An override needs a documented reason."), {"reason": "required"})
    if not (actor.has_perm("claims.verify_claim") or actor.has_perm("claims.approve_claim")):
        raise ServiceError("permission_denied", _("Only a verifier or the branch head may override a check."), status=403)
    row, _created = CheckOverride.objects.update_or_create(claim=claim, code=code, defaults={"reason": reason[:500], "by": actor})
    audit.record(actor=actor, action="claims.check_override", obj=claim, changes={"code": code, "reason": reason[:500]}, sponsor_id=claim.sponsor_id)
    return row
