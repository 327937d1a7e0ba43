"""The benefit of a claim, computed by the rules engine and frozen on the claim.

``compute(claim)`` builds the rules engine's case from the claim (event, wage, contribution months
from the coverage ledger, the entitled children for the scholarship, disabilities, reimbursements)
and returns the result; ``freeze(claim)`` stores it — components with their legal references and
amounts in words, the scholarship's ceiling and projection, who receives each component and the
parameter version — so a later change of the parameter files never changes a decided claim.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lindung.claims.eligibility import claim_date, contribution_months
from lindung.claims.models import SHARE_WHOLE, Claim, ClaimHeir, Outcome, Payee, PayeeKind, Reimbursement
from lindung.contributions import coverage
from lindung.core.calculations import calculate_and_freeze
from lindung.core.terbilang import terbilang
from lindung.rules import (
    BenefitCase,
    Child,
    DisabilityItem,
    LatePaymentCase,
    Transport,
    allocate_benefit,
    calculate_benefit,
    late_payment_compensation,
    load_parameters,
)
from lindung.rules.results import Component, jsonable

SCHOOL_LEVELS = ("TK", "SD", "SMP", "SMA", "PT")


def _children(claim: Claim) -> tuple[Child, ...]:
    """Entitled children (registered as heirs) with a birth date, oldest first."""
    rows = ClaimHeir.objects.filter(claim=claim, relation="child", entitled=True, birth_date__isnull=False).order_by("birth_date", "id")
    return tuple(
        Child(
            birth_date=h.birth_date,
            level=h.school_level if h.school_level in SCHOOL_LEVELS else None,
            year_in_level=h.year_in_level or 1,
            id=str(h.pk),
            married=h.is_married,
            working=h.is_working,
        )
        for h in rows
    )


def benefit_case(claim: Claim) -> BenefitCase:
    covered = coverage.coverage_on(claim.participant, claim.event_date, claim.program).status != coverage.NOT_COVERED
    reimbursements = list(Reimbursement.objects.filter(claim=claim))
    with_scholarship = claim.is_death or claim.outcome == Outcome.TOTAL_DISABILITY
    return BenefitCase(
        program=claim.program,
        event_date=claim.event_date,
        outcome=claim.outcome if claim.program == "JKK" else None,
        claim_date=claim_date(claim),
        wage=(claim.wage if claim.wage is not None else claim.participant.wage) if claim.program == "JKK" else None,
        contribution_months=contribution_months(claim.participant, claim.event_date) if with_scholarship else 0,
        membership_active=covered,
        children=_children(claim) if with_scholarship else (),
        disabilities=tuple(DisabilityItem(d["item"], int(d.get("function_loss_percent", 100))) for d in claim.disabilities or []),
        left_handed=claim.left_handed,
        incapacity_months=claim.incapacity_months,
        transport=tuple(Transport(r.mode, r.amount) for r in reimbursements if r.kind == Reimbursement.Kind.TRANSPORT),
        home_care=sum(r.amount for r in reimbursements if r.kind == Reimbursement.Kind.HOME_CARE) + claim.home_care,
        medical=sum(r.amount for r in reimbursements if r.kind == Reimbursement.Kind.MEDICAL),
    )


def compute(claim: Claim):
    """The rules engine's result for the claim as it stands now (not stored)."""
    return calculate_benefit(benefit_case(claim), load_parameters())


def benefit_input(claim: Claim) -> dict:
    """The claim's case as the rules engine's JSON input (``lindung calc benefit``), as frozen."""
    case = benefit_case(claim)
    data = jsonable(case)
    return {k: v for k, v in data.items() if v is not None}


def _heirs_for_allocation(claim: Claim):
    if not claim.is_death:
        return None
    from lindung.claims.heirs import heirs_result

    return heirs_result(claim)


