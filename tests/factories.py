"""Test data from factories (factory-boy): the main models with valid defaults, each overridable.

    person = PersonFactory(sex="F")
    workers = SponsoredParticipantFactory.create_batch(3, agreement=AgreementFactory(sponsor=sponsor))

NIKs and KPJ numbers are built with the application's own rules (``make_nik``, ``format_kpj``)
from a sequence, so they are valid and unique within a test. Regions come from the bundled list
(the ``regions`` fixture loads it): ``region`` defaults look a code up, they never invent one.
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from lindung.accounts.models import Branch
from lindung.membership.kpj import format_kpj
from lindung.membership.models import (
    ChangeProposal,
    Employer,
    HeldRow,
    Participant,
    Project,
    RosterImport,
    Sponsor,
    SponsorAgreement,
    SponsorshipPeriod,
)
from lindung.registry.models import Person, Region
from lindung.registry.nik import make_nik


def region(code: str):
    return factory.LazyFunction(lambda: Region.objects.get(code=code))


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KC{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Kantor Cabang {o.code}")


class SponsorFactory(DjangoModelFactory):
    class Meta:
        model = Sponsor
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SPONSOR-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Pemerintah {o.code.title()}")
    type = Sponsor.Type.CITY
    region = region("14.72")
    funding_source = Sponsor.FundingSource.APBD
    branch = None


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = SponsorAgreement

    sponsor = factory.SubFactory(SponsorFactory)
    number = factory.Sequence(lambda n: f"PKS-{n:04d}")
    start_date = dt.date(2024, 1, 1)
    end_date = factory.LazyAttribute(lambda o: dt.date(o.start_date.year, 12, 31))
    programs = factory.LazyFunction(lambda: ["JKK", "JKM"])
    budget = 10**12
    quota = 100_000


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        serial = factory.Sequence(lambda n: 1 + n % 9999)
        district = "14.72.02"

    birth_date = factory.Sequence(lambda n: dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28))
    sex = factory.Sequence(lambda n: "F" if n % 2 else "M")
    nik = factory.LazyAttribute(lambda o: make_nik(o.district, o.birth_date, o.sex, o.serial))
    full_name = factory.Sequence(lambda n: f"Pekerja Rentan {n:04d}")


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Employer

    npp = factory.Sequence(lambda n: f"NPP{n:07d}")
    name = factory.Sequence(lambda n: f"PT Usaha Dumai {n}")
    risk_class = "low"


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    contractor = factory.SubFactory(EmployerFactory)
    number = factory.Sequence(lambda n: f"PRJ-{n:05d}")
    name = factory.Sequence(lambda n: f"Pembangunan jalan ruas {n}")
    contract_value = 1_000_000_000
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2024, 12, 31)


class ParticipantFactory(DjangoModelFactory):
    """A self-paying (BPU) membership; see ``SponsoredParticipantFactory`` for a sponsored one."""

    class Meta:
        model = Participant
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    segment = "BPU"
    programs = factory.LazyFunction(lambda: ["JKK", "JKM"])
    wage = 1_000_000
    start_date = dt.date(2024, 1, 1)
    kpj_number = factory.LazyAttributeSequence(lambda o, n: format_kpj(o.start_date.year, 900_000 + n))


class SponsoredParticipantFactory(ParticipantFactory):
    """A membership paid by a sponsor under an agreement, with its sponsorship period."""

    agreement = factory.SubFactory(AgreementFactory)
    sponsor = factory.SelfAttribute("agreement.sponsor")
    branch = factory.LazyAttribute(lambda o: o.sponsor.branch)
    start_date = factory.SelfAttribute("agreement.start_date")

    @factory.post_generation
    def period(obj, create, extracted, **kwargs):
        if create:
            SponsorshipPeriod.objects.create(participant=obj, agreement=obj.agreement, sponsor=obj.sponsor, start_date=obj.start_date)


# ---------------------------------------------------------------------- claims and payouts (reports)
class ClaimFactory(DjangoModelFactory):
    """A JKM death of a sponsored worker, awaiting the heirs' claim; pass ``status``, ``decided_on``
    and ``benefit_total`` for a decided one. Written directly: for figures, not for the workflow."""

    class Meta:
        model = "claims.Claim"

    participant = factory.SubFactory(SponsoredParticipantFactory)
    sponsor = factory.SelfAttribute("participant.sponsor")
    branch = factory.LazyAttribute(lambda o: o.participant.branch or BranchFactory())
    number = factory.Sequence(lambda n: f"KLM-2024-{n:06d}")
    program = "JKM"
    outcome = "death"
    event_date = dt.date(2024, 2, 10)
    status = "reported"


class PaymentBatchFactory(DjangoModelFactory):
    class Meta:
        model = "payouts.PaymentBatch"

    number = factory.Sequence(lambda n: f"PB-2024-{n:06d}")
    branch = factory.SubFactory(BranchFactory)
    status = "closed"
    execution_date = dt.date(2024, 3, 1)


class PaymentOrderFactory(DjangoModelFactory):
    """A paid order of a claim's cash benefit (``group="scholarship"`` for a school year)."""

    class Meta:
        model = "payouts.PaymentOrder"

    number = factory.Sequence(lambda n: f"PO-2024-{n:06d}")
    claim = factory.SubFactory(ClaimFactory, status="ready_for_payment")
    sponsor = factory.SelfAttribute("claim.sponsor")
    branch = factory.SelfAttribute("claim.branch")
    batch = factory.SubFactory(PaymentBatchFactory, branch=factory.SelfAttribute("..branch"))
    status = "paid"
    group = "benefit"
    benefit_amount = 42_000_000
    amount = factory.SelfAttribute("benefit_amount")
    payee_name = "Ahli Waris"
    bank_code = "119"
    bank_name = "BRK Syariah"
    account_number = "1234567890"
    account_holder = "Ahli Waris"


