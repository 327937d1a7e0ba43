from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import SELF, Scope, ScopedQuerySet


class Segment(models.TextChoices):
    PU = "PU", _("Wage earner (PU)")
    BPU = "BPU", _("Non-wage earner (BPU)")
    JAKON = "JAKON", _("Construction services (Jasa Konstruksi)")


class Program(models.TextChoices):
    JKK = "JKK", _("Work accident (JKK)")
    JKM = "JKM", _("Death (JKM)")
    JHT = "JHT", _("Old-age savings (JHT)")


class RiskClass(models.TextChoices):
    """PU work-accident risk classes (names as in lindung.rules)."""

    VERY_LOW = "very_low", _("Very low (0.24%)")
    LOW = "low", _("Low (0.54%)")
    MEDIUM = "medium", _("Medium (0.89%)")
    HIGH = "high", _("High (1.27%)")
    VERY_HIGH = "very_high", _("Very high (1.74%)")


class Sponsor(models.Model):
    """Who pays the premiums of sponsored (vulnerable) workers: a local government, a company
    (CSR) or a zakat agency."""

    class Type(models.TextChoices):
        PROVINCE = "province", _("Provincial government")
        CITY = "city", _("City government")
        REGENCY = "regency", _("Regency government")
        VILLAGE = "village", _("Village government")
        CSR = "csr", _("Company (CSR)")
        ZAKAT = "zakat", _("Zakat agency")

    class FundingSource(models.TextChoices):
        APBD = "APBD", _("Regional budget (APBD)")
        APBDES = "APBDES", _("Village budget (APBDes)")
        CSR = "CSR", _("Corporate social responsibility (CSR)")
        BAZNAS = "BAZNAS", _("Zakat (BAZNAS)")
        OTHER = "OTHER", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    funding_source = models.CharField(_("funding source"), max_length=10, choices=FundingSource.choices)
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="sponsors", verbose_name=_("branch office")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(sponsor=SELF, branch="branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")

    def __str__(self) -> str:
        return self.name

    @property
    def detail_url(self) -> str | None:
        """The sponsor's page, or None for a code a URL cannot carry (a '/' from before codes were
        validated): such a sponsor is listed without a link instead of breaking the list."""
        from django.urls import reverse

        if not self.code or "/" in self.code:
            return None
        return reverse("membership:sponsor_detail", args=[self.code])


class SponsorAgreement(models.Model):
    """A sponsor's agreement (PKS) to pay the premiums of up to ``quota`` workers within ``budget``.

    The premium package is BPU at ``declared_income`` for ``programs``; the monthly premium per
    worker comes from the rules engine at each month's date (16,800 for JKK+JKM at 1,000,000)."""

    class Billing(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("sponsor"))
    number = models.CharField(_("agreement (PKS) number"), max_length=60)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    programs = models.JSONField(_("programmes"), default=list)
    declared_income = models.PositiveBigIntegerField(_("declared income"), default=1_000_000)
    budget = models.PositiveBigIntegerField(_("budget (Rp)"))
    quota = models.PositiveIntegerField(_("quota (workers)"))
    billing_frequency = models.CharField(_("billing"), max_length=10, choices=Billing.choices, default=Billing.MONTHLY)
    eligible_region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("eligible region")
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=65)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(sponsor="sponsor", branch="sponsor__branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sponsor", "-start_date"]
        verbose_name = _("sponsor agreement")
        verbose_name_plural = _("sponsor agreements")
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "number"], name="membership_agreement_unique_number"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="membership_agreement_dates_ordered"),
            models.CheckConstraint(condition=Q(quota__gt=0), name="membership_agreement_quota_positive"),
            models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="membership_agreement_age_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor.code} {self.number}"


class Employer(models.Model):
    """An employer (pemberi kerja) registering wage earners (PU), or a construction contractor."""

    npp = models.CharField(_("NPP (employer number)"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    risk_class = models.CharField(_("risk class"), max_length=10, choices=RiskClass.choices)
    region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    branch = models.ForeignKey("accounts.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office"))
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self) -> str:
        return f"{self.npp} {self.name}"


