"""The deaths and claims of the Dumai programme, through the claims services as the branch works them.

The 14 cases of the hand-over on Thursday 21 March 2024 (deaths among the first roster's workers,
October 2023 – March 2024), with the statuses published that day:

- 12 JKM deaths: 4 paid (reported, claimed by the spouse, documents checked, verified by the
  verifier, approved by the branch head — the kernel's maker-checker — ready for payment), 8 awaiting
  their heirs' claim (reported by the branch or by Disnaker; the heirs are known from the family card);
- 1 death from a work accident (JKK): a fisher lost at sea, stage-I report, claim verified and
  waiting for the branch head on that day;
- 1 heir who moved to North Sumatra: the claim opened at Dumai and transferred to the Medan branch.

After the hand-over the programme goes on: a death every other month among the city's workers,
claimed by the heirs and decided within days (the latest still awaiting its claim).

Each step runs at its day of the story (``clock.at``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from lindung.accounts.models import Branch
from lindung.claims import heirs as heirs_service
from lindung.claims import intake, services
from lindung.claims.models import Claim, ClaimDocument, ClaimStatus
from lindung.demo.dumai.clock import at
from lindung.demo.dumai.people import MEN, SURNAMES_FEMALE, SURNAMES_MALE, WOMEN
from lindung.demo.dumai.story import LATE_PAYMENTS, PROGRAMME_START, STORY_DAY
from lindung.membership.models import Participant, RosterImport
from lindung.registry import services as registry
from lindung.registry.models import Region
from lindung.rules.months import add_months

D = dt.date
MEDAN_BRANCH = "MEDAN"
HANDOVER_OFFICIALS = [
    {"role": "Wali Kota Dumai", "name": "H. Faisal, SKM, MARS"},
    {"role": "Kepala Dinas Tenaga Kerja Kota Dumai", "name": "Satrio Wibowo"},
    {"role": "Kepala BPJS Ketenagakerjaan Cabang Dumai", "name": "Legi Handoko Pasaribu"},
]


@dataclass(frozen=True)
class Case:
    key: str
    kind: str  # paid | awaiting | jkk | transferred | later
    death: dt.date
    reported: dt.date
    claimed: dt.date | None = None
    verified: dt.date | None = None
    approved: dt.date | None = None
    transferred: dt.date | None = None
    reporter: str = "petugas"
    occupation: str | None = None
    ages: tuple[int, int] | None = None  # the worker's age at death (a father of school children)


STORY_CASES = [
    # claimed (opened and submitted) on a Monday, verified and approved the next day, paid the day after:
    # within the 3 working days the regulation allows, so no late compensation is owed.
    Case("paid-1", "paid", D(2023, 10, 17), D(2023, 10, 19), D(2023, 11, 6), D(2023, 11, 7), D(2023, 11, 7)),
    Case("paid-2", "paid", D(2023, 11, 4), D(2023, 11, 7), D(2023, 11, 20), D(2023, 11, 21), D(2023, 11, 21)),
    Case("paid-3", "paid", D(2023, 11, 28), D(2023, 12, 1), D(2023, 12, 18), D(2023, 12, 19), D(2023, 12, 19)),
    Case("paid-4", "paid", D(2023, 12, 14), D(2023, 12, 15), D(2024, 1, 15), D(2024, 1, 16), D(2024, 1, 16)),
    Case("awaiting-1", "awaiting", D(2023, 11, 12), D(2023, 11, 16), reporter="disnaker"),
    Case("awaiting-2", "awaiting", D(2023, 12, 3), D(2023, 12, 6)),
    Case("awaiting-3", "awaiting", D(2023, 12, 22), D(2023, 12, 28), reporter="disnaker"),
    Case("awaiting-4", "awaiting", D(2024, 1, 9), D(2024, 1, 11)),
    Case("awaiting-5", "awaiting", D(2024, 1, 27), D(2024, 2, 1), reporter="disnaker"),
    Case("awaiting-6", "awaiting", D(2024, 2, 11), D(2024, 2, 14)),
    Case("awaiting-7", "awaiting", D(2024, 2, 26), D(2024, 3, 1), reporter="disnaker"),
    Case("awaiting-8", "awaiting", D(2024, 3, 8), D(2024, 3, 12)),
    # JKK: 7 working days from a complete application (Friday 15 March) — verified on the 19th, approved
    # the day after the hand-over.
    # The fisher leaves children at school: their yearly scholarship (JKK: no 3-year condition).
    Case("jkk", "jkk", D(2023, 12, 5), D(2023, 12, 6), D(2024, 3, 15), D(2024, 3, 19), D(2024, 3, 22), occupation="Nelayan", ages=(36, 42)),
    Case("transferred", "transferred", D(2024, 1, 20), D(2024, 1, 24), D(2024, 2, 5), transferred=D(2024, 3, 4)),
]


def later_cases(today: dt.date) -> list[Case]:
    """A death every other month from May 2024 to the month before today, claimed within a month
    (the last one still awaiting its claim)."""
    out = []
    month = D(2024, 5, 1)
    n = 0
    while add_months(month, 1) <= today.replace(day=1):
        while month in LATE_PAYMENTS:  # a death in a month the city paid late waits for the arrears; not in this replay
            month = add_months(month, 1)
        n += 1
        death = month.replace(day=3 + (n * 7) % 20)
        reported = death + dt.timedelta(days=3)
        claimed = death + dt.timedelta(days=18)
        while claimed.weekday() > 2:  # Monday to Wednesday, so the next day is a working day
            claimed += dt.timedelta(days=1)
        if claimed < today and add_months(month, 2) <= today.replace(day=1):
            decided = claimed + dt.timedelta(days=1)
            out.append(Case(f"later-{n}", "later", death, reported, claimed, decided, decided))
        else:
            out.append(Case(f"later-{n}", "awaiting", death, reported))
        month = add_months(month, 2)
    return out


class Cases:
    def __init__(self, replay):
        self.replay = replay
        self.rng = random.Random(replay.seed * 7 + 14)
        self._pool: list[int] | None = None
        self.cases = STORY_CASES + later_cases(replay.today)

    # --- scheduling -------------------------------------------------------------------------

    def events(self, month: dt.date, end: dt.date) -> list:
        """(day, callable(day) -> changed) of the month's reports, claims and decisions."""
        out = []
        for case in self.cases:
            for day, step in (
                (case.reported, self.report),
                (case.claimed, self.claim),
                (case.verified, self.verify),
                (case.approved, self.approve),
                (case.transferred, self.transfer),
                (case.approved + dt.timedelta(days=1) if case.approved else None, self.pay),
            ):
                if day is not None and month <= day <= end and day <= self.replay.today:
                    out.append((day, _bind(step, case)))
        if month <= STORY_DAY <= end and self.replay.today >= STORY_DAY:
            out.append((STORY_DAY, self.handover))
        return out

    # --- who ----------------------------------------------------------------------------------

    def user(self, name: str):
        return self.replay.users[name]

    def participant(self, case: Case) -> Participant:
        """The worker of ``case``: drawn once, deterministically, from the first roster (story cases) or
        from every worker sponsored on the day (later cases)."""
        existing = self.claim_of(case)
        if existing is not None:
            return existing.participant
        first = RosterImport.objects.filter(sponsor=self.replay.sponsor, dry_run=False).order_by("pk").first()
        qs = Participant.objects.filter(sponsor=self.replay.sponsor, status__in=("active", "grace"), start_date__lte=case.death)
        if case.kind != "later" and case.death <= STORY_DAY:
            qs = qs.filter(sponsorships__import_batch=first)
        if case.ages:
            young, old = case.ages
            of_age = qs.filter(
                person__birth_date__gt=case.death.replace(year=case.death.year - old - 1),
                person__birth_date__lte=case.death.replace(year=case.death.year - young),
            )
            qs = of_age if of_age.exists() else qs
        ids = sorted(qs.filter(person__occupation=case.occupation).values_list("pk", flat=True)) if case.occupation else []
        ids = ids or sorted(qs.values_list("pk", flat=True))
        rng = random.Random(f"{self.replay.seed}:{case.key}")
        return Participant.objects.select_related("person").get(pk=ids[rng.randrange(len(ids))])

    def claim_of(self, case: Case) -> Claim | None:
        """The case's claim: every case dies on a day of its own."""
        program = "JKK" if case.kind == "jkk" else "JKM"
        return Claim.objects.filter(sponsor=self.replay.sponsor, event_date=case.death, program=program, outcome="death").first()

    # --- steps --------------------------------------------------------------------------------

    def report(self, case: Case, day: dt.date) -> bool:
        if self.claim_of(case) is not None:
            return False
        participant = self.participant(case)
        with at(day, 9):
            self.family(participant, case)
            reporter = self.user(case.reporter)
            if case.kind == "jkk":
                accident = dt.datetime.combine(case.death, dt.time(5, 30), tzinfo=timezone.get_current_timezone())
                claim = intake.report_accident(
                    participant,
                    actor=reporter,
                    accident_at=accident,
                    place="Perairan Selat Rupat, lepas pantai Dumai",
                    description="Perahu motor terbalik dihantam ombak saat melaut; korban ditemukan meninggal dunia oleh nelayan lain.",
                    reported_at=accident + dt.timedelta(hours=20),
                )
                intake.record_accident_death(claim, actor=reporter, death_date=case.death)
            else:
                who = "Disnaker Kota Dumai" if case.reporter == "disnaker" else "kelurahan"
                intake.report_death(participant, actor=reporter, death_date=case.death, note=f"Dilaporkan oleh {who}")
        return True

    def family(self, participant: Participant, case: Case) -> None:
        """The worker's family from the family card (KK), on the register before the death is reported."""
        person = participant.person
        if person.family.exists():
            return
        rng = random.Random(f"family:{case.key}:{person.nik}")
        spouse_sex = "F" if person.sex == "M" else "M"
        spouse_birth = person.birth_date + dt.timedelta(days=rng.randint(-4 * 365, 6 * 365))
        surname = person.full_name.split()[-1] if len(person.full_name.split()) > 1 else ""
        spouse_first = rng.choice(WOMEN if spouse_sex == "F" else MEN).replace("Hj.", "Hj. ")
        spouse_last = rng.choice(SURNAMES_FEMALE if spouse_sex == "F" else SURNAMES_MALE)
        district = participant.person.region_id[:8] if participant.person.region_id else "14.72.01"
        from lindung.registry.nik import make_nik

        spouse_nik = make_nik(district, spouse_birth, spouse_sex, 7000 + rng.randint(1, 999))
        officer = self.user("petugas")
        registry.family_member_add(
            person,
            actor=officer,
            relation="spouse",
            full_name=f"{spouse_first} {spouse_last}",
            nik=spouse_nik,
            birth_date=spouse_birth,
            sex=spouse_sex,
            phone=f"0812{rng.randint(10**7, 10**8 - 1)}",
        )
        age_at_marriage = person.birth_date + dt.timedelta(days=365 * rng.randint(20, 27))
        for i in range(rng.choice([1, 2, 2, 3])):
            birth = age_at_marriage + dt.timedelta(days=365 * (1 + 3 * i) + rng.randint(0, 300))
            if birth >= case.death:
                break
            sex = rng.choice("MF")
            age = (case.death - birth).days // 365
            level = "" if age < 5 else "SD" if age < 12 else "SMP" if age < 15 else "SMA" if age < 18 else ""
            registry.family_member_add(
                person,
                actor=officer,
                relation="child",
                full_name=f"{rng.choice(MEN if sex == 'M' else WOMEN).replace('Hj.', 'Siti')} {surname}".strip(),
                birth_date=birth,
                sex=sex,
                school_level=level,
            )

    def claim(self, case: Case, day: dt.date) -> bool:
        claim = self.claim_of(case)
        if claim is None or claim.status != ClaimStatus.REPORTED:
            return False
        officer = self.user("petugas")
        with at(day, 10):
            spouse = claim.heirs.filter(relation="spouse").first()
            services.open_claim(
                claim,
                actor=officer,
                claimant_name=spouse.full_name if spouse else claim.participant.person.full_name,
                claimant_relation="spouse" if spouse else "",
                claimant_phone=(spouse.phone if spouse else "")[:20],
                funeral_arranger=spouse.full_name if spouse else "",
            )
            if case.kind == "transferred":
                return True
            heir = spouse or claim.heirs.filter(entitled=True).order_by("pk").first()
            rng = random.Random(f"bank:{case.key}")
            heirs_service.set_payees(
                claim,
                [{"kind": "heir", "heir": heir.pk, "share": 10_000, "bank_code": "119", "account_number": f"{rng.randint(10**9, 10**10 - 1)}"}],
                actor=officer,
            )
            self.documents(claim, officer)
            services.take_step(claim, "submit", actor=officer)
        return True

    def documents(self, claim: Claim, officer) -> None:
        upload_scans(claim, officer)

    def verify(self, case: Case, day: dt.date) -> bool:
        claim = self.claim_of(case)
        if claim is None or claim.status != ClaimStatus.SUBMITTED:
            return False
        verifier = self.user("verifikator")
        with at(day, 11):
            for doc in claim.documents.filter(check_result=ClaimDocument.Check.PENDING):
                services.check_document(claim, actor=verifier, document_id=doc.pk, accepted=True)
            services.take_step(claim, "verify", actor=verifier)
        return True

    def approve(self, case: Case, day: dt.date) -> bool:
        claim = self.claim_of(case)
        if claim is None or claim.status != ClaimStatus.VERIFIED:
            return False
        with at(day, 14):
            services.take_step(claim, "approve", actor=self.user("kepala"))
        return True

    def pay(self, case: Case, day: dt.date) -> bool:
        """Finance pays a claim ready for payment: its orders in a batch made by one finance officer
        and authorised by another, exported as the bank's bulk-transfer CSV, and the bank's answer
        read back the same day (every transfer done)."""
        from lindung.payouts import services as payouts
        from lindung.payouts.models import PaymentOrder

        claim = self.claim_of(case)
        if claim is None or claim.status != ClaimStatus.READY or PaymentOrder.objects.filter(claim=claim).exists():
            return False
        with at(day, 9):
            orders = payouts.create_orders_for_claim(claim, actor=self.user("keuangan"), on=day)
        pay_orders(self.replay, orders, day, note=f"Santunan {claim.number}")
        if claim.scholarship_schedules.exists():  # its children are paid for the school year already running
            self.replay.scholarships.work(day, hour=16)
        return True

    def handover(self, day: dt.date) -> bool:
        """The hand-over of Thursday 21 March 2024 at the Dumai branch: the 12 JKM cases (4 paid,
        8 computed and awaiting their heirs' claim) with the mayor, the head of Disnaker and the branch head."""
        from lindung.payouts import services as payouts
        from lindung.payouts.models import HandoverEvent

        if HandoverEvent.objects.filter(date=day, branch=self.replay.branch).exists():
            return False
        claims = [
            c
            for c in (self.claim_of(case) for case in STORY_CASES if case.kind in ("paid", "awaiting"))
            if c is not None and not c.transfers.exists()
        ]
        if not claims:
            return False
        with at(day, 10):
            payouts.create_handover_event(
                actor=self.user("keuangan"),
                title="Penyerahan Santunan Jaminan Sosial Ketenagakerjaan untuk Ahli Waris Pekerja Rentan Kota Dumai",
                date=day,
                place="Ruang Rapat BPJS Ketenagakerjaan Kantor Cabang Dumai",
                claims=claims,
                officials=HANDOVER_OFFICIALS,
                branch=self.replay.branch,
                note=(
                    "Diserahkan secara simbolis. Dari 14 kasus per 21 Maret 2024: 12 santunan JKM dalam daftar ini "
                    "(4 telah dibayar, 8 ahli waris diundang melengkapi klaimnya), 1 kematian akibat kecelakaan kerja (JKK) "
                    "dalam proses, 1 ahli waris pindah ke Sumatera Utara (klaim dialihkan ke kantor cabang Medan)."
                ),
            )
        return True

    def transfer(self, case: Case, day: dt.date) -> bool:
        claim = self.claim_of(case)
        if claim is None or claim.transfers.exists():
            return False
        with at(day, 10):
            services.transfer_claim(
                claim,
                actor=self.user("petugas"),
                to_branch=medan_branch(),
                reason="Ahli waris pindah domisili ke Medan, Sumatera Utara",
            )
        return True