class SettlementFactory(DjangoModelFactory):
    class Meta:
        model = "payouts.Settlement"

    order = factory.SubFactory(PaymentOrderFactory)
    paid_on = dt.date(2024, 3, 5)
    amount = factory.SelfAttribute("order.amount")


class HandoverEventFactory(DjangoModelFactory):
    class Meta:
        model = "payouts.HandoverEvent"

    title = "Penyerahan santunan"
    date = dt.date(2024, 3, 21)
    place = "Kantor Cabang Dumai"
    branch = factory.SubFactory(BranchFactory)


class HandoverCaseFactory(DjangoModelFactory):
    class Meta:
        model = "payouts.HandoverCase"

    event = factory.SubFactory(HandoverEventFactory)
    claim = factory.SubFactory(ClaimFactory)
    mark = "awaiting_claim"
    heir_name = "Ahli Waris"
    deceased_name = factory.LazyAttribute(lambda o: o.claim.participant.person.full_name)
    program = factory.SelfAttribute("claim.program")
    amount = 42_000_000


class RosterImportFactory(DjangoModelFactory):
    """A finished roster import (no file): what held rows and proposals hang on."""

    class Meta:
        model = RosterImport

    agreement = factory.SubFactory(AgreementFactory)
    sponsor = factory.SelfAttribute("agreement.sponsor")
    file_name = factory.Sequence(lambda n: f"daftar-{n}.csv")
    file_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = RosterImport.Status.DONE


class HeldRowFactory(DjangoModelFactory):
    """A roster row held for verification: the file's values beside a registered person."""

    class Meta:
        model = HeldRow

    roster_import = factory.SubFactory(RosterImportFactory)
    agreement = factory.SelfAttribute("roster_import.agreement")
    sponsor = factory.SelfAttribute("roster_import.sponsor")
    row_number = factory.Sequence(lambda n: n + 2)
    person = factory.SubFactory(PersonFactory)
    nik = factory.SelfAttribute("person.nik")
    full_name = factory.Sequence(lambda n: f"Nama Dalam Berkas {n}")
    birth_date = dt.date(1990, 3, 10)
    sex = "F"
    cover_start = factory.SelfAttribute("agreement.start_date")


class ChangeProposalFactory(DjangoModelFactory):
    class Meta:
        model = ChangeProposal

    roster_import = factory.SubFactory(RosterImportFactory)
    sponsor = factory.SelfAttribute("roster_import.sponsor")
    person = factory.SubFactory(PersonFactory, phone="081200000000")
    row_number = factory.Sequence(lambda n: n + 2)
    field = ChangeProposal.Field.PHONE
    current_value = "081200000000"
    proposed_value = factory.Sequence(lambda n: f"0813{n:08d}")
