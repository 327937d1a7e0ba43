"""Contributions fixtures: agreements, sponsored and self-paying workers, employers, built with the
factories of ``tests/factories.py``; workers are built there and written in bulk, so the suite does
not depend on the roster import and a 5,000-worker fixture stays fast."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.membership.models import Participant, SponsorshipPeriod
from lindung.registry.models import Person
from tests.factories import AgreementFactory, EmployerFactory, ParticipantFactory, PersonFactory

D = dt.date


@pytest.fixture
def make_agreement(sponsors):
    def make(sponsor="dumai", number="PKS-DUMAI-2023", start=D(2023, 10, 1), end=D(2024, 12, 31), billing="quarterly", quota=10000):
        return AgreementFactory(
            sponsor=sponsors[sponsor],
            number=number,
            start_date=start,
            end_date=end,
            declared_income=1_000_000,
            budget=2_000_000_000,
            quota=quota,
            billing_frequency=billing,
        )

    return make


@pytest.fixture
def make_workers(branch):
    """``make_workers(n, agreement=..., start=...)`` bulk-creates persons, participants and
    sponsorship periods (or self-paying BPU workers without an agreement)."""

    def make(n, *, agreement=None, start=D(2023, 10, 1), segment="BPU", wage=1_000_000, employer=None, risk_class="", project=None):
        persons = Person.objects.bulk_create(PersonFactory.build_batch(n, birth_date=D(1980, 1, 1), sex="M"))
        sponsor = agreement.sponsor if agreement else None
        fields = {"segment": segment, "wage": wage, "risk_class": risk_class, "employer": employer, "project": project, "start_date": start}
        participants = Participant.objects.bulk_create(
            [ParticipantFactory.build(person=p, agreement=agreement, sponsor=sponsor, branch=branch, **fields) for p in persons]
        )
        if agreement is not None:
            SponsorshipPeriod.objects.bulk_create(
                [SponsorshipPeriod(participant=p, agreement=agreement, sponsor=sponsor, start_date=start) for p in participants]
            )
        return participants

    return make


@pytest.fixture
def employer(branch):
    return EmployerFactory(npp="NPP0001", name="PT Pelabuhan Dumai", branch=branch)
