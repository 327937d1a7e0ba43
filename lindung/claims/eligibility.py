"""Eligibility checks of a claim, each with its result and reason.

A failed *blocking* check blocks verification and approval but never deletes the claim; a
documented override (``CheckOverride``) is possible only for the checks in ``OVERRIDABLE``, where
the regulation leaves room: the status record of the participant (the right follows the cover on
the event date, which the coverage ledger answers, not the status field) and the stage-I report's
timeliness (a late report does not void the JKK claim: for a wage earner the employer owes it first,
Permenaker 1/2025). Cover, claim expiry, one death claim per participant and the scholarship's
contribution condition are never overridden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lindung.claims import documents
from lindung.claims.models import Claim, ClaimProgram, Outcome, Payee, PayeeKind
from lindung.contributions import coverage
from lindung.core import formatting
from lindung.membership.models import Participant
from lindung.rules import load_parameters
from lindung.rules.deadlines import accident_report_timeliness, claim_expiry_date

PASS, FAIL, WARN, NOT_APPLICABLE = "pass", "fail", "warn", "not_applicable"
OVERRIDABLE = frozenset({"participant_status", "accident_report"})


def localized(text_id: str, text_en: str) -> str:
    """The rules engine's and the ledger's reasons come in both languages: the user's one."""
    return text_en if (get_language() or "id").startswith("en") else text_id


@dataclass
class Check:
    code: str
    label: str
    result: str  # pass | fail | warn | not_applicable
    reason: str
    blocking: bool = True
    reference: str | None = None
    overridable: bool = False
    override: dict | None = None
    detail: str = ""

    @property
    def blocks(self) -> bool:
        """True when this check stops verification and approval now."""
        return self.result == FAIL and self.blocking and self.override is None

    def as_dict(self) -> dict:
        return asdict(self) | {"blocks": self.blocks}


def contribution_months(participant: Participant, until: dt.date, program: str = "JKM") -> int:
    """Months of the programme paid in full (the coverage ledger) up to and including ``until``'s month."""
    months = coverage.paid_months(participant.pk, [program])[program]
    last = until.replace(day=1)
    return sum(1 for month, (billed, paid) in months.items() if month <= last and billed > 0 and paid >= billed)


def claim_date(claim: Claim) -> dt.date:
    """The date the claim was filed (intake), for the JKK claim expiry."""
    when = claim.opened_at or claim.created_at
    return timezone.localdate(when) if when else timezone.localdate()


def _cover(claim: Claim) -> Check:
    label = _("Cover on the date of the event")
    answer = coverage.coverage_on(claim.participant, claim.event_date, claim.program)
    if answer.status == coverage.COVERED:
        return Check(
            "cover",
            label,
            PASS,
            _("Covered on %(date)s: %(why)s")
            % {"date": formatting.date(claim.event_date), "why": localized(answer.reason.text_id, answer.reason.text_en)},
        )
    if answer.status == coverage.GRACE:
        return Check(
            "cover",
            label,
            FAIL,
            _("The event fell in the grace window (paid through %(through)s): %(why)s")
            % {
                "through": formatting.date(answer.paid_through) if answer.paid_through else "—",
                "why": localized(answer.reason.text_id, answer.reason.text_en),
            },
            reference=answer.reason.reference,
        )
    return Check(
        "cover",
        label,
        FAIL,
        _("Not covered on %(date)s: %(why)s")
        % {"date": formatting.date(claim.event_date), "why": localized(answer.reason.text_id, answer.reason.text_en)},
        reference=answer.reason.reference,
    )


def _expiry(claim: Claim) -> Check:
    label = _("Claim filed in time")
    view = load_parameters().at(claim.event_date)
    expiry = claim_expiry_date(claim.program, claim.event_date, view)
    name = f"claim.{claim.program.lower()}_expiry_years"
    if expiry is None:
        return Check(
            "claim_expiry", label, NOT_APPLICABLE, _("No claim deadline for %(program)s.") % {"program": claim.program}, reference=view.ref(name)
        )
    filed = claim_date(claim)
    if filed > expiry:
        return Check(
            "claim_expiry",
            label,
            FAIL,
            _("The right to claim lapsed on %(expiry)s (%(years)s years after the event); the claim was filed on %(filed)s.")
            % {"expiry": formatting.date(expiry), "years": view[name], "filed": formatting.date(filed)},
            reference=view.ref(name),
        )
    return Check(
        "claim_expiry",
        label,
        PASS,
        _("Filed on %(filed)s, before the deadline %(expiry)s.") % {"filed": formatting.date(filed), "expiry": formatting.date(expiry)},
        reference=view.ref(name),
    )


def _one_death(claim: Claim) -> Check:
    label = _("One death claim per participant")
    if not claim.is_death:
        return Check("one_death_claim", label, NOT_APPLICABLE, _("Not a death claim."), blocking=False)
    others = Claim.objects.filter(participant_id=claim.participant_id, outcome=Outcome.DEATH).exclude(pk=claim.pk).exists()
    if others:  # the database constraint makes this impossible; kept so a check never passes silently
        return Check("one_death_claim", label, FAIL, _("Another death claim exists for this participant."))
    return Check("one_death_claim", label, PASS, _("This is the only death claim of the participant."))


