"""Heirs and payees of a claim.

Heirs come from the family register (``registry.FamilyMember``) plus relatives entered at intake
(added to the register through its service, so the register learns them); the rules engine picks
the entitled class (``lindung.rules.determine_heirs``). Payees follow the heir certificate: one or
more entitled heirs whose shares add up to the whole (10,000 parts), each with a bank account whose
bank code is in the reference list and whose number has the right form. With no heirs, the funeral
cost goes to whoever arranged the funeral and the rest to the social security fund.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.claims.models import SHARE_WHOLE, Claim, ClaimHeir, Payee, PayeeKind
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.core.masking import mask_account
from lindung.registry import services as registry
from lindung.registry.models import FamilyMember
from lindung.rules import HeirsCase, Relative, determine_heirs
from lindung.rules.banks import banks, check_account_number, normalise_account_number

HEIR_RELATIONS = tuple(FamilyMember.Relation.values)

_ACCOUNT_MESSAGES = {
    "unknown_bank": lambda p: _("Bank code %(code)s is not in the list of Indonesian banks.") % {"code": p["bank_code"]},
    "empty": lambda p: _("The account number is empty."),
    "not_digits": lambda p: _("An account number has digits only."),
    "wrong_length": lambda p: (
        _("%(bank)s account numbers have %(min)s digits; this one has %(length)s.") % p
        if p["min"] == p["max"]
        else _("%(bank)s account numbers have %(min)s to %(max)s digits; this one has %(length)s.") % p
    ),
}


def _heir_from_member(claim: Claim, member: FamilyMember) -> ClaimHeir:
    return ClaimHeir(
        claim=claim,
        family_member=member,
        relation=member.relation,
        full_name=member.full_name,
        nik=member.nik,
        birth_date=member.birth_date,
        school_level=member.school_level,
        is_married=member.is_married,
        is_working=member.is_working,
        phone=member.phone,
    )


def load_family(claim: Claim, *, actor=None) -> list[ClaimHeir]:
    """Bring the deceased's living relatives from the family register onto the claim (once each)."""
    person = claim.participant.person
    known = set(ClaimHeir.objects.filter(claim=claim, family_member__isnull=False).values_list("family_member_id", flat=True))
    members = [m for m in person.family.filter(death_date__isnull=True).order_by("id") if m.pk not in known]
    created = ClaimHeir.objects.bulk_create([_heir_from_member(claim, m) for m in members])
    if created:
        determine(claim, actor=actor)
    return created


@transaction.atomic
def add_relative(
    claim: Claim,
    *,
    actor,
    relation: str,
    full_name: str,
    nik: str = "",
    birth_date=None,
    sex: str = "",
    school_level: str = "",
    phone: str = "",
    address: str = "",
    is_married=False,
    is_working=False,
) -> ClaimHeir:
    """A relative named at intake: added to the family register (its checks apply) and to the claim."""
    if relation not in HEIR_RELATIONS:
        raise ServiceError(
            "invalid", _("Unknown relation %(relation)s.") % {"relation": relation}, {"relation": f"one of {', '.join(HEIR_RELATIONS)}"}
        )
    member = registry.family_member_add(
        claim.participant.person,
        actor=actor,
        relation=relation,
        full_name=full_name,
        nik=nik or "",
        birth_date=birth_date,
        sex=sex,
        school_level=school_level,
        phone=phone,
        is_married=is_married,
        is_working=is_working,
    )
    heir = _heir_from_member(claim, member)
    heir.address = address
    heir.save()
    audit.record(actor=actor, action="claims.heir_add", obj=claim, changes={"relation": relation, "heir": heir.pk}, sponsor_id=claim.sponsor_id)
    determine(claim, actor=actor)
    heir.refresh_from_db()
    return heir


def determine(claim: Claim, *, actor=None):
    """Ask the rules engine which heirs are entitled and mark them (``entitled``, ``heir_class``)."""
    heirs = list(ClaimHeir.objects.filter(claim=claim).order_by("id"))
    result = determine_heirs(HeirsCase(tuple(Relative(str(h.pk), h.relation) for h in heirs), claim.funeral_arranger or None, claim.event_date))
    entitled = set(result.heirs)
    for h in heirs:
        h.entitled = str(h.pk) in entitled
        h.heir_class = result.heir_class if h.entitled else ""
    ClaimHeir.objects.bulk_update(heirs, ["entitled", "heir_class"])
    return result


def heirs_result(claim: Claim):
    """The rules engine's answer for the claim's current relatives (read only)."""
    heirs = list(ClaimHeir.objects.filter(claim=claim).order_by("id"))
    return determine_heirs(HeirsCase(tuple(Relative(str(h.pk), h.relation) for h in heirs), claim.funeral_arranger or None, claim.event_date))


