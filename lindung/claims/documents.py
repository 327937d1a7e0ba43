"""The document checklist of a claim type (REGULATION.md, "Documents"): each item required or
optional, with its uploaded file(s) and who checked it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lindung.claims.models import Claim, ClaimDocument, ClaimProgram, Outcome, Reimbursement

# code → label. The codes are stable (API, CLI); labels are translated.
LABELS = {
    "membership_card": _("Membership card (KPJ)"),
    "participant_ktp": _("Participant's identity card (KTP)"),
    "heir_ktp": _("Heir's identity card (KTP)"),
    "family_card": _("Family card (KK)"),
    "death_certificate": _("Death certificate"),
    "heir_certificate": _("Heir certificate (surat keterangan ahli waris)"),
    "marriage_book": _("Marriage book (buku nikah)"),
    "heir_bank_account": _("Heir's bank account book"),
    "doctor_certificate": _("Examining doctor's certificate"),
    "medical_receipts": _("Medical care receipts"),
    "transport_receipts": _("Transport receipts"),
    "accident_report": _("Work accident report (stage I)"),
    "other": _("Other supporting document"),
}

# Required items when the heirs claim a death (JKM; and a JKK death).
_DEATH = ("membership_card", "heir_ktp", "family_card", "death_certificate", "heir_certificate", "heir_bank_account")
# Required items of a JKK claim (participant alive).
_JKK = ("membership_card", "participant_ktp", "doctor_certificate")


@dataclass
class Item:
    code: str
    label: str
    required: bool
    documents: list[ClaimDocument] = field(default_factory=list)

    @property
    def uploaded(self) -> bool:
        return bool(self.documents)

    @property
    def accepted(self) -> bool:
        return any(d.check_result == ClaimDocument.Check.ACCEPTED for d in self.documents)

    @property
    def status(self) -> str:
        if not self.documents:
            return "missing"
        if self.accepted:
            return "accepted"
        if all(d.check_result == ClaimDocument.Check.REJECTED for d in self.documents):
            return "rejected"
        return "uploaded"


def required_codes(claim: Claim, *, spouse_heir: bool, reimbursement_kinds: set[str]) -> dict[str, bool]:
    """``{code: required}`` for the claim's type, in checklist order."""
    items: dict[str, bool] = {}
    if claim.program == ClaimProgram.JKK and claim.outcome != Outcome.DEATH:
        items.update(dict.fromkeys(_JKK, True))
        items["accident_report"] = False
    else:
        items.update(dict.fromkeys(_DEATH, True))
        items["marriage_book"] = spouse_heir
        if claim.program == ClaimProgram.JKK:
            items["doctor_certificate"] = True
            items["accident_report"] = False
    if claim.program == ClaimProgram.JKK:
        items["medical_receipts"] = Reimbursement.Kind.MEDICAL in reimbursement_kinds or Reimbursement.Kind.HOME_CARE in reimbursement_kinds
        items["transport_receipts"] = Reimbursement.Kind.TRANSPORT in reimbursement_kinds
    items["other"] = False
    return items


def checklist(claim: Claim) -> list[Item]:
    """The checklist with the documents uploaded for each item (two queries)."""
    spouse = claim.heirs.filter(entitled=True, relation="spouse").exists()
    kinds = set(claim.reimbursements.values_list("kind", flat=True))
    codes = required_codes(claim, spouse_heir=spouse, reimbursement_kinds=kinds)
    items = {code: Item(code, str(LABELS[code]), required) for code, required in codes.items()}
    for doc in claim.documents.select_related("uploaded_by", "checked_by", "file").order_by("id"):
        item = items.get(doc.code)
        if item is None:
            item = items[doc.code] = Item(doc.code, str(LABELS.get(doc.code, doc.code)), False)
        item.documents.append(doc)
    return list(items.values())