def _scholarship(claim: Claim, months: int | None) -> Check:
    label = _("Scholarship condition (contribution months)")
    view = load_parameters().at(claim.event_date)
    if not claim.is_death and claim.outcome != Outcome.TOTAL_DISABILITY:
        return Check("scholarship_condition", label, NOT_APPLICABLE, _("No scholarship for this claim."), blocking=False)
    name = f"scholarship.{claim.program.lower()}_min_contribution_months"
    minimum = view[name]
    if not minimum:
        return Check(
            "scholarship_condition",
            label,
            PASS,
            _("No minimum contribution period for a %(program)s scholarship.") % {"program": claim.program},
            blocking=False,
            reference=view.ref(name),
        )
    if months is not None and months >= minimum:
        return Check(
            "scholarship_condition",
            label,
            PASS,
            _("%(months)s contribution months, at least %(minimum)s.") % {"months": months, "minimum": minimum},
            blocking=False,
            reference=view.ref(name),
        )
    return Check(
        "scholarship_condition",
        label,
        WARN,
        _("%(months)s contribution months, fewer than %(minimum)s: no scholarship (the cash benefit is not affected).")
        % {"months": months or 0, "minimum": minimum},
        blocking=False,
        reference=view.ref(name),
    )


def _status(claim: Claim) -> Check:
    label = _("Participant status")
    p = claim.participant
    if claim.is_death:
        if p.status == Participant.Status.ENDED and p.exit_reason == Participant.ExitReason.DEATH:
            return Check(
                "participant_status",
                label,
                PASS,
                _("The death is recorded: membership ended on %(date)s.") % {"date": formatting.date(p.end_date)},
                overridable=True,
            )
        if p.status == Participant.Status.ENDED and p.end_date and p.end_date < claim.event_date:
            return Check(
                "participant_status",
                label,
                FAIL,
                _("The membership had ended on %(date)s (%(reason)s) before the death.")
                % {"date": formatting.date(p.end_date), "reason": p.get_exit_reason_display()},
                overridable=True,
            )
        return Check("participant_status", label, FAIL, _("The death is not recorded on the participant yet."), overridable=True)
    if p.status == Participant.Status.ENDED and p.end_date and p.end_date < claim.event_date:
        return Check(
            "participant_status",
            label,
            FAIL,
            _("The membership had ended on %(date)s before the accident.") % {"date": formatting.date(p.end_date)},
            overridable=True,
        )
    return Check("participant_status", label, PASS, _("Status: %(status)s.") % {"status": p.get_status_display()}, overridable=True)


def _accident(claim: Claim) -> Check:
    label = _("Accident reported within 2 × 24 hours")
    if claim.program != ClaimProgram.JKK:
        return Check("accident_report", label, NOT_APPLICABLE, _("Not a work accident."), blocking=False)
    report = claim.accident
    if report is None:
        return Check("accident_report", label, FAIL, _("No stage-I accident report is recorded."), overridable=True)
    timeliness = accident_report_timeliness(report.accident_at, report.reported_at, claim.participant.segment)
    if not timeliness.late:
        return Check(
            "accident_report", label, PASS, _("Reported %(hours)s hours after the accident.") % {"hours": f"{timeliness.hours:.0f}"}, blocking=False
        )
    reason = " ".join(localized(r.explanation_id, r.explanation_en) for r in timeliness.reasons)
    return Check("accident_report", label, WARN, reason, blocking=False, reference=timeliness.reasons[0].reference, overridable=True)


def _documents(claim: Claim) -> Check:
    label = _("Required documents")
    items = documents.checklist(claim)
    missing = [i.label for i in items if i.required and not i.uploaded]
    unchecked = [i.label for i in items if i.required and i.uploaded and not i.accepted]
    if missing:
        return Check("documents", label, FAIL, _("Missing: %(items)s.") % {"items": ", ".join(missing)}, detail="missing")
    if unchecked:
        return Check("documents", label, FAIL, _("Not yet accepted by a checker: %(items)s.") % {"items": ", ".join(unchecked)}, detail="unchecked")
    return Check("documents", label, PASS, _("Every required document is uploaded and accepted."))


def _payees(claim: Claim) -> Check:
    from lindung.claims import heirs as heirs_service

    label = _("Heirs and payees")
    problems = heirs_service.payee_problems(claim)
    if problems:
        return Check("payees", label, FAIL, " ".join(problems))
    kinds = sorted({str(PayeeKind(k).label) for k in Payee.objects.filter(claim=claim).values_list("kind", flat=True)})
    return Check("payees", label, PASS, _("Payees designated: %(kinds)s.") % {"kinds": ", ".join(kinds)})


def evaluate(claim: Claim) -> list[Check]:
    """Every check of the claim, now (overrides applied)."""
    months = contribution_months(claim.participant, claim.event_date) if claim.is_death or claim.outcome == Outcome.TOTAL_DISABILITY else None
    checks = [
        _cover(claim),
        _expiry(claim),
        _one_death(claim),
        _status(claim),
        _accident(claim),
        _scholarship(claim, months),
        _documents(claim),
        _payees(claim),
    ]
    overrides = {o.code: o for o in claim.overrides.select_related("by")}
    for check in checks:
        check.overridable = check.overridable and check.code in OVERRIDABLE
        found = overrides.get(check.code)
        if found is not None and check.overridable and check.result == FAIL:
            check.override = {"by": found.by.get_username() if found.by else "", "at": found.at.isoformat(), "reason": found.reason}
    return checks


def blocking(checks: list[Check], *, ignore: tuple[str, ...] = ()) -> list[Check]:
    return [c for c in checks if c.blocks and c.code not in ignore]