def check_account(bank_code: str, account_number: str, *, field_prefix: str = "") -> str:
    """The normalised account number, or a ``ServiceError`` naming the field."""
    problems = check_account_number(bank_code, account_number)
    if problems:
        problem = problems[0]
        field = "bank_code" if problem.code == "unknown_bank" else "account_number"
        raise ServiceError("invalid_account", _ACCOUNT_MESSAGES[problem.code](problem.params), {f"{field_prefix}{field}": problem.message})
    return normalise_account_number(account_number)


def _payee_kwargs(claim: Claim, row: dict, index: int) -> dict:
    prefix = f"payees.{index}."
    kind = row.get("kind") or PayeeKind.HEIR
    if kind not in PayeeKind.values:
        raise ServiceError("invalid", _("Unknown payee kind %(kind)s.") % {"kind": kind}, {f"{prefix}kind": f"one of {', '.join(PayeeKind.values)}"})
    out: dict = {"kind": kind, "share": row.get("share", SHARE_WHOLE)}
    if not isinstance(out["share"], int) or isinstance(out["share"], bool) or not 1 <= out["share"] <= SHARE_WHOLE:
        raise ServiceError(
            "invalid", _("A share is a whole number of parts from 1 to %(whole)s.") % {"whole": SHARE_WHOLE}, {f"{prefix}share": "1–10000"}
        )
    if kind == PayeeKind.HEIR:
        heir = ClaimHeir.objects.filter(claim=claim, pk=row.get("heir")).first()
        if heir is None:
            raise ServiceError(
                "invalid", _("Heir %(heir)s is not on this claim.") % {"heir": row.get("heir")}, {f"{prefix}heir": "not on this claim"}
            )
        if not heir.entitled:
            raise ServiceError(
                "not_entitled",
                _("%(name)s (%(relation)s) is not in the entitled class of heirs and cannot be a payee.")
                % {"name": heir.full_name, "relation": heir.relation},
                {f"{prefix}heir": "not entitled"},
            )
        out.update(heir=heir, name=heir.full_name, nik=heir.nik)
    elif kind == PayeeKind.SOCIAL_SECURITY_FUND:
        out.update(name=str(PayeeKind.SOCIAL_SECURITY_FUND.label), share=SHARE_WHOLE)
    elif kind == PayeeKind.FUNERAL_ARRANGER:
        out.update(name=row.get("name") or claim.funeral_arranger, share=SHARE_WHOLE)
        if not out["name"]:
            raise ServiceError("invalid", _("Name whoever arranged the funeral."), {f"{prefix}name": "required"})
    else:
        out.update(name=claim.participant.person.full_name, nik=claim.participant.person.nik, share=SHARE_WHOLE)
    bank_code = (row.get("bank_code") or "").strip()
    number = row.get("account_number") or ""
    if kind != PayeeKind.SOCIAL_SECURITY_FUND and (bank_code or number):
        out["account_number"] = check_account(bank_code, number, field_prefix=prefix)
        out["bank_code"] = bank_code
        out["account_holder"] = (row.get("account_holder") or out["name"])[:200]
    return out


@transaction.atomic
def set_payees(claim: Claim, rows: list[dict], *, actor) -> list[Payee]:
    """Replace the claim's payees. Heir shares must add up to the whole (10,000 parts); nothing is
    written when any row is wrong."""
    Claim.objects.select_for_update().filter(pk=claim.pk).first()
    if not rows:
        raise ServiceError("invalid", _("Name at least one payee."), {"payees": "required"})
    wanted = [_payee_kwargs(claim, row, i) for i, row in enumerate(rows)]
    heirs_share = sum(w["share"] for w in wanted if w["kind"] == PayeeKind.HEIR)
    if any(w["kind"] == PayeeKind.HEIR for w in wanted) and heirs_share != SHARE_WHOLE:
        raise ServiceError(
            "shares_do_not_add_up",
            _("The heirs' shares add up to %(total)s of %(whole)s parts (%(percent)s%%); they must add up to the whole.")
            % {"total": heirs_share, "whole": SHARE_WHOLE, "percent": f"{heirs_share / 100:g}"},
            {"payees": f"shares add up to {heirs_share}, not {SHARE_WHOLE}"},
        )
    seen = [w["heir"].pk for w in wanted if w.get("heir")]
    if len(seen) != len(set(seen)):
        raise ServiceError("invalid", _("An heir is named twice."), {"payees": "heir named twice"})
    Payee.objects.filter(claim=claim).delete()
    created = [Payee.objects.create(claim=claim, created_by=actor if getattr(actor, "pk", None) else None, **w) for w in wanted]
    audit.record(
        actor=actor,
        action="claims.payees_set",
        obj=claim,
        changes={"payees": [{"kind": p.kind, "share": p.share, "bank": p.bank_code, "account": mask_account(p.account_number)} for p in created]},
        sponsor_id=claim.sponsor_id,
    )
    return created


