"""Models of the claims context: a death or accident known before anyone claims, the claim, its
heirs, payees, documents, reimbursements, outreach and transfers.

A reported death is a ``Claim`` in the state *awaiting the heirs' claim* (``reported``); intake
opens it (``draft``) and the workflow takes it to *ready for payment*. A death claim exists at most
once per participant (database constraint), whatever its state: a refused claim is never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", _("Awaiting the heirs' claim")
    DRAFT = "draft", _("Draft (intake)")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved")
    READY = "ready_for_payment", _("Ready for payment")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.VERIFIED, ClaimStatus.APPROVED)
# States in which the service-level clock runs (a complete application not yet ready for payment).
CLOCK_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.VERIFIED, ClaimStatus.APPROVED)


class ClaimProgram(models.TextChoices):
    JKM = "JKM", _("Death (JKM)")
    JKK = "JKK", _("Work accident (JKK)")


class Outcome(models.TextChoices):
    """What the claim is for (the rules engine's outcomes)."""

    DEATH = "death", _("Death")
    TOTAL_DISABILITY = "total_disability", _("Total permanent disability")
    PARTIAL_DISABILITY = "partial_disability", _("Partial permanent disability")
    TEMPORARY_INCAPACITY = "temporary_incapacity", _("Recovered after temporary incapacity (STMB)")
    MEDICAL = "medical", _("Medical care and transport only")


class ReportSource(models.TextChoices):
    BRANCH = "branch", _("Branch staff")
    SPONSOR = "sponsor", _("Sponsor staff")
    DEATH_FILE = "death_file", _("Death file")
    INTAKE = "intake", _("Claim intake")


class AccidentReport(models.Model):
    """The stage-I report of a work accident (laporan tahap I): when and where it happened, and
    whether it was reported within the deadline (2 × 24 hours)."""

    participant = models.ForeignKey("membership.Participant", on_delete=models.PROTECT, related_name="+", verbose_name=_("participant"))
    accident_at = models.DateTimeField(_("accident (date and time)"))
    place = models.CharField(_("place"), max_length=300)
    description = models.TextField(_("description"))
    reported_at = models.DateTimeField(_("reported"))
    reported_late = models.BooleanField(_("reported late"), default=False)
    employer_pays_first = models.BooleanField(_("employer owes the benefit first"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(sponsor="participant__sponsor", branch="participant__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-accident_at"]
        verbose_name = _("accident report")
        verbose_name_plural = _("accident reports")
        constraints = [models.CheckConstraint(condition=Q(reported_at__gte=F("accident_at")), name="claims_accident_reported_after")]

    def __str__(self) -> str:
        return f"accident {self.accident_at:%Y-%m-%d} participant {self.participant_id}"


class Claim(models.Model):
    """A case from the moment the death or accident is known, to a decided benefit."""

    number = models.CharField(_("claim number"), max_length=20, unique=True, null=True, blank=True)
    participant = models.ForeignKey("membership.Participant", on_delete=models.PROTECT, related_name="claims", verbose_name=_("participant"))
    sponsor = models.ForeignKey(
        "membership.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor"), db_index=False
    )
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office"), db_index=False)
    program = models.CharField(_("programme"), max_length=3, choices=ClaimProgram.choices)
    outcome = models.CharField(_("claim for"), max_length=24, choices=Outcome.choices, default=Outcome.DEATH)
    event_date = models.DateField(_("date of the event"))
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    accident = models.OneToOneField(
        AccidentReport, null=True, blank=True, on_delete=models.PROTECT, related_name="claim", verbose_name=_("accident report")
    )
    # how the case became known
    source = models.CharField(_("reported by"), max_length=12, choices=ReportSource.choices, default=ReportSource.INTAKE)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report_note = models.CharField(_("report note"), max_length=500, blank=True)
    # intake
    opened_at = models.DateTimeField(_("claim opened"), null=True, blank=True)
    claimant_name = models.CharField(_("claimant"), max_length=200, blank=True)
    claimant_relation = models.CharField(_("claimant's relation"), max_length=30, blank=True)
    claimant_phone = models.CharField(_("claimant's phone"), max_length=20, blank=True)
    funeral_arranger = models.CharField(_("funeral arranged by"), max_length=200, blank=True)
    # facts for the benefit
    wage = models.PositiveBigIntegerField(_("wage / declared income (Rp)"), null=True, blank=True)
    incapacity_months = models.PositiveSmallIntegerField(_("months of temporary incapacity"), default=0)
    disabilities = models.JSONField(_("disability items"), default=list, blank=True)
    left_handed = models.BooleanField(_("left-handed"), default=False)
    home_care = models.PositiveBigIntegerField(_("home care (Rp)"), default=0)
    # service-level clock
    complete_on = models.DateField(_("application complete"), null=True, blank=True)
    deadline = models.DateField(_("payment deadline"), null=True, blank=True)
    deadline_detail = models.JSONField(default=dict, blank=True)
    # eligibility checks as last evaluated, and the frozen benefit
    checks = models.JSONField(default=list, blank=True)
    checks_at = models.DateTimeField(null=True, blank=True)
    benefit = models.JSONField(default=dict, blank=True)
    benefit_total = models.BigIntegerField(_("benefit (Rp)"), null=True, blank=True)
    # the rules engine's calculation frozen at verification, with its parameter snapshot
    calculation = models.ForeignKey(
        "core.CalculationRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("calculation"), db_index=False
    )
    # the decision letter, rendered once after approval and kept (it never changes afterwards)
    decision_letter = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decision letter"), db_index=False
    )
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(sponsor="sponsor", branch="branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        permissions = [
            ("report_death", _("Can report a death")),
            ("verify_claim", _("Can verify a claim")),
            ("approve_claim", _("Can approve a claim")),
            ("transfer_claim", _("Can transfer a claim to another branch")),
        ]
        constraints = [
            # One death per participant, whatever the programme and the state (never deleted).
            models.UniqueConstraint(fields=["participant"], condition=Q(outcome="death"), name="claims_one_death_claim_per_participant"),
            models.CheckConstraint(condition=Q(program="JKK") | Q(outcome="death"), name="claims_jkm_is_death"),
            models.CheckConstraint(condition=Q(accident__isnull=True) | Q(program="JKK"), name="claims_accident_only_jkk"),
            models.CheckConstraint(condition=Q(deadline__isnull=True) | Q(complete_on__isnull=False), name="claims_deadline_needs_complete"),
            models.CheckConstraint(condition=Q(deadline__isnull=True) | Q(deadline__gte=F("complete_on")), name="claims_deadline_after_complete"),
            models.CheckConstraint(condition=Q(benefit_total__isnull=True) | Q(benefit_total__gte=0), name="claims_benefit_not_negative"),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "created_at"], name="claims_branch_status_idx"),
            models.Index(fields=["sponsor", "status"], condition=Q(sponsor__isnull=False), name="claims_sponsor_status_idx"),
            models.Index(fields=["status", "deadline"], condition=Q(deadline__isnull=False), name="claims_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"claim {self.pk}"

    @property
    def is_death(self) -> bool:
        return self.outcome == Outcome.DEATH


class ClaimHeir(models.Model):
    """A relative of the deceased considered for the claim: from the family register (linked) or
    entered at intake; ``entitled`` is the rules engine's answer (the first priority class)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="heirs", verbose_name=_("claim"))
    family_member = models.ForeignKey(
        "registry.FamilyMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("family member")
    )
    relation = models.CharField(_("relation"), max_length=20)
    full_name = models.CharField(_("full name"), max_length=200)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    school_level = models.CharField(_("school level"), max_length=3, blank=True)
    year_in_level = models.PositiveSmallIntegerField(_("year in level"), default=1)
    is_married = models.BooleanField(_("married"), default=False)
    is_working = models.BooleanField(_("working"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    entitled = models.BooleanField(_("entitled heir"), default=False)
    heir_class = models.CharField(_("heir class"), max_length=24, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("heir")
        verbose_name_plural = _("heirs")
        constraints = [
            models.UniqueConstraint(fields=["claim", "family_member"], condition=Q(family_member__isnull=False), name="claims_heir_once_per_claim"),
            models.CheckConstraint(condition=Q(nik="") | Q(nik__regex=r"^[0-9]{16}$"), name="claims_heir_nik_16_digits_or_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.relation})"

    @property
    def relation_label(self) -> str:
        from lindung.registry.models import FamilyMember

        try:
            return str(FamilyMember.Relation(self.relation).label)
        except ValueError:
            return self.relation


class PayeeKind(models.TextChoices):
    HEIR = "heir", _("Heir")
    FUNERAL_ARRANGER = "funeral_arranger", _("Whoever arranged the funeral")
    SOCIAL_SECURITY_FUND = "social_security_fund", _("Social security fund (Dana Jaminan Sosial)")
    PARTICIPANT = "participant", _("The participant")


SHARE_WHOLE = 10_000  # shares are in basis points of the heirs' part: all payees of a kind add up to 10,000


class Payee(models.Model):
    """Who is paid, per the heir certificate: one or more heirs with shares adding up to the whole,
    or (no heirs) the funeral arranger and the social security fund; the bank account to pay into."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="payees", verbose_name=_("claim"))
    kind = models.CharField(_("payee"), max_length=24, choices=PayeeKind.choices)
    heir = models.ForeignKey(ClaimHeir, null=True, blank=True, on_delete=models.PROTECT, related_name="payees", verbose_name=_("heir"))
    name = models.CharField(_("name"), max_length=200)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    share = models.PositiveIntegerField(_("share (1/10,000)"), default=SHARE_WHOLE)
    bank_code = models.CharField(_("bank code"), max_length=3, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("payee")
        verbose_name_plural = _("payees")
        constraints = [
            models.CheckConstraint(condition=Q(share__gte=1, share__lte=SHARE_WHOLE), name="claims_payee_share_range"),
            models.CheckConstraint(condition=~Q(kind="heir") | Q(heir__isnull=False), name="claims_payee_heir_named"),
            models.CheckConstraint(condition=Q(bank_code="") | Q(bank_code__regex=r"^[0-9]{3}$"), name="claims_payee_bank_code_3_digits"),
            models.UniqueConstraint(fields=["claim", "heir"], condition=Q(heir__isnull=False), name="claims_payee_heir_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.share / 100:.2f}%)"


class ClaimDocument(models.Model):
    """One item of the claim's document checklist with its uploaded file and who checked it."""

    class Check(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not accepted")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents", verbose_name=_("claim"))
    code = models.CharField(_("document"), max_length=40)
    file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("file"), db_index=False
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)
    check_result = models.CharField(_("check"), max_length=10, choices=Check.choices, default=Check.PENDING)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "code", "id"]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")

    def __str__(self) -> str:
        return f"{self.code} ({self.check_result})"


class Reimbursement(models.Model):
    """JKK medical care, transport or home care paid by the claimant, with its receipt."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical care")
        TRANSPORT = "transport", _("Transport")
        HOME_CARE = "home_care", _("Home care")

    class Mode(models.TextChoices):
        NONE = "", _("—")
        LAND = "land", _("Land, river or lake")
        SEA = "sea", _("Sea")
        AIR = "air", _("Air")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reimbursements", verbose_name=_("claim"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    mode = models.CharField(_("transport mode"), max_length=5, choices=Mode.choices, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    receipt = models.ForeignKey(ClaimDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("receipt"))

    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("reimbursement")
        verbose_name_plural = _("reimbursements")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="transport", mode__in=["land", "sea", "air"]) | (~Q(kind="transport") & Q(mode="")), name="claims_reimbursement_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} Rp {self.amount}"


class Outreach(models.Model):
    """An attempt to reach the heirs of a reported death: visit, call or letter; who, when, outcome."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Phone call")
        LETTER = "letter", _("Letter")

    class Result(models.TextChoices):
        REACHED = "reached", _("Reached; will claim")
        DOCUMENTS_PENDING = "documents_pending", _("Reached; gathering documents")
        NOT_REACHED = "not_reached", _("Not reached")
        WRONG_CONTACT = "wrong_contact", _("Wrong address or number")
        DECLINED = "declined", _("Declined to claim")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="outreach", verbose_name=_("claim"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))
    contact = models.CharField(_("contacted"), max_length=200, blank=True)
    result = models.CharField(_("outcome"), max_length=20, choices=Result.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "-at"]
        verbose_name = _("outreach attempt")
        verbose_name_plural = _("outreach attempts")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d} {self.result}"


class ClaimTransfer(models.Model):
    """A claim handed to another branch office (the heir moved); the receiving branch takes it over."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("claim"))
    from_branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))

    # The history travels with the claim: the receiving branch sees every earlier transfer.
    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "at"]
        verbose_name = _("claim transfer")
        verbose_name_plural = _("claim transfers")
        constraints = [models.CheckConstraint(condition=~Q(from_branch=F("to_branch")), name="claims_transfer_other_branch")]

    def __str__(self) -> str:
        return f"claim {self.claim_id}: branch {self.from_branch_id} → {self.to_branch_id}"


class CheckOverride(models.Model):
    """A documented override of a failed eligibility check, where the regulation allows one
    (``lindung.claims.eligibility.OVERRIDABLE``): who, when, why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("claim"))
    code = models.CharField(_("check"), max_length=40)
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="claim__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "at"]
        verbose_name = _("check override")
        verbose_name_plural = _("check overrides")
        constraints = [models.UniqueConstraint(fields=["claim", "code"], name="claims_override_once_per_check")]

    def __str__(self) -> str:
        return f"override {self.code} on claim {self.claim_id}"