class Project(models.Model):
    """A construction project (Jasa Konstruksi), covered per project and priced on its contract
    value (or on wages where they are known)."""

    contractor = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="projects", verbose_name=_("contractor"))
    number = models.CharField(_("project number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    contract_value = models.PositiveBigIntegerField(_("contract value (Rp)"))
    total_wage = models.PositiveBigIntegerField(_("total wage (Rp), when known"), null=True, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    branch = models.ForeignKey("accounts.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office"))
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("construction project")
        verbose_name_plural = _("construction projects")
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="membership_project_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Participant(models.Model):
    """A person's membership (kepesertaan) in one segment, under one KPJ number.

    Sponsored BPU workers carry their current ``agreement`` and ``sponsor`` (kept in step by the
    services, history in ``SponsorshipPeriod``); PU workers their ``employer``; construction
    workers their ``project``. ``wage`` is the reported wage (PU) or declared income (BPU)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        GRACE = "grace", _("In grace period")
        ENDED = "ended", _("Ended")

    class ExitReason(models.TextChoices):
        NONE = "", _("—")
        DEATH = "death", _("Death")
        MOVED = "moved", _("Moved away")
        ENDED_BY_SPONSOR = "ended_by_sponsor", _("Ended by sponsor")
        LAPSED = "lapsed", _("Lapsed (unpaid)")
        EMPLOYMENT_ENDED = "employment_ended", _("Employment ended")
        PROJECT_ENDED = "project_ended", _("Project ended")
        OTHER = "other", _("Other")

    kpj_number = models.CharField(_("KPJ number"), max_length=11, unique=True)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="participants", verbose_name=_("person"))
    segment = models.CharField(_("segment"), max_length=5, choices=Segment.choices)
    programs = models.JSONField(_("programmes"), default=list)
    wage = models.PositiveBigIntegerField(_("wage / declared income (Rp)"))
    risk_class = models.CharField(_("risk class"), max_length=10, choices=RiskClass.choices, blank=True)
    # Foreign keys without an index of their own are covered by a composite or partial index in
    # Meta.indexes: every index is written on every enrolment, so none is kept twice.
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.PROTECT, related_name="workers", verbose_name=_("employer"), db_index=False
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="workers", verbose_name=_("project"), db_index=False
    )
    agreement = models.ForeignKey(
        SponsorAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("sponsor agreement"),
        db_index=False,
    )
    sponsor = models.ForeignKey(
        Sponsor, null=True, blank=True, on_delete=models.PROTECT, related_name="participants", verbose_name=_("sponsor"), db_index=False
    )
    branch = models.ForeignKey("accounts.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office"))
    start_date = models.DateField(_("cover start"))
    end_date = models.DateField(_("cover end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    exit_reason = models.CharField(_("exit reason"), max_length=20, choices=ExitReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(sponsor="sponsor", branch="branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kpj_number"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            # One open BPU membership per person (sponsored or self-paying).
            models.UniqueConstraint(fields=["person"], condition=Q(segment="BPU") & ~Q(status="ended"), name="membership_one_open_bpu_per_person"),
            models.CheckConstraint(condition=Q(segment="PU", employer__isnull=False) | ~Q(segment="PU"), name="membership_pu_has_employer"),
            models.CheckConstraint(condition=Q(segment="JAKON", project__isnull=False) | ~Q(segment="JAKON"), name="membership_jakon_has_project"),
            models.CheckConstraint(
                condition=Q(agreement__isnull=True, sponsor__isnull=True) | Q(agreement__isnull=False, sponsor__isnull=False, segment="BPU"),
                name="membership_sponsored_is_bpu_with_sponsor",
            ),
            models.CheckConstraint(condition=Q(status="ended", end_date__isnull=False) | ~Q(status="ended"), name="membership_ended_has_end_date"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="membership_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["sponsor", "status"], name="membership_part_sponsor_idx"),
            models.Index(fields=["agreement", "status"], name="membership_part_agreement_idx"),
            models.Index(fields=["employer", "status"], condition=Q(employer__isnull=False), name="membership_part_employer_idx"),
            models.Index(fields=["project"], condition=Q(project__isnull=False), name="membership_part_project_idx"),
            models.Index(fields=["segment", "status"], name="membership_part_segment_idx"),
        ]
        # Printing a sponsor's cards in bulk is work (a job over every current participant): a
        # permission of its own, not ``view_participant``.
        permissions = [("print_cards", _("Can print a sponsor's membership cards in bulk"))]

    def __str__(self) -> str:
        return f"{self.kpj_number}"


class SponsorshipPeriod(models.Model):
    """The history of which agreement paid for a participant, and when. Moving a worker between
    sponsors closes one period and opens the next; the participant and KPJ stay."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="sponsorships", verbose_name=_("participant"))
    # indexed by membership_sp_agreement_idx (agreement, start_date)
    agreement = models.ForeignKey(SponsorAgreement, on_delete=models.PROTECT, related_name="periods", verbose_name=_("agreement"), db_index=False)
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=Participant.ExitReason.choices, blank=True)
    import_batch = models.ForeignKey(
        "membership.RosterImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("roster import")
    )

    access_scope = Scope(sponsor="sponsor", branch="participant__branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "start_date"]
        verbose_name = _("sponsorship period")
        verbose_name_plural = _("sponsorship periods")
        constraints = [
            models.UniqueConstraint(fields=["participant"], condition=Q(end_date__isnull=True), name="membership_one_open_sponsorship"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="membership_sponsorship_dates_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "start_date"], name="membership_sp_agreement_idx"),
            # a participant's periods with one sponsor: the programme report's probe of the open
            # memberships; without it a planner lacking statistics (SQLite, a fresh PostgreSQL load)
            # intersects the participant index with the sponsor index, reading every period of the
            # sponsor for each probe
            models.Index(fields=["participant", "sponsor"], name="membership_sp_sponsor_idx"),
        ]

    def __str__(self) -> str:
        return f"participant {self.participant_id} under agreement {self.agreement_id} from {self.start_date}"


class StatusChange(models.Model):
    """Every status transition of a participant, with its effective date and reason (written by
    ``lindung.membership.status`` on the workflow kernel, which also writes the ``core.Decision``)."""

    # indexed by membership_status_part_idx (participant, effective_date)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("participant"), db_index=False
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Participant.Status.choices)
    effective_date = models.DateField(_("effective"))
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    # The workflow decision that made this change (one per batch for the daily job); none for the
    # first status given at enrolment. Not indexed: every daily batch writes up to a million rows.
    decision = models.ForeignKey(
        "core.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decision"), db_index=False
    )

    access_scope = Scope(sponsor="participant__sponsor", branch="participant__branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "at"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["participant", "effective_date"], name="membership_status_part_idx"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="membership_status_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"participant {self.participant_id}: {self.from_status} → {self.to_status} on {self.effective_date}"


class WageReport(models.Model):
    """An employer's monthly wage report for one PU worker."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="wage_reports", verbose_name=_("employer"))
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="wage_reports", verbose_name=_("participant"))
    period = models.DateField(_("month"), help_text=_("First day of the month"))
    wage = models.PositiveBigIntegerField(_("wage (Rp)"))
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="employer__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "period"]
        verbose_name = _("wage report")
        verbose_name_plural = _("wage reports")
        constraints = [
            models.UniqueConstraint(fields=["participant", "period"], name="membership_wage_one_per_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="membership_wage_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"participant {self.participant_id} {self.period:%Y-%m}: Rp {self.wage}"


class RosterImport(models.Model):
    """One upload of a sponsor's roster: the file, its checksum, the outcome and the error file.
    Re-importing a file with the same checksum into the same agreement changes nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    agreement = models.ForeignKey(SponsorAgreement, on_delete=models.PROTECT, related_name="imports", verbose_name=_("agreement"))
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor"))
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    stored_file = models.ForeignKey("core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("file"))
    error_file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("error file")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    dry_run = models.BooleanField(default=False)
    all_or_nothing = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(sponsor="sponsor", branch="sponsor__branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        permissions = [("import_roster", _("Can import a sponsor's roster"))]

    def __str__(self) -> str:
        return f"roster import #{self.pk} {self.file_name}"


class KpjSequence(models.Model):
    """The next KPJ serial per year of issue (see lindung.membership.kpj)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    next_serial = models.PositiveIntegerField(default=1)

    access_scope = Scope(staff_only=True)
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"KPJ {self.year}: next {self.next_serial}"


class Verdict(models.TextChoices):
    """Where a row held for verification, or a proposed change, stands."""

    PENDING = "pending", _("Awaiting verification")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


def _decided_once(prefix: str, *, accepted: Q = Q()) -> models.CheckConstraint:
    """A pending row carries no decision; a decided one carries its time (and a rejection its
    reason). With the trigger of migration 0008 (a decided row's status never changes again)."""
    return models.CheckConstraint(
        condition=Q(status="pending", decided_at__isnull=True, reason="")
        | (Q(status="accepted", decided_at__isnull=False) & accepted)
        | (Q(status="rejected", decided_at__isnull=False) & ~Q(reason="")),
        name=f"{prefix}_decision_consistent",
    )


class HeldRow(models.Model):
    """A roster row held for the branch office: its NIK is on the register under another name or
    birth date, or has an open membership elsewhere, or a date of death (row code
    ``verification_needed``). It keeps the row as the sponsor's file gave it; ``person`` is the
    registered person with that NIK, which branch staff compare it with and the sponsor never sees.
    Accepting enrols the worker against that person under the agreement (``participant``, once);
    rejecting records a reason the sponsor reads in words. Created set-based by the import; decided
    through the workflow ``membership.held_row`` (lindung/membership/held/)."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.PROTECT, related_name="held_rows", verbose_name=_("roster import"))
    agreement = models.ForeignKey(SponsorAgreement, on_delete=models.PROTECT, related_name="+", verbose_name=_("agreement"), db_index=False)
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor"), db_index=False)
    row_number = models.PositiveIntegerField(_("row"))
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1)
    region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    address = models.CharField(_("street address"), max_length=300, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    family_card_number = models.CharField(_("family card (KK) number"), max_length=16, blank=True)
    cover_start = models.DateField(_("cover start"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered person"), db_index=False)
    status = models.CharField(_("status"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    participant = models.OneToOneField(Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("participant"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Branch staff only: the row names a registered person. The sponsor reads its own rows' outcome
    # through its roster import (``held.selectors.import_held_rows``), never this model.
    access_scope = Scope(branch="sponsor__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("held roster row")
        verbose_name_plural = _("held roster rows")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "nik"], condition=Q(status="pending"), name="membership_heldrow_one_pending_per_nik"),
            models.UniqueConstraint(fields=["roster_import", "row_number"], name="membership_heldrow_one_per_row"),
            _decided_once("membership_heldrow", accepted=Q(participant__isnull=False)),
            models.CheckConstraint(condition=Q(status="accepted") | Q(participant__isnull=True), name="membership_heldrow_enrolled_only_if_accepted"),
        ]
        indexes = [
            models.Index(fields=["sponsor", "status"], name="membership_heldrow_queue_idx"),
            models.Index(fields=["person"], name="membership_heldrow_person_idx"),
        ]
        permissions = [("decide_heldrow", _("Can accept or reject roster rows held for verification"))]

    def __str__(self) -> str:
        return f"held row {self.row_number} of roster import #{self.roster_import_id}"


class ChangeProposal(models.Model):
    """A value of a sponsor's file that differs from what the register holds for the same person
    (phone, address, village, occupation, family card): the register is not overwritten; branch
    staff accept the change (the person is updated through ``registry.services.person_update``,
    audited) or reject it. Decided through the workflow ``membership.change_proposal``."""

    class Field(models.TextChoices):
        REGION = "region", _("village (address)")
        ADDRESS = "address", _("street address")
        OCCUPATION = "occupation", _("occupation")
        PHONE = "phone", _("phone")
        FAMILY_CARD = "family_card_number", _("family card (KK) number")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"), db_index=False)
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor"), db_index=False)
    roster_import = models.ForeignKey(RosterImport, on_delete=models.PROTECT, related_name="change_proposals", verbose_name=_("roster import"))
    row_number = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    current_value = models.CharField(_("registered value"), max_length=300, blank=True)
    proposed_value = models.CharField(_("proposed value"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="sponsor__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        constraints = [
            # the same change proposed again (a file imported twice) is one proposal
            models.UniqueConstraint(
                fields=["person", "field", "proposed_value"], condition=Q(status="pending"), name="membership_proposal_one_pending"
            ),
            _decided_once("membership_proposal"),
        ]
        indexes = [
            models.Index(fields=["sponsor", "status"], name="membership_proposal_queue_idx"),
            models.Index(fields=["person"], name="membership_proposal_person_idx"),
        ]
        permissions = [("decide_changeproposal", _("Can accept or reject changes a sponsor's file proposes to the register"))]

    def __str__(self) -> str:
        return f"proposed {self.field} for person {self.person_id}"
