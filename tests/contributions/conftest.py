"""Contributions fixtures: agreements, sponsored and self-paying workers, employers, built with
the ORM (bulk) so the suite does not depend on the roster import."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.membership.models import Employer, Participant, SponsorAgreement, SponsorshipPeriod
from lindung.registry.models import Person

D = dt.date


@pytest.fixture
def make_agreement(sponsors):
    def make(sponsor="dumai", number="PKS-DUMAI-2023", start=D(2023, 10, 1), end=D(2024, 12, 31), billing="quarterly", quota=10000):
        return SponsorAgreement.objects.create(
            sponsor=sponsors[sponsor],
            number=number,
            start_date=start,
            end_date=end,
            programs=["JKK", "JKM"],
            declared_income=1_000_000,
            budget=2_000_000_000,
            quota=quota,
            billing_frequency=billing,
        )

    return make


_counter = {"n": 0}


@pytest.fixture
def make_workers(branch):
    """``make_workers(n, agreement=..., start=...)`` bulk-creates persons, participants and
    sponsorship periods (or self-paying BPU workers without an agreement)."""

    def make(n, *, agreement=None, start=D(2023, 10, 1), segment="BPU", wage=1_000_000, employer=None, risk_class="", project=None):
        base = _counter["n"]
        _counter["n"] += n
        persons = Person.objects.bulk_create(
            [Person(nik=f"1472{(base + i) % 10**12:012d}", full_name=f"Pekerja {base + i}", birth_date=D(1980, 1, 1), sex="M") for i in range(n)]
        )
        participants = Participant.objects.bulk_create(
            [
                Participant(
                    kpj_number=f"23{base + i:09d}",
                    person=p,
                    segment=segment,
                    programs=["JKK", "JKM"],
                    wage=wage,
                    risk_class=risk_class,
                    employer=employer,
                    project=project,
                    agreement=agreement,
                    sponsor=agreement.sponsor if agreement else None,
                    branch=branch,
                    start_date=start,
                )
                for i, p in enumerate(persons)
            ]
        )
        if agreement is not None:
            SponsorshipPeriod.objects.bulk_create(
                [SponsorshipPeriod(participant=p, agreement=agreement, sponsor=agreement.sponsor, start_date=start) for p in participants]
            )
        return participants

    return make


@pytest.fixture
def employer(branch):
    return Employer.objects.create(npp="NPP0001", name="PT Pelabuhan Dumai", risk_class="low", branch=branch)
