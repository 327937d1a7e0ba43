"""The decision letter (surat penetapan manfaat), in Indonesian, as a PDF (fpdf2).

It names the participant, the heirs and payees, the benefit's components with their legal
references, the total in figures and in words, the decision's date and who verified and approved
it. It is rendered from the claim's frozen benefit, so it never changes after the decision.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from lindung.claims import benefit as benefit_service
from lindung.claims.models import Claim, ClaimHeir
from lindung.claims.workflow import CLAIM
from lindung.core.formatting import date, rupiah
from lindung.core.masking import mask_account
from lindung.core.pdf import FONT, Document, latin1
from lindung.core.terbilang import terbilang


def _deciders(claim: Claim) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for d in CLAIM.history(claim):
        if d.transition in ("verify", "approve"):
            name = d.actor.get_full_name() if d.actor else ""
            found[d.transition] = (name or d.actor_username, date(d.at))
    return found


def decision_letter_file(claim: Claim, *, actor=None):
    """The claim's decision letter as a stored file: rendered once, after approval, and kept (the
    letter is drawn from the frozen benefit, so it never changes afterwards)."""
    from lindung.core.files import StoredFile, store

    if claim.decision_letter_id:
        return StoredFile.objects.get(pk=claim.decision_letter_id)
    stored = store(
        decision_letter_pdf(claim),
        kind="decision_letter",
        name=f"keputusan-{claim.number}.pdf",
        owner=claim,
        sponsor_id=claim.sponsor_id,
        actor=actor,
        content_type="application/pdf",
    )
    Claim.objects.filter(pk=claim.pk, decision_letter__isnull=True).update(decision_letter=stored)
    claim.refresh_from_db(fields=["decision_letter"])
    return StoredFile.objects.get(pk=claim.decision_letter_id)


def decision_letter_pdf(claim: Claim, *, compress: bool = True) -> bytes:
    with translation.override("id"):
        return _render(claim, compress)


def _render(claim: Claim, compress: bool) -> bytes:
    frozen = claim.benefit or {}
    participant = claim.participant
    person = participant.person
    pdf = Document(_("Benefit decision %(number)s") % {"number": claim.number}, compress=compress, margins=(20, 18, 20))
    pdf.paragraph(claim.branch.name.upper(), style="B", size=11)
    pdf.paragraph(_("Employment social security: JKK and JKM"), size=9)
    pdf.ln(4)
    pdf.paragraph(_("BENEFIT DECISION LETTER"), style="B", size=13)
    pdf.paragraph(_("Number: %(number)s") % {"number": claim.number}, size=10)
    pdf.ln(3)
    pdf.paragraph(_("Participant"), style="B")
    rows = [
        (_("Name"), person.full_name),
        (_("NIK"), person.nik),
        (_("KPJ number"), participant.kpj_number),
        (_("Programme"), claim.get_program_display()),
        (_("Claim for"), claim.get_outcome_display()),
        (_("Date of the event"), date(claim.event_date)),
    ]
    if claim.sponsor_id:
        rows.append((_("Premium paid by"), claim.sponsor.name))
    for label, value in rows:
        pdf.set_font(FONT, "", 10)
        pdf.cell(45, 5.5, latin1(label))
        pdf.multi_cell(0, 5.5, latin1(f": {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    heirs = list(ClaimHeir.objects.filter(claim=claim, entitled=True).order_by("id"))
    if claim.is_death:
        pdf.paragraph(_("Entitled heirs"), style="B")
        if heirs:
            for h in heirs:
                pdf.paragraph(f"- {h.full_name} ({h.relation_label})")
        else:
            pdf.paragraph(_("No heirs: the funeral cost goes to whoever arranged the funeral, the rest to the social security fund."))
        pdf.ln(1)
    pdf.paragraph(_("Benefit"), style="B")
    pdf.rows(
        (_("Component"), _("Legal reference"), _("Amount")),
        ((comp.get("explanation_id", comp["code"]), comp["reference"], rupiah(comp["amount"])) for comp in frozen.get("components", [])),
        widths=(62, 72, 36),
        align=("LEFT", "LEFT", "RIGHT"),
    )
    total = claim.benefit_total or 0
    pdf.ln(1)
    pdf.paragraph(_("Total: %(amount)s") % {"amount": rupiah(total)}, style="B", size=11)
    pdf.paragraph(_("In words: %(words)s") % {"words": terbilang(total, capitalize=True)}, size=10)
    scholarship = frozen.get("scholarship") or {}
    if scholarship.get("eligible") and scholarship.get("max_total"):
        pdf.paragraph(
            _("Scholarship for the entitled children: up to %(max)s (projected %(projected)s), paid each school year on proof of enrolment.")
            % {"max": rupiah(scholarship["max_total"]), "projected": rupiah(scholarship.get("projected_total", 0))},
            size=9,
        )
    pdf.ln(2)
    pdf.paragraph(_("Payees"), style="B")
    for row in benefit_service.payee_amounts(claim):
        p = row["payee"]
        account = f"{p.bank_code} {mask_account(p.account_number)}" if p.account_number else "-"
        share = f"{p.share / 100:g}%"
        pdf.paragraph(
            f"- {p.name} ({p.get_kind_display()}, {share}) {_('account')} {account}: {rupiah(row['amount'])} ({terbilang(row['amount'])})", size=9
        )
    pdf.ln(2)
    if claim.deadline:
        pdf.paragraph(
            _(
                "Payment due by %(deadline)s (working days from the complete application on %(complete)s); a later payment adds 1%% of the benefit per day."
            )
            % {"deadline": date(claim.deadline), "complete": date(claim.complete_on)},
            size=9,
        )
    pdf.ln(4)
    deciders = _deciders(claim)
    decided = date(claim.decided_on) if claim.decided_on else "-"
    pdf.paragraph(_("Decided on %(date)s") % {"date": decided}, size=10)
    for step, label in (("verify", _("Verified by")), ("approve", _("Approved by (branch head)"))):
        name, when = deciders.get(step, ("-", "-"))
        pdf.paragraph(f"{label}: {name} ({when})", size=10)
    pdf.ln(2)
    pdf.paragraph(
        _("Parameter version %(version)s; amounts frozen at the decision.") % {"version": frozen.get("parameter_version", "-")}, size=7, height=4
    )
    return pdf.content()
