"""Models of the payouts context: payment orders, batches, the bank's answers and settlements,
hand-over events (penyerahan santunan).

A ``PaymentOrder`` is what one payee receives for one component group of one claim, with a snapshot
of the payee (name, NIK, bank, account, holder) taken when it is made: later edits of the payee never
change an order. Orders are grouped in a ``PaymentBatch`` that a second person authorises and that is
exported for the bank. The bank's answer marks each order paid or failed; a paid order has exactly
one ``Settlement`` (database constraint), so it can never be paid again. A failed order is re-issued
as a new order (the old one is kept, ``reissue_of``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class OrderGroup(models.TextChoices):
    BENEFIT = "benefit", _("Cash benefit")
    SCHOLARSHIP = "scholarship", _("Scholarship")


class OrderStatus(models.TextChoices):
    READY = "ready", _("Awaiting a batch")
    BATCHED = "batched", _("In a batch")
    SENT = "sent", _("Sent to the bank")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REISSUED = "reissued", _("Failed, re-issued")
    CANCELLED = "cancelled", _("Cancelled")


# Orders that are (or may become) money moving: at most one per payee, group and claim.
LIVE_ORDER_STATUSES = (OrderStatus.READY, OrderStatus.BATCHED, OrderStatus.SENT, OrderStatus.PAID)


class PaymentBatch(models.Model):
    """Orders grouped by finance, authorised by a second person, exported for the bank."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AUTHORISED = "authorised", _("Authorised")
        EXPORTED = "exported", _("Exported to the bank")
        CLOSED = "closed", _("Answered by the bank")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("batch number"), max_length=20, unique=True)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    bank_format = models.CharField(_("bank file format"), max_length=20, default="default")
    execution_date = models.DateField(_("requested execution date"))
    total = models.PositiveBigIntegerField(_("total (Rp)"), default=0)
    count = models.PositiveIntegerField(_("orders"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(branch="branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        permissions = [
            ("authorise_paymentbatch", _("Can authorise a payment batch")),
            ("export_paymentbatch", _("Can export a payment batch for the bank")),
            ("import_bankanswer", _("Can import the bank's answer")),
        ]

    def __str__(self) -> str:
        return self.number


class ScholarshipSchedule(models.Model):
    """The yearly scholarship of one entitled child of a decided claim (at most two per claim)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class StopReason(models.TextChoices):
        AGE_LIMIT = "age_limit", _("Reached the age limit (23)")
        MARRIED = "married", _("Married")
        WORKING = "working", _("Working")
        MAXIMUM = "maximum", _("Maximum reached")
        DECEASED = "deceased", _("Deceased")
        LEVELS_DONE = "levels_done", _("Finished every school level")

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="scholarship_schedules", verbose_name=_("claim"))
    heir = models.OneToOneField("claims.ClaimHeir", on_delete=models.PROTECT, related_name="scholarship_schedule", verbose_name=_("child"))
    sponsor = models.ForeignKey("membership.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False)
    child_name = models.CharField(_("child"), max_length=200)
    birth_date = models.DateField(_("birth date"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    max_total = models.PositiveBigIntegerField(_("maximum (Rp)"))
    projected = models.JSONField(_("projected years"), default=list, blank=True)
    stop_reason = models.CharField(_("ended because"), max_length=12, choices=StopReason.choices, blank=True)
    stop_date = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(sponsor="sponsor", branch="branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "birth_date", "id"]
        verbose_name = _("scholarship schedule")
        verbose_name_plural = _("scholarship schedules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="active") & Q(stop_reason="") & Q(stop_date__isnull=True))
                | (Q(status="ended") & ~Q(stop_reason="") & Q(stop_date__isnull=False)),
                name="payouts_schedule_stop_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_name} ({self.claim_id})"


class ScholarshipYear(models.Model):
    """One school year's scholarship claim of a child: opened each school year, needing proof of
    enrolment (level, class, school); approved, it becomes a payment order."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting proof of enrolment")
        SUBMITTED = "submitted", _("Enrolment proven")
        APPROVED = "approved", _("Approved")
        NOT_IN_SCHOOL = "not_in_school", _("Not yet in school")
        CLOSED = "closed", _("Closed (stopped)")

    schedule = models.ForeignKey(ScholarshipSchedule, on_delete=models.PROTECT, related_name="years", verbose_name=_("schedule"))
    school_year = models.PositiveSmallIntegerField(_("school year (start)"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    level = models.CharField(_("school level"), max_length=3, blank=True)
    school_class = models.PositiveSmallIntegerField(_("class"), null=True, blank=True)
    year_in_level = models.PositiveSmallIntegerField(_("year in level"), null=True, blank=True)
    school_name = models.CharField(_("school"), max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), default=0)
    proof = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("proof of enrolment"), db_index=False
    )
    # the child's or guardian's account the year is paid to
    account_name = models.CharField(_("account holder"), max_length=200, blank=True)
    bank_code = models.CharField(_("bank code"), max_length=3, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    sponsor = models.ForeignKey("membership.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(sponsor="sponsor", branch="branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["schedule", "school_year"]
        verbose_name = _("yearly scholarship claim")
        verbose_name_plural = _("yearly scholarship claims")
        constraints = [models.UniqueConstraint(fields=["schedule", "school_year"], name="payouts_one_scholarship_claim_per_year")]
        indexes = [models.Index(fields=["school_year", "status"], name="payouts_scholyear_year_idx")]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.school_year}/{self.school_year + 1}"


class PaymentOrder(models.Model):
    """What one payee receives for one component group of one claim, with the payee as they were
    when the order was made."""

    number = models.CharField(_("order number"), max_length=20, unique=True)
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="payment_orders", verbose_name=_("claim"))
    payee = models.ForeignKey("claims.Payee", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("payee"))
    group = models.CharField(_("component group"), max_length=12, choices=OrderGroup.choices, default=OrderGroup.BENEFIT)
    scholarship_year = models.ForeignKey(
        ScholarshipYear, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("scholarship year")
    )
    sponsor = models.ForeignKey("membership.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.READY)
    # amounts
    benefit_amount = models.PositiveBigIntegerField(_("benefit (Rp)"))
    late_compensation = models.PositiveBigIntegerField(_("late compensation (Rp)"), default=0)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    late_calculation = models.ForeignKey("core.CalculationRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    # the payee as they were when the order was made
    payee_name = models.CharField(_("payee"), max_length=200)
    payee_nik = models.CharField(_("payee's NIK"), max_length=16, blank=True)
    bank_code = models.CharField(_("bank code"), max_length=3)
    bank_name = models.CharField(_("bank"), max_length=100)
    bank_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_number = models.CharField(_("account number"), max_length=34)
    account_holder = models.CharField(_("account holder"), max_length=200)
    # the batch and the bank's answer
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("batch"))
    reissue_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissued_as", verbose_name=_("re-issue of")
    )
    failure_code = models.CharField(_("bank's reason code"), max_length=10, blank=True)
    failure_reason = models.CharField(_("bank's reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(branch="branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        constraints = [
            models.CheckConstraint(condition=Q(amount=F("benefit_amount") + F("late_compensation")), name="payouts_order_amount_adds_up"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payouts_order_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=["ready", "cancelled"]) | Q(batch__isnull=False), name="payouts_order_batched_has_batch"),
            # one live order per claim, payee and group (cash benefit), or per scholarship year
            models.UniqueConstraint(
                fields=["claim", "payee", "group"],
                condition=Q(status__in=["ready", "batched", "sent", "paid"], scholarship_year__isnull=True),
                name="payouts_one_live_order_per_payee_group",
            ),
            models.UniqueConstraint(
                fields=["scholarship_year"],
                condition=Q(status__in=["ready", "batched", "sent", "paid"], scholarship_year__isnull=False),
                name="payouts_one_live_order_per_scholarship_year",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "id"], name="payouts_order_batch_idx"),
            models.Index(fields=["status", "branch"], name="payouts_order_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class BankAnswer(models.Model):
    """One imported answer of the bank for a batch (result CSV, pain.002 or camt.054). The same file
    (same digest) imported again changes nothing."""

    class Kind(models.TextChoices):
        CSV = "csv", _("Result CSV")
        PAIN002 = "pain002", _("ISO 20022 pain.002 status report")
        CAMT054 = "camt054", _("ISO 20022 camt.054 debit notification")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="answers", verbose_name=_("batch"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200)
    digest = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    paid = models.PositiveIntegerField(_("paid"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unknown = models.PositiveIntegerField(_("unknown"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    imported_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="batch__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("bank answer")
        verbose_name_plural = _("bank answers")
        constraints = [models.UniqueConstraint(fields=["batch", "digest"], name="payouts_answer_once_per_batch")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class Settlement(models.Model):
    """The bank's confirmation that an order was paid. One per order (database constraint): a paid
    order can never be paid again."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, related_name="settlement", verbose_name=_("order"))
    answer = models.ForeignKey(BankAnswer, null=True, blank=True, on_delete=models.PROTECT, related_name="settlements", db_index=False)
    paid_on = models.DateField(_("paid on"))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(branch="order__branch", staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.order_id} paid {self.paid_on}"


class HandoverEvent(models.Model):
    """A public hand-over of benefits (penyerahan santunan): date, place, officials and the cases."""

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office"))
    officials = models.JSONField(_("officials present"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # a sponsor's staff see the events that include their workers
    access_scope = Scope(sponsor="cases__claim__sponsor", branch="branch", via_relation=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("hand-over event")
        verbose_name_plural = _("hand-over events")

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"


class HandoverCase(models.Model):
    """One case handed over at an event, marked as it stood that day."""

    class Mark(models.TextChoices):
        PAID = "paid", _("Paid")
        AWAITING_PAYMENT = "awaiting_payment", _("Approved, awaiting payment")
        AWAITING_CLAIM = "awaiting_claim", _("Computed, awaiting the heirs' claim")

    event = models.ForeignKey(HandoverEvent, on_delete=models.CASCADE, related_name="cases", verbose_name=_("event"))
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="+", verbose_name=_("claim"))
    mark = models.CharField(_("status"), max_length=16, choices=Mark.choices)
    heir_name = models.CharField(_("heir"), max_length=200)
    deceased_name = models.CharField(_("participant"), max_length=200)
    program = models.CharField(_("programme"), max_length=3)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))

    access_scope = Scope(sponsor="claim__sponsor", branch="event__branch")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("case handed over")
        verbose_name_plural = _("cases handed over")
        constraints = [models.UniqueConstraint(fields=["event", "claim"], name="payouts_handover_case_once")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.mark}"
