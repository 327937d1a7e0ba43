"""The yearly scholarships of the Dumai programme, through the payouts services as the branch works
them: each school year from the first decided claim that grants a scholarship up to today, the
officer opens the year (``open_school_year``, as ``lindung scholarships open --year``), records each
child's proof of enrolment (the school's letter, a one-page PDF, with the level and class the rules
engine's schedule gives for that year) and the child's account, the branch head approves the year
into a payment order, and finance pays the orders in a batch (made by one finance officer,
authorised by another, the bank's answer read back).

When: a school year is opened on ``OPEN_DAY`` of its first month (15 July), and on the day a claim
granting a scholarship is paid (its schedules are made with its payment orders), so that claim's
children are paid for the school year already running. Idempotent: an opened year opens nothing
more, and only the years still awaiting their proof are worked."""

from __future__ import annotations

import datetime as dt
import random

from lindung.demo.dumai.clock import at

OPEN_DAY = 15  # of the school year's first month


def open_day(year: int) -> dt.date:
    from lindung.payouts.scholarships import school_year_start

    return school_year_start(year).replace(day=OPEN_DAY)


def opened_years(since: dt.date, today: dt.date) -> list[int]:
    """The school years a schedule made on ``since`` is opened for by ``today``: the year running on
    ``since`` (opened that day) and every later year whose opening day has come."""
    from lindung.payouts.scholarships import current_school_year

    first, last = current_school_year(since), current_school_year(today)
    return [y for y in range(first, last + 1) if y == first or open_day(y) <= today]


def school_class(level: str, year_in_level: int) -> int:
    return {"SD": 0, "SMP": 6, "SMA": 9}.get(level, 0) + year_in_level


def projected(schedule, year: int) -> dict | None:
    """The rules engine's entry of ``schedule`` for school ``year`` (None: not in school that year)."""
    for entry in schedule.projected or []:
        if int(str(entry["school_year"])[:4]) == year and entry.get("amount"):
            return entry
    return None


class Scholarships:
    def __init__(self, replay):
        self.replay = replay

    def events(self, month: dt.date, end: dt.date) -> list:
        """(day, callable(day) -> changed): the opening of the school year starting in ``month``."""
        from lindung.payouts.scholarships import school_year_start

        year = month.year
        if school_year_start(year).replace(day=1) != month:
            return []
        day = open_day(year)
        return [(day, self.work)] if month <= day <= end and day <= self.replay.today else []

    def work(self, day: dt.date, hour: int = 8) -> bool:
        """Open the school year running on ``day`` for every active child, and work the years awaiting
        their proof: enrolment and proof (officer), approval (branch head), payment (finance)."""
        from lindung.payouts import services as payouts
        from lindung.payouts.models import ScholarshipSchedule, ScholarshipYear

        if not ScholarshipSchedule.objects.filter(status=ScholarshipSchedule.Status.ACTIVE).exists():
            return False
        year = payouts.current_school_year(day)
        officer, head = self.replay.users["petugas"], self.replay.users["kepala"]
        with at(day, hour):
            payouts.open_school_year(year, actor=officer, branch=officer.branch if officer.branch_id else None)
        waiting = list(
            ScholarshipYear.objects.filter(school_year=year, status=ScholarshipYear.Status.OPEN)
            .select_related("schedule__claim__participant__person", "schedule__heir")
            .order_by("pk")
        )
        if not waiting:
            return False
        orders = []
        for year_claim in waiting:
            schedule = year_claim.schedule
            entry = projected(schedule, year)
            with at(day, hour + 1):
                if entry is None:
                    payouts.record_not_in_school(year_claim, actor=officer)
                    continue
                self.enrolment(year_claim, entry, officer)
            with at(day, hour + 2):
                orders.append(payouts.approve_scholarship_year(year_claim, actor=head))
        if orders:
            from lindung.demo.dumai.cases import pay_orders

            pay_orders(self.replay, orders, day, note=f"Beasiswa tahun ajaran {year}/{year + 1}", hours=(hour + 3, hour + 4))
        return True

    def enrolment(self, year_claim, entry: dict, officer) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from lindung.demo.dumai.cases import one_page_pdf
        from lindung.payouts import services as payouts

        schedule = year_claim.schedule
        level, n = entry["level"], int(entry["year_in_level"])
        grade = school_class(level, n)
        school = {"TK": "TK Negeri Pembina", "SD": "SD Negeri 012", "SMP": "SMP Negeri 3", "SMA": "SMA Negeri 2"}.get(level, "Politeknik")
        school = f"{school} Dumai"
        rng = random.Random(f"scholarship-bank:{schedule.heir_id}")
        payouts.record_enrolment(
            year_claim,
            actor=officer,
            level=level,
            school_class=grade,
            year_in_level=n,
            school_name=school,
            bank_code="119",
            account_number=f"{rng.randint(10**9, 10**10 - 1)}",
            account_name=schedule.child_name,
        )
        title = f"Surat Keterangan Aktif Sekolah {year_claim.school_year}/{year_claim.school_year + 1}"
        lines = [f"a.n. {schedule.child_name}", f"{school}, {level} kelas/tahun {grade}", "(dokumen contoh - data demo Lindung)"]
        pdf = one_page_pdf(title, lines)
        payouts.attach_enrolment_proof(
            year_claim, actor=officer, upload=SimpleUploadedFile(f"aktif-sekolah-{year_claim.school_year}.pdf", pdf, "application/pdf")
        )