def pay_orders(replay, orders, day: dt.date, *, note: str, hours: tuple[int, int] = (9, 15)) -> None:
    """Finance pays ``orders``: a batch made by one finance officer and authorised by another,
    exported as the bank's bulk-transfer CSV, and the bank's answer read back the same day (every
    transfer done)."""
    from lindung.payouts import services as payouts

    finance, second = replay.users["keuangan"], replay.users["bendahara"]
    with at(day, hours[0]):
        batch = payouts.create_batch(orders, actor=finance, execution_date=day, note=note)
        payouts.authorise_batch(batch, actor=second)
        b"".join(payouts.export_csv(batch, actor=finance))
        batch.refresh_from_db()
    with at(day, hours[1]):
        rows = "".join(f"{o.number},BERHASIL,{o.amount},BRK{day:%y%m%d}{o.pk:06d},{day:%Y-%m-%d}\r\n" for o in orders)
        answer = f"reference,status,amount,bank_reference,date\r\n{rows}".encode()
        payouts.import_bank_answer(batch, answer, actor=finance, filename=f"hasil-transfer-{batch.pk}.csv", today=day)


def medan_branch() -> Branch:
    """The receiving branch office in North Sumatra (with its region when the national list is loaded)."""
    branch, _ = Branch.objects.get_or_create(
        code=MEDAN_BRANCH,
        defaults={"name": "Kantor Cabang Medan", "region": Region.objects.filter(code="12.71").first(), "address": "Jl. Pemuda, Medan"},
    )
    return branch


