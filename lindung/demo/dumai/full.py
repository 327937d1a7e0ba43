"""``lindung demo dumai --full``: the city-wide layer, so that every segment of Dumai's some 70,000
participants (2023) appears beside the sponsored vulnerable workers — through the real services:

- PU employers (penerima upah) registered by the branch officer (``employer_create``) with their
  wage earners, each employer's list at once (``registration.lists.register_pu_list``, set-based
  like the roster import): the city government itself for its non-ASN staff (5,300
  of 70,000), the port, the refinery, palm-oil mills and refineries, the hospitals, banks, hotels,
  shops and workshops of the city;
- a few construction projects (jasa konstruksi, ``register_project``, their workers' list with
  ``register_project_list``), their premium on the contract value billed once and paid;
- self-paying BPU workers (one list, ``register_bpu_list``) who prepay twelve months (``prepay``) and pay at the
  bank, read from the bank's statement (``import_bank_statement``).

Each month from the layer's start the employers and projects are billed (``run_billing``) and every
invoice paid by bank transfer on the 11th (``record_payment``), so today's wage earners are covered.

The layer is taken on in Lindung twelve months before today's month (``since``: a city's
participants migrated from the previous system, their cover from that month): its cost grows with
the months billed, and twelve keep ``--full`` buildable on a laptop. Its size is ``--full-size``
(all participants of the city, the sponsored workers included; default 70,000); its shares follow
the published figures. Deterministic for ``--seed``; resumable like the rest of the replay."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from lindung.contributions.models import ContributionPayment, Invoice
from lindung.demo.dumai import people
from lindung.demo.dumai.clock import at
from lindung.demo.dumai.story import PROGRAMME_START
from lindung.membership.models import Employer, Participant, Project
from lindung.rules.months import add_months, months_apart

CITY_SIZE = 70_000
NON_ASN_SHARE = 5_300 / 70_000
CITY_NPP = "DUMAI0001"  # Pemerintah Kota Dumai as an employer (non-ASN staff)
HISTORY_MONTHS = 12
PAY_DAY = 11

# (NPP, name, risk class, workers' share of the other PU workers, wage range)
EMPLOYERS = [
    ("PLDUMAI01", "PT Pelabuhan Indonesia (Persero) Regional 1 Dumai", "high", 0.06, (4_500_000, 9_000_000)),
    ("KPIRU2DMI", "PT Kilang Pertamina Internasional RU II Dumai", "very_high", 0.10, (6_000_000, 15_000_000)),
    ("WILMARDMI", "PT Wilmar Nabati Indonesia Dumai", "high", 0.08, (3_600_000, 7_000_000)),
    ("SARIDUMAI", "PT Sari Dumai Sejati", "high", 0.05, (3_600_000, 6_500_000)),
    ("INTIBENUA", "PT Inti Benua Perkasatama", "high", 0.04, (3_600_000, 6_000_000)),
    ("RSUDDUMAI", "RSUD Kota Dumai (tenaga BLUD)", "low", 0.03, (3_600_000, 8_000_000)),
    ("RSPERTDMI", "RS Pertamina Dumai", "low", 0.02, (3_800_000, 9_000_000)),
    ("BRKSDUMAI", "PT Bank Riau Kepri Syariah Cabang Dumai", "very_low", 0.01, (5_000_000, 12_000_000)),
    ("PLNUP3DMI", "PT PLN (Persero) UP3 Dumai", "medium", 0.02, (4_500_000, 10_000_000)),
    ("PELINDOTK", "PT Pelindo Terminal Petikemas Dumai", "high", 0.02, (4_000_000, 8_000_000)),
]
SMALL_KINDS = [
    ("CV", "Bengkel", "medium"),
    ("Toko", "Bangunan", "low"),
    ("PT", "Ekspedisi", "medium"),
    ("CV", "Perikanan", "high"),
    ("Hotel", "", "low"),
    ("PT", "Perkebunan", "high"),
    ("Koperasi", "Nelayan", "medium"),
    ("PT", "Pergudangan", "medium"),
    ("CV", "Rumah Makan", "very_low"),
    ("Minimarket", "", "very_low"),
]
SMALL_NAMES = [
    "Sinar Laut",
    "Bahari",
    "Putri Tujuh",
    "Selat Rupat",
    "Bukit Jin",
    "Pangkalan",
    "Mandau",
    "Sri Dumai",
    "Lancang Kuning",
    "Datuk Laksamana",
]
PROJECTS = [
    ("JK-DMI-2401", "Pembangunan Jalan Lingkar Pelintung", 48_000_000_000, 0.40),
    ("JK-DMI-2402", "Rehabilitasi Dermaga Pelabuhan Rakyat Dumai", 12_500_000_000, 0.20),
    ("JK-DMI-2403", "Pembangunan Gedung RSUD Kota Dumai Tahap II", 27_300_000_000, 0.25),
    ("JK-DMI-2404", "Normalisasi Sungai Dumai", 6_800_000_000, 0.15),
]
OCCUPATION_PU = ["Operator", "Staf administrasi", "Teknisi", "Pengemudi", "Petugas keamanan", "Buruh pabrik", "Perawat", "Kasir"]
OCCUPATION_NON_ASN = ["Tenaga honorer", "Petugas kebersihan", "Staf administrasi", "Guru honorer", "Petugas Satpol PP"]
OCCUPATION_JAKON = ["Tukang batu", "Tukang besi", "Mandor", "Operator alat berat", "Buruh bangunan"]


@dataclass(frozen=True)
class Sizes:
    non_asn: int
    pu: int
    jakon: int
    bpu: int

    @property
    def total(self) -> int:
        return self.non_asn + self.pu + self.jakon + self.bpu


def sizes(full_size: int, sponsored: int) -> Sizes:
    """The layer's segments for a city of ``full_size`` participants of whom ``sponsored`` are the
    sponsored vulnerable workers: non-ASN staff at 5,300 / 70,000 of the city, construction workers
    10% and self-paying BPU workers 5% of the rest, the other wage earners what remains."""
    rest = max(full_size - sponsored, 0)
    non_asn = min(round(full_size * NON_ASN_SHARE), rest)
    others = rest - non_asn
    jakon, bpu = round(others * 0.10), round(others * 0.05)
    return Sizes(non_asn=non_asn, pu=others - jakon - bpu, jakon=jakon, bpu=bpu)


def is_built() -> bool:
    return Employer.objects.filter(npp=CITY_NPP).exists()


def layer_since(today: dt.date) -> dt.date:
    """The month the layer's cover starts: its registration's, once built; else twelve months
    before today's month (not before the programme)."""
    found = Participant.objects.filter(employer__npp=CITY_NPP).order_by("start_date").values_list("start_date", flat=True).first()
    if found:
        return found
    return max(add_months(today.replace(day=1), -(HISTORY_MONTHS - 1)), PROGRAMME_START)