def frozen_view(claim: Claim, result) -> dict:
    """The JSON stored on the claim: the result (a rules ``Result`` or its JSON) plus amounts in words,
    who receives each component and when it was computed."""
    data = dict(result) if isinstance(result, dict) else result.to_dict()
    data["components"] = [dict(c) for c in data["components"]]
    for component in data["components"]:
        component["amount_in_words"] = terbilang(component["amount"])
    data["total_in_words"] = terbilang(data["total"])
    components = [
        Component(c["code"], c["amount"], c["reference"], c["explanation_id"], c["explanation_en"], c.get("program")) for c in data["components"]
    ]
    data["allocation"] = [
        {"component": a.component, "amount": a.amount, "to": a.to, "reference": a.reference}
        for a in allocate_benefit(components, _heirs_for_allocation(claim))
    ]
    data["computed_at"] = timezone.now().isoformat()
    return data


def freeze(claim: Claim, *, actor=None) -> list[str]:
    """Calculate the benefit and freeze it: a calculation record with its parameter snapshot
    (``lindung.core.calculations``), and on the (locked) claim the view shown and decided on.
    Returns the fields set."""
    record = calculate_and_freeze("benefit", benefit_input(claim), actor=actor, params=load_parameters())
    claim.calculation = record
    claim.benefit = frozen_view(claim, record.result) | {"snapshot": record.snapshot.digest[:16], "calculation": record.pk}
    claim.benefit_total = record.total
    return ["calculation", "benefit", "benefit_total"]


def payee_amounts(claim: Claim, *, extra: int = 0) -> list[dict]:
    """What each payee receives from the frozen benefit (plus ``extra``, e.g. late compensation,
    shared like the heirs' part). Heirs' shares are in 10,000 parts; the rupiah left by rounding go
    to the payee with the largest share (the first on a tie), so the amounts add up exactly."""
    if not claim.benefit:
        return []
    to = {"heirs": 0, "funeral_arranger": 0, "social_security_fund": 0, "participant": 0}
    for row in claim.benefit.get("allocation", []):
        to[row["to"]] += row["amount"]
    payees = list(Payee.objects.filter(claim=claim).order_by("id"))
    out: list[dict] = []
    heirs = [p for p in payees if p.kind == PayeeKind.HEIR]
    heirs_total = to["heirs"] + (extra if heirs else 0)
    if heirs:
        amounts = [heirs_total * p.share // SHARE_WHOLE for p in heirs]
        biggest = max(range(len(heirs)), key=lambda i: (heirs[i].share, -i))
        amounts[biggest] += heirs_total - sum(amounts)
        out += [{"payee": p, "amount": a} for p, a in zip(heirs, amounts, strict=True)]
    for p in payees:
        if p.kind == PayeeKind.FUNERAL_ARRANGER:
            out.append({"payee": p, "amount": to["funeral_arranger"]})
        elif p.kind == PayeeKind.SOCIAL_SECURITY_FUND:
            out.append({"payee": p, "amount": to["social_security_fund"] + (extra if not heirs and to["participant"] == 0 else 0)})
        elif p.kind == PayeeKind.PARTICIPANT:
            out.append({"payee": p, "amount": to["participant"] + (extra if not heirs else 0)})
    return out


def late_compensation(claim: Claim, *, paid_on: dt.date | None = None) -> dict | None:
    """The late-payment compensation owed if the benefit is paid on ``paid_on`` (default today):
    1% of the benefit per day after the working-day deadline. None before the clock starts."""
    if claim.complete_on is None or claim.benefit_total is None:
        return None
    on = paid_on or timezone.localdate()
    if on < claim.complete_on:
        on = claim.complete_on
    result = late_payment_compensation(LatePaymentCase(claim.program, claim.benefit_total, claim.complete_on, on), load_parameters())
    return {
        "as_of": on.isoformat(),
        "deadline": result.facts["deadline"].isoformat(),
        "days_late": result.facts["days_late"],
        "amount": result.total,
        "amount_in_words": terbilang(result.total),
        "components": [c | {} for c in result.to_dict()["components"]],
        "reference": result.components[0].reference if result.components else None,
    }