@transaction.atomic
def add_payee(claim: Claim, row: dict, *, actor) -> Payee:
    """Add one payee (or replace the payee of the same heir or kind). The heirs' shares may not go
    above the whole; that they add up to it exactly is checked when the claim is submitted."""
    Claim.objects.select_for_update().filter(pk=claim.pk).first()
    wanted = _payee_kwargs(claim, row, 0)
    same = Payee.objects.filter(claim=claim, heir=wanted["heir"]) if wanted.get("heir") else Payee.objects.filter(claim=claim, kind=wanted["kind"])
    others = Payee.objects.filter(claim=claim, kind=PayeeKind.HEIR).exclude(pk__in=same.values("pk"))
    if wanted["kind"] == PayeeKind.HEIR:
        total = sum(others.values_list("share", flat=True)) + wanted["share"]
        if total > SHARE_WHOLE:
            raise ServiceError(
                "shares_do_not_add_up",
                _("The heirs' shares add up to %(total)s of %(whole)s parts (%(percent)s%%); they must add up to the whole.")
                % {"total": total, "whole": SHARE_WHOLE, "percent": f"{total / 100:g}"},
                {"share": f"shares add up to {total}, more than {SHARE_WHOLE}"},
            )
    same.delete()
    payee = Payee.objects.create(claim=claim, created_by=actor if getattr(actor, "pk", None) else None, **wanted)
    audit.record(
        actor=actor,
        action="claims.payee_add",
        obj=claim,
        changes={"kind": payee.kind, "share": payee.share, "bank": payee.bank_code, "account": mask_account(payee.account_number)},
        sponsor_id=claim.sponsor_id,
    )
    return payee


def payee_problems(claim: Claim) -> list[str]:
    """What is missing or wrong in the payees for the claim to be paid (empty: complete)."""
    payees = list(Payee.objects.filter(claim=claim).select_related("heir"))
    result = heirs_result(claim) if claim.is_death else None
    problems = []
    if not payees:
        return [_("No payee is designated.")]
    if result is not None and result.heir_class != "none":
        heir_payees = [p for p in payees if p.kind == PayeeKind.HEIR]
        if not heir_payees:
            problems.append(_("The entitled heirs have no payee."))
        total = sum(p.share for p in heir_payees)
        if heir_payees and total != SHARE_WHOLE:
            problems.append(_("The heirs' shares add up to %(total)s of %(whole)s parts.") % {"total": total, "whole": SHARE_WHOLE})
        if any(p.heir is not None and not p.heir.entitled for p in heir_payees):
            problems.append(_("A payee is no longer an entitled heir."))
    elif result is not None:
        kinds = {p.kind for p in payees}
        if PayeeKind.SOCIAL_SECURITY_FUND not in kinds:
            problems.append(_("With no heirs, the benefit other than the funeral cost goes to the social security fund: add it as a payee."))
        if result.funeral_cost_to and PayeeKind.FUNERAL_ARRANGER not in kinds:
            problems.append(_("Add whoever arranged the funeral as the payee of the funeral cost."))
    listed = {b.code for b in banks()}
    for p in payees:
        if p.kind == PayeeKind.SOCIAL_SECURITY_FUND:
            continue
        if not p.bank_code or not p.account_number:
            problems.append(_("%(name)s has no bank account.") % {"name": p.name})
        elif p.bank_code not in listed or check_account_number(p.bank_code, p.account_number):
            problems.append(_("%(name)s's bank account is not valid.") % {"name": p.name})
    return problems


@transaction.atomic
def update_payee_account(payee: Payee, *, actor, bank_code: str, account_number: str, account_holder: str = "") -> Payee:
    """Correct a payee's bank account (e.g. after a failed transfer). The form is checked as for a new
    payee; payment orders made earlier keep the account they were made with."""
    locked = Payee.objects.select_for_update().get(pk=payee.pk)
    if locked.kind == PayeeKind.SOCIAL_SECURITY_FUND:
        raise ServiceError("invalid", _("The social security fund has no bank account here."), {"bank_code": "not for this payee"})
    before = {"bank": locked.bank_code, "account": mask_account(locked.account_number), "holder": locked.account_holder}
    locked.account_number = check_account(bank_code.strip(), account_number)
    locked.bank_code = bank_code.strip()
    locked.account_holder = (account_holder or locked.account_holder or locked.name)[:200]
    locked.save(update_fields=["bank_code", "account_number", "account_holder"])
    after = {"bank": locked.bank_code, "account": mask_account(locked.account_number), "holder": locked.account_holder}
    audit.record(
        actor=actor,
        action="claims.payee_account_corrected",
        obj=locked.claim,
        changes=audit.diff(before, after),
        sponsor_id=locked.claim.sponsor_id,
    )
    payee.bank_code, payee.account_number, payee.account_holder = locked.bank_code, locked.account_number, locked.account_holder
    return payee
