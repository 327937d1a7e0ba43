"""Words for the codes that pages show: statuses, reasons, job kinds and audit actions.

A page never shows a raw code (``covered``, ``not_covered``, ``roster_import``,
``contributions.billing_run``): templates pass it through ``{{ code|label }}`` (``{% load lindung %}``)
and Python through ``label(code)``. The words are here, in the kernel, as translatable strings
(no context is imported); a context with codes of its own adds them with ``register({...})`` from
its ``AppConfig.ready()``. An unknown code is shown as it is, and a test scanning the main pages
catches it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS: dict[str, str] = {
    # cover on a day (contributions.coverage)
    "covered": _("covered"),
    "grace": _("grace period"),
    "not_covered": _("not covered"),
    # membership statuses and reasons of a status change
    "active": _("active"),
    "ended": _("ended"),
    "registered": _("registered"),
    "unpaid": _("contribution unpaid"),
    "arrears_paid": _("arrears paid"),
    "lapsed": _("lapsed (unpaid)"),
    "sponsorship_renewed": _("sponsorship renewed"),
    "agreement_ended": _("sponsor agreement ended"),
    "moved": _("moved to another sponsor"),
    "death": _("death"),
    # background jobs
    "roster_import": _("Roster import"),
    "membership_cards": _("Membership cards"),
    "contributions.daily": _("Daily cover update"),
    "contributions.billing_run": _("Billing run"),
    "files.sweep": _("Unreferenced files removed"),
    "queued": _("queued"),
    "running": _("running"),
    "succeeded": _("succeeded"),
    "failed": _("failed"),
    "cancelled": _("cancelled"),
    # documents made for a download (audited as file downloads)
    "invoice_pdf": _("invoice PDF"),
    "contribution_statement_pdf": _("contribution statement PDF"),
    "sponsor_statement_pdf": _("sponsor statement PDF"),
    "handover_pdf": _("hand-over list PDF"),
    "reconciliation_xlsx": _("reconciliation workbook"),
    # audit actions
    "agreement.create": _("Agreement created"),
    "agreement.renew": _("Agreement renewed"),
    "audit.purge": _("Audit trail purged"),
    "cards.print_bulk": _("Cards printed"),
    "claims.accident_reported": _("Accident reported"),
    "claims.check_override": _("Claim check overridden"),
    "claims.death_file": _("Death file processed"),
    "claims.death_reported": _("Death reported"),
    "claims.document_check": _("Claim document checked"),
    "claims.heir_add": _("Heir added"),
    "claims.outreach": _("Heir contacted"),
    "claims.payee_account_corrected": _("Payee account corrected"),
    "claims.payee_add": _("Payee added"),
    "claims.payees_set": _("Payees set"),
    "claims.reimbursement_add": _("Reimbursement added"),
    "claims.transfer": _("Claim transferred"),
    "claims.update": _("Claim updated"),
    "contributions.bank_import": _("Bank statement imported"),
    "contributions.cancel_invoice": _("Invoice cancelled"),
    "contributions.payment": _("Payment recorded"),
    "contributions.payment_match": _("Payment matched"),
    "contributions.prepay": _("Prepayment invoiced"),
    "contributions.refund_after_death": _("Refund after death"),
    "contributions.settle_arrears": _("Arrears settled"),
    "employer.create": _("Employer registered"),
    "employer.register_workers": _("Workers registered"),
    "employer.wage_report": _("Wage report"),
    "family.add": _("Family member added"),
    "family.remove": _("Family member removed"),
    "family.update": _("Family member updated"),
    "file.download": _("File downloaded"),
    "job.abandoned": _("Job abandoned"),
    "job.cancel": _("Job cancelled"),
    "job.retry": _("Job retried"),
    "participant.active": _("Membership active"),
    "participant.bulk_active": _("Memberships active"),
    "participant.bulk_ended": _("Memberships ended"),
    "participant.bulk_grace": _("Memberships in grace period"),
    "participant.ended": _("Membership ended"),
    "participant.grace": _("Membership in grace period"),
    "participant.move_sponsor": _("Moved to another sponsor"),
    "participant.register_bpu": _("Self-paying worker registered"),
    "participant.register_bpu_list": _("Self-paying workers registered from a list"),
    "payouts.bank_answer_import": _("Bank answer imported"),
    "payouts.batch_create": _("Payment batch created"),
    "payouts.batch_download": _("Payment batch downloaded"),
    "payouts.bank_file_regenerate": _("Bank file made again"),
    "payouts.handover_create": _("Hand-over event created"),
    "payouts.order_reissue": _("Payment order reissued"),
    "payouts.orders_create": _("Payment orders created"),
    "payouts.scholarship_approve": _("Scholarship approved"),
    "payouts.scholarship_enrolment": _("Proof of enrolment"),
    "payouts.scholarship_not_in_school": _("Child not in school"),
    "payouts.scholarship_schedules": _("Scholarship schedules"),
    "payouts.scholarship_stop": _("Scholarship stopped"),
    "payouts.scholarship_year_open": _("Scholarship year opened"),
    "person.create": _("Person registered"),
    "person.death": _("Death recorded"),
    "person.update": _("Person updated"),
    "project.add_workers": _("Project workers added"),
    "project.register": _("Project registered"),
    "regions.import": _("Regions imported"),
    "roster.import": _("Roster imported"),
    "sponsor.create": _("Sponsor created"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "user.create": _("User created"),
    "user.password_change": _("Password changed"),
    "user.password_reset": _("Password reset"),
}


def register(labels: dict[str, str]) -> None:
    """Add a context's codes and their (lazily translated) words."""
    LABELS.update(labels)


def label(code) -> str:
    """The words for ``code`` in the active language; the code itself when it has none."""
    if code is None or code == "":
        return "—"
    return str(LABELS.get(str(code), code))