def upload_scans(claim: Claim, officer) -> None:
    """The required documents of the checklist, scanned at intake and uploaded through the claims
    service (a one-page PDF each, naming the document and the deceased)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lindung.claims import documents

    for item in documents.checklist(claim):
        if item.required and not item.uploaded:
            pdf = _scan(str(item.label), claim)
            services.upload_document(claim, actor=officer, code=item.code, upload=SimpleUploadedFile(f"{item.code}.pdf", pdf, "application/pdf"))


def _scan(title: str, claim: Claim) -> bytes:
    """A stand-in for a scanned document: one A5 page with its title and the deceased's name."""
    person = claim.participant.person
    return one_page_pdf(title, [f"a.n. {person.full_name}", f"KPJ {claim.participant.kpj_number}", "(dokumen contoh - data demo Lindung)"])


def one_page_pdf(title: str, lines: list[str]) -> bytes:
    """One A5 page: a title and a few lines (a stand-in for a scan)."""
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))  # A5
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, title.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    text = "\n".join(lines).encode("latin-1", "replace").decode("latin-1")
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _bind(step, case):
    return lambda day: step(case, day)


__all__ = ["PROGRAMME_START", "STORY_CASES", "Cases", "later_cases", "medan_branch", "one_page_pdf", "pay_orders"]
