"""Demo step: two self-paying BPU workers with families, a Dumai port company (PU, medium risk)
with five workers and three months of wage reports, and a construction project with three
workers. Idempotent: everything is keyed on NIK, NPP and project number."""

from __future__ import annotations

import datetime as dt

from lindung.membership import registration
from lindung.membership.models import Employer, Participant, Project, WageReport
from lindung.registry.models import Person
from lindung.registry.nik import make_nik

EMPLOYER_NPP = "DMI21001"
PROJECT_NUMBER = "JAKON-DMI-2024-001"

# (district, birth date, sex, serial, name, village, occupation, declared income, family)
BPU_WORKERS = [
    (
        "14.72.06",
        dt.date(1985, 4, 17),
        "M",
        8001,
        "Ahmad Fauzi",
        "14.72.06.1001",
        "Nelayan",
        1_500_000,
        [
            {"relation": "spouse", "full_name": "Nurhayati", "birth_date": dt.date(1988, 9, 2), "sex": "F"},
            {"relation": "child", "full_name": "Rizky Fauzi", "birth_date": dt.date(2012, 1, 20), "sex": "M", "school_level": "SMP"},
            {"relation": "child", "full_name": "Putri Fauzi", "birth_date": dt.date(2016, 6, 5), "sex": "F", "school_level": "SD"},
        ],
    ),
    (
        "14.72.03",
        dt.date(1990, 11, 3),
        "F",
        8002,
        "Siti Aminah",
        "14.72.03.1003",
        "Pedagang pasar",
        2_000_000,
        [
            {"relation": "spouse", "full_name": "Joko Susilo", "birth_date": dt.date(1987, 2, 14), "sex": "M"},
            {"relation": "child", "full_name": "Dewi Lestari", "birth_date": dt.date(2019, 3, 30), "sex": "F", "school_level": "TK"},
            {"relation": "parent", "full_name": "Hj. Maryam", "birth_date": dt.date(1960, 7, 7), "sex": "F"},
        ],
    ),
]

PU_WORKERS = [
    ("14.72.01", dt.date(1982, 2, 11), "M", 8101, "Hendra Gunawan", 5_200_000),
    ("14.72.01", dt.date(1991, 8, 23), "M", 8102, "Rudi Hartono", 4_300_000),
    ("14.72.02", dt.date(1995, 5, 9), "F", 8103, "Maya Sari", 4_100_000),
    ("14.72.06", dt.date(1988, 12, 1), "M", 8104, "Bambang Saputra", 3_900_000),
    ("14.72.04", dt.date(1999, 10, 15), "F", 8105, "Lina Marlina", 3_750_000),
]

PROJECT_WORKERS = [
    ("14.72.05", dt.date(1984, 3, 3), "M", 8201, "Yusuf Harahap"),
    ("14.72.05", dt.date(1993, 7, 19), "M", 8202, "Agus Salim"),
    ("14.72.03", dt.date(1997, 1, 27), "M", 8203, "Dedi Kurniawan"),
]


def load(context: dict) -> dict:
    branch = context.get("branch")
    today = dt.date.today()
    start = today.replace(day=1) - dt.timedelta(days=90)
    start = start.replace(day=1)
    out = {"bpu": [], "pu": [], "project": None}
    for district, birth, sex, serial, name, village, occupation, income, family in BPU_WORKERS:
        nik = make_nik(district, birth, sex, serial)
        existing = Participant.objects.filter(person__nik=nik, segment="BPU").first()
        if existing is None:
            person = Person.objects.filter(nik=nik).first() or {
                "nik": nik,
                "full_name": name,
                "birth_date": birth,
                "sex": sex,
                "region": village,
                "occupation": occupation,
                "address": f"Jl. Demo {serial}, Dumai",
                "family": family,
            }
            existing = registration.register_bpu(actor=None, person=person, declared_income=income, start_date=start, branch=branch)
        out["bpu"].append(existing.kpj_number)

    employer = Employer.objects.filter(npp=EMPLOYER_NPP).first() or registration.employer_create(
        actor=None,
        npp=EMPLOYER_NPP,
        name="PT Pelabuhan Samudera Dumai",
        risk_class="medium",
        region="14.72.06.1001",
        address="Jl. Datuk Laksamana, Dumai",
        phone="0765-31000",
        branch=branch,
    )
    new_workers = []
    for district, birth, sex, serial, name, wage in PU_WORKERS:
        nik = make_nik(district, birth, sex, serial)
        if not Participant.objects.filter(person__nik=nik, employer=employer).exists():
            new_workers.append(
                {"nik": nik, "full_name": name, "birth_date": birth, "sex": sex, "region": "14.72.06.1002", "wage": wage, "start_date": start}
            )
    if new_workers:
        registration.register_pu_workers(employer, new_workers, actor=None, branch=branch)
    workers = list(Participant.objects.filter(employer=employer, segment="PU").select_related("person"))
    wages = {make_nik(d, b, s, n): w for d, b, s, n, _name, w in PU_WORKERS}
    for months_back in (2, 1, 0):
        period = (today.replace(day=1) - dt.timedelta(days=28 * months_back)).replace(day=1)
        if period < start or WageReport.objects.filter(employer=employer, period=period).exists():
            continue
        rows = [
            registration.WageRow(i, w.kpj_number, wages.get(w.person.nik, w.wage) + 50_000 * (2 - months_back))
            for i, w in enumerate(workers, start=1)
        ]
        registration.record_wages(employer, period, rows, actor=None)
    out["pu"] = [w.kpj_number for w in workers]

    project = Project.objects.filter(number=PROJECT_NUMBER).first()
    if project is None:
        project = registration.register_project(
            actor=None,
            contractor=employer,
            number=PROJECT_NUMBER,
            name="Perluasan dermaga Pelabuhan Dumai",
            contract_value=750_000_000,
            start_date=start,
            end_date=start + dt.timedelta(days=270),
            region="14.72.06.1001",
            branch=branch,
            workers=[
                {"nik": make_nik(d, b, s, n), "full_name": name, "birth_date": b, "sex": s, "region": "14.72.05.1001"}
                for d, b, s, n, name in PROJECT_WORKERS
            ],
        )
    out["project"] = project.number
    return out