def split(workers: list, shares: list[float]) -> list[list]:
    """``workers`` cut into consecutive groups by ``shares`` (the last takes the remainder)."""
    total, out, start = sum(shares), [], 0
    for i, share in enumerate(shares):
        end = len(workers) if i == len(shares) - 1 else start + round(len(workers) * share / total)
        out.append(workers[start:end])
        start = end
    return out


class CityWide:
    def __init__(self, replay, *, full_size: int):
        self.replay = replay
        self.full_size = full_size
        self.since = layer_since(replay.today)
        self.rng = random.Random(replay.seed * 31 + 70)

    def events(self, month: dt.date, end: dt.date) -> list:
        """(day, callable(day) -> changed) of the layer in ``month``: registration before its first
        month, billing on the 1st, payments on the 11th (today for the current month), the
        self-paying workers' yearly prepayment."""
        if month < self.since:
            return []
        out = []
        if month == self.since:
            out.append((month, self.register))
        out.append((month, self.bill))
        if months_apart(self.since, month) % HISTORY_MONTHS == 0:
            out.append((month, self.prepay))
        day = month.replace(day=PAY_DAY)
        if day > self.replay.today and month == self.replay.today.replace(day=1):
            day = self.replay.today
        if day <= end:
            out.append((day, self.pay))
        return out

    # --- registration -------------------------------------------------------------------------

    def register(self, day: dt.date) -> bool:
        if is_built():
            return False
        from lindung.membership.registration import employers as employer_service
        from lindung.membership.registration import lists
        from lindung.membership.registration import projects as project_service

        replay = self.replay
        officer = replay.users["petugas"]
        # the city's participants are ``full_size`` with the sponsored workers registered so far
        size = sizes(self.full_size, Participant.objects.filter(agreement__isnull=False).count())
        cohort = people.generate(size.total, seed=replay.seed + 70, on=self.since, serial_base=8000)
        non_asn, pu, jakon, bpu = split(cohort, [size.non_asn, size.pu, size.jakon, size.bpu])
        start = self.since
        with at(start - dt.timedelta(days=5), 9):
            city = employer_service.employer_create(
                actor=officer,
                npp=CITY_NPP,
                name="Pemerintah Kota Dumai (tenaga non-ASN)",
                risk_class="very_low",
                region="14.72",
                address="Jl. Tuanku Tambusai, Dumai",
            )
            self._workers(city, non_asn, start, (2_500_000, 4_200_000), OCCUPATION_NON_ASN, officer)
            big = [
                employer_service.employer_create(actor=officer, npp=n, name=name, risk_class=r, region="14.72") for n, name, r, _s, _w in EMPLOYERS
            ]
            shares = [s for *_x, s, _w in EMPLOYERS]
            small_count = max(1, len(pu) // 150)
            small = []
            for i in range(small_count):
                kind, trade, risk = SMALL_KINDS[i % len(SMALL_KINDS)]
                name = " ".join(x for x in (kind, trade, SMALL_NAMES[(i // len(SMALL_KINDS)) % len(SMALL_NAMES)]) if x)
                small.append(
                    employer_service.employer_create(actor=officer, npp=f"DMI{i + 1:05d}", name=f"{name} {i + 1}", risk_class=risk, region="14.72")
                )
            groups = split(pu, shares + [1 - sum(shares)])
            for employer, group, (*_x, wages) in zip(big, groups, EMPLOYERS, strict=False):
                self._workers(employer, group, start, wages, OCCUPATION_PU, officer)
            for employer, group in zip(small, split(groups[-1], [1] * len(small)), strict=True):
                self._workers(employer, group, start, (3_500_000, 5_000_000), OCCUPATION_PU, officer)
            contractor = employer_service.employer_create(
                actor=officer, npp="WIKADUMAI", name="PT Wijaya Karya (Persero) Proyek Dumai", risk_class="very_high", region="14.72"
            )
            for (number, name, value, _share), group in zip(PROJECTS, split(jakon, [s for *_x, s in PROJECTS]), strict=True):
                project = project_service.register_project(
                    actor=officer,
                    contractor=contractor,
                    number=number,
                    name=name,
                    contract_value=value,
                    start_date=start,
                    end_date=add_months(start, 24) - dt.timedelta(days=1),
                    region="14.72",
                )
                if group:
                    lists.register_project_list(project, [self._person(w, OCCUPATION_JAKON) for w in group], actor=officer)
            if bpu:
                incomes = [1_000_000, 1_500_000, 2_000_000, 3_000_000]
                rows = [{**self._person(w, None), "declared_income": self.rng.choice(incomes), "start_date": start} for w in bpu]
                lists.register_bpu_list(rows, actor=officer)
        self.replay.steps["city_wide"] = size.total
        self.replay.log(
            f"city-wide layer from {start:%d-%m-%Y}: {size.non_asn:,} non-ASN, {size.pu:,} PU, {size.jakon:,} construction, {size.bpu:,} BPU"
        )
        return True

    def _person(self, w: people.Worker, occupations: list[str] | None) -> dict:
        return {
            "nik": w.nik,
            "full_name": w.full_name,
            "birth_date": w.birth_date,
            "sex": w.sex,
            "region": w.village,
            "address": w.address,
            "occupation": self.rng.choice(occupations) if occupations else w.occupation,
            "phone": w.phone,
        }

    def _workers(self, employer, group, start, wages, occupations, officer) -> None:
        """The employer's worker list, registered at once (``lists.register_pu_list``)."""
        if not group:
            return
        from lindung.membership.registration import lists

        low, high = wages
        rows = [{**self._person(w, occupations), "wage": self.rng.randrange(low, high, 50_000), "start_date": start} for w in group]
        lists.register_pu_list(employer, rows, actor=officer)

    # --- contributions ------------------------------------------------------------------------

    def bill(self, day: dt.date) -> bool:
        from lindung.contributions import billing

        with at(day, 7):
            summary = billing.run_billing(period=day, today=day, segments=("employer", "project"))
        self.replay.steps["invoices"] += summary.created
        return summary.created > 0

    def prepay(self, day: dt.date) -> bool:
        """Self-paying workers prepay twelve months at the branch's counter, and pay at the bank on
        the 5th (one bank statement)."""
        from lindung.contributions import bank_statements, billing

        workers = Participant.objects.filter(segment="BPU", agreement__isnull=True, start_date__lte=day).exclude(status=Participant.Status.ENDED)
        billed = set(Invoice.objects.filter(payer_type="self", period_start=day).values_list("participant_id", flat=True))
        made = []
        with at(day, 8):
            for participant in workers.order_by("pk"):
                if participant.pk not in billed:
                    made.append(
                        billing.prepay(participant=participant, first_month=day, months=HISTORY_MONTHS, actor=self.replay.users["petugas"], today=day)
                    )
        if not made:
            return False
        paid_on = min(day.replace(day=5), self.replay.today)
        rows = "".join(f"{paid_on:%Y-%m-%d},{i.total},{i.number},BPU-{i.number}\r\n" for i in made)
        with at(paid_on, 12):
            bank_statements.import_bank_statement(
                content=f"date,amount,reference,bank_reference\r\n{rows}".encode(),
                file_name=f"mutasi-bpu-{day:%Y%m}.csv",
                actor=self.replay.users["keuangan"],
                today=paid_on,
            )
        self.replay.steps["payments"] += len(made)
        return True

    def pay(self, day: dt.date) -> bool:
        from lindung.contributions import payments

        due = Invoice.objects.filter(kind=Invoice.Kind.REGULAR, payer_type__in=("employer", "project"), period_start__lte=day).exclude(
            status__in=(Invoice.Status.PAID, Invoice.Status.CANCELLED)
        )
        changed = False
        for invoice in due.order_by("pk"):
            reference = f"TRF-{invoice.number}"
            if invoice.outstanding <= 0 or ContributionPayment.objects.filter(bank_reference=reference).exists():
                continue
            with at(day, 13):
                payments.record_payment(
                    amount=invoice.outstanding,
                    paid_on=day,
                    reference=f"Iuran {invoice.number}",
                    bank_reference=reference,
                    invoice=invoice,
                    method=ContributionPayment.Method.BANK,
                    actor=self.replay.users["keuangan"],
                )
            self.replay.steps["payments"] += 1
            changed = True
        return changed


def counts() -> dict[str, int]:
    """Participants of the city by segment (for the check and the log)."""
    from django.db.models import Count

    rows = Participant.objects.exclude(status=Participant.Status.ENDED).values("segment").annotate(n=Count("pk"))
    return {r["segment"]: r["n"] for r in rows}


__all__ = ["CITY_SIZE", "CityWide", "Project", "counts", "is_built", "sizes"]
