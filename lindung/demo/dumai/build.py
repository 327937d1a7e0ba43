"""Replay the Dumai programme month by month, from October 2023 to today, through the services.

Each month: the agreement of the year starts in October (the first one enrols the roster; each
later one renews the previous one, and the 2024 one grows the programme to twice its size with a
second roster), the month (or quarter) is billed, the city pays its invoices (late at some year
starts: the regional budget is disbursed late, so the workers are in grace until it is paid), the
month's deaths are reported and claimed, and the daily job runs at the month's end.

Resumable and idempotent: every step looks for what it would create first (agreements by number,
imports by file, invoices by period, payments by bank reference, claims by participant), so a
second run on the same day changes nothing and a run on a later day carries the programme on to
that day."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lindung.accounts.models import User
from lindung.contributions import allocation, billing, payments, statuses
from lindung.contributions.models import ContributionPayment, Invoice
from lindung.core.errors import ServiceError
from lindung.demo.base import DUMAI_SPONSOR, load_base
from lindung.demo.dumai import cases, full, people, scholarships
from lindung.demo.dumai.clock import at
from lindung.demo.dumai.story import (
    DECLARED_INCOME,
    LATE_PAYMENTS,
    PREMIUM,
    PROGRAMME_START,
    ROSTER_SEED,
    agreement_number,
    agreement_period,
    agreement_years,
)
from lindung.membership import roster, services
from lindung.membership.models import Participant, RosterImport, SponsorAgreement, SponsorshipPeriod
from lindung.rules.months import add_months, month_end

ROSTER_FILES = {2023: "daftar-pekerja-rentan-dumai-2023.xlsx", 2024: "daftar-pekerja-rentan-dumai-2024-tambahan.xlsx"}

PAY_DAY = 11
# The daily job is replayed on the days the story's statuses change (the ledger is the same
# between them): the hand-over day, and the month ends around each late payment.
REFRESH_DAYS = {dt.date(2024, 3, 21)}
REFRESH_MONTHS = {add_months(m, k) for m in LATE_PAYMENTS for k in (0, 1, 2)} | {d.replace(day=1) for d in LATE_PAYMENTS.values()}


class NotEmpty(ServiceError):
    pass


@dataclass
class BuildResult:
    built: bool
    workers: int
    months: int = 0
    seconds: float = 0.0
    steps: dict = field(default_factory=dict)


def is_built() -> bool:
    return RosterImport.objects.filter(
        sponsor__code=DUMAI_SPONSOR, file_name=ROSTER_FILES[2023], dry_run=False, status=RosterImport.Status.DONE
    ).exists()


def scenario_workers() -> int:
    """The size of the first roster of a built scenario (its ``--workers``)."""
    batch = RosterImport.objects.filter(sponsor__code=DUMAI_SPONSOR, file_name=ROSTER_FILES[2023], dry_run=False).first()
    return int((batch.summary or {}).get("enrolled", 0)) if batch else 0


def build(*, workers: int = 5_000, seed: int = ROSTER_SEED, today: dt.date | None = None, log=None, full_size: int | None = None) -> BuildResult:
    """Build (or carry on to ``today``) the Dumai scenario with ``workers`` workers in the first
    roster and twice as many from October 2024; with ``full_size`` (``--full``) the city-wide layer
    too, so the city counts ``full_size`` participants (``full.py``). A built city-wide layer is
    carried on whether or not ``full_size`` is given. One transaction: nothing half-built."""
    today = today or timezone.localdate()
    log = log or (lambda _msg: None)
    started = time.monotonic()
    with transaction.atomic():
        context = load_base()
        sponsor = context["sponsors"][DUMAI_SPONSOR]
        if not is_built() and Participant.objects.filter(sponsor=sponsor).exists():
            raise NotEmpty(
                "not_empty",
                "This database holds other Dumai demo data; the Dumai scenario is built on an empty database "
                "(remove the SQLite file under LINDUNG_DATA_DIR, or use a new PostgreSQL database).",
            )
        if is_built():
            workers = scenario_workers()
        if full_size is None and full.is_built():
            full_size = full.CITY_SIZE  # only its registration reads the size: a built layer is carried on
        replay = Replay(sponsor=sponsor, branch=context["branch"], workers=workers, seed=seed, today=today, log=log, full_size=full_size)
        steps = replay.run()
    return BuildResult(built=True, workers=workers, months=replay.months, seconds=time.monotonic() - started, steps=steps)


class Replay:
    def __init__(self, *, sponsor, branch, workers: int, seed: int, today: dt.date, log, full_size: int | None = None):
        self.sponsor = sponsor
        self.branch = branch
        self.workers = workers
        self.seed = seed
        self.today = today
        self.log = log
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=["admin", "petugas", "verifikator", "kepala", "keuangan", "bendahara", "disnaker"])
        }
        self.agreements: dict[int, SponsorAgreement] = {}
        self.months = 0
        self.steps: dict[str, int] = {"invoices": 0, "payments": 0, "enrolled": 0, "renewed": 0, "status_refreshes": 0}
        self.cases = cases.Cases(self)
        self.scholarships = scholarships.Scholarships(self)
        self.city = full.CityWide(self, full_size=full_size) if full_size else None

    # --- the timeline ---------------------------------------------------------------------

    def run(self) -> dict:
        month = PROGRAMME_START
        last = self.today.replace(day=1)
        while month <= last:
            self.month(month)
            self.months += 1
            month = add_months(month, 1)
        return self.steps

    def month(self, month: dt.date) -> None:
        changed = False
        if month.month == 10 and month.year in agreement_years(self.today):
            changed |= self.start_agreement(month.year)
        changed |= self.bill(month)
        end = min(month_end(month), self.today)
        events = [(day, 0, invoice) for day, invoice in self.payments_due(month, end)]
        events += [(day, 1, event) for day, event in self.cases.events(month, end)]
        events += [(day, 1, event) for day, event in self.scholarships.events(month, end)]
        if self.city is not None:
            events += [(day, 1, event) for day, event in self.city.events(month, end)]
        events += [(day, 1, self.refresh) for day in REFRESH_DAYS if month <= day <= end]
        for day, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == 0:
                changed |= self.pay(item, day)
            else:
                changed |= item(day)
        if end == self.today or (changed and month in REFRESH_MONTHS):
            self.refresh(end)

    def refresh(self, day: dt.date) -> bool:
        """The daily job as it ran on ``day``."""
        with at(day, 23):
            allocation.mark_overdue(on=day)
            statuses.refresh_statuses(on=day)
        self.steps["status_refreshes"] += 1
        return False

    # --- agreements and rosters -----------------------------------------------------------

    def agreement(self, year: int) -> SponsorAgreement | None:
        if year not in self.agreements:
            found = SponsorAgreement.objects.filter(sponsor=self.sponsor, number=agreement_number(year)).first()
            if found is None:
                return None
            self.agreements[year] = found
        return self.agreements[year]

    def start_agreement(self, year: int) -> bool:
        changed = False
        agreement = self.agreement(year)
        size = self.workers if year == 2023 else 2 * self.workers
        if agreement is None:
            start, end = agreement_period(year)
            with at(start - dt.timedelta(days=14)):
                agreement = self._create_agreement(year, start, end, size)
            self.agreements[year] = agreement
            changed = True
            self.log(f"{agreement.number}: {start:%d-%m-%Y} – {end:%d-%m-%Y}, quota {size:,}, budget {agreement.budget:,}")
        previous = self.agreement(year - 1)
        if previous is not None and SponsorshipPeriod.objects.filter(agreement=previous, end_date__isnull=True).exists():
            with at(agreement.start_date, 8):
                moved = services.agreement_renew(actor=self.users.get("admin"), from_agreement=previous, to_agreement=agreement)
            self.steps["renewed"] += moved
            self.log(f"{agreement.number}: {moved:,} workers carried over from {previous.number}")
            changed = True
        if year in ROSTER_FILES:
            open_now = SponsorshipPeriod.objects.filter(agreement=agreement, end_date__isnull=True).count()
            if year == 2023:
                cohort = people.generate(self.workers, seed=self.seed, on=agreement.start_date)
            else:
                cohort = people.generate(max(size - open_now, 0), seed=self.seed + 1, on=agreement.start_date, serial_base=5000)
            with at(agreement.start_date - dt.timedelta(days=10)):
                changed |= self.import_roster(agreement, year, cohort)
        return changed

    def _create_agreement(self, year, start, end, size):
        return services.agreement_create(
            actor=self.users.get("admin"),
            sponsor=self.sponsor,
            number=agreement_number(year),
            start_date=start,
            end_date=end,
            budget=size * PREMIUM * 12,
            quota=size,
            billing_frequency=SponsorAgreement.Billing.QUARTERLY if year == 2023 else SponsorAgreement.Billing.MONTHLY,
            programs=("JKK", "JKM"),
            declared_income=DECLARED_INCOME,
            eligible_region_code="14.72",
        )

    def import_roster(self, agreement: SponsorAgreement, year: int, cohort: list) -> bool:
        name = ROSTER_FILES[year]
        if RosterImport.objects.filter(agreement=agreement, file_name=name, dry_run=False, status=RosterImport.Status.DONE).exists():
            return False
        directory = Path(settings.DATA_DIR) / "roster" / "demo"
        directory.mkdir(parents=True, exist_ok=True)
        path = people.write_xlsx(
            directory / name,
            cohort,
            title=f"DAFTAR PEKERJA RENTAN PENERIMA BANTUAN IURAN BPJS KETENAGAKERJAAN TAHUN {year}",
            subtitle=f"Program JKK dan JKM — sumber dana APBD Kota Dumai {year}",
            signed_on=agreement.start_date - dt.timedelta(days=11),
        )
        summary = roster.import_roster(path, agreement=agreement, actor=self.users.get("disnaker"), start=agreement.start_date, file_name=name)
        self.steps["enrolled"] += summary.enrolled
        self.log(f"{name}: {summary.rows:,} rows, {summary.enrolled:,} enrolled, {summary.rejected:,} rejected")
        return True

    # --- billing and payments -------------------------------------------------------------

    def bill(self, month: dt.date) -> bool:
        agreement = self.agreement_for(month)
        if agreement is None:
            return False
        if agreement.billing_frequency == SponsorAgreement.Billing.QUARTERLY and month.month not in (1, 4, 7, 10):
            return False
        if Invoice.objects.filter(agreement=agreement, period_start=month, sequence=1).exists():
            return False
        with at(month, 7):
            summary = billing.run_billing(period=month, sponsor=self.sponsor, today=month, segments=("sponsor",))
        self.steps["invoices"] += summary.created
        return summary.created > 0

    def agreement_for(self, month: dt.date) -> SponsorAgreement | None:
        year = month.year if month.month >= 10 else month.year - 1
        return self.agreement(year)

    def payments_due(self, month: dt.date, end: dt.date):
        """(day, invoice) of the city's payments falling in ``month`` up to ``end``."""
        out = []
        invoices = Invoice.objects.filter(sponsor=self.sponsor, kind=Invoice.Kind.REGULAR, period_start__lte=end).exclude(status=Invoice.Status.PAID)
        for invoice in invoices:
            day = LATE_PAYMENTS.get(invoice.period_start, invoice.period_start.replace(day=PAY_DAY))
            if invoice.period_start == self.today.replace(day=1) and day > self.today:
                day = self.today  # the current month is paid by today, so today's workers are covered
            if month <= day <= end:
                out.append((day, invoice))
        return out

    def pay(self, invoice: Invoice, day: dt.date) -> bool:
        reference = f"SP2D-DUMAI-{invoice.number}"
        if ContributionPayment.objects.filter(bank_reference=reference).exists():
            return False
        invoice.refresh_from_db()
        if invoice.outstanding <= 0:
            return False
        with at(day, 13):
            self._record(invoice, day, reference)
        self.steps["payments"] += 1
        return True

    def _record(self, invoice, day, reference):
        payments.record_payment(
            amount=invoice.outstanding,
            paid_on=day,
            reference=f"Pembayaran iuran pekerja rentan {invoice.number}",
            bank_reference=reference,
            invoice=invoice,
            method=ContributionPayment.Method.BANK,
            actor=self.users.get("keuangan"),
        )
