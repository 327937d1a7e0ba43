"""A small programme built from the factories and the billing and payment services: Dumai's five
workers from October 2023 (quarterly billing, the quarter paid on 11 October), one who left in
November, two deaths (one decided and paid), a hand-over event in March 2024, and Riau's own worker."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    AgreementFactory,
    ClaimFactory,
    HandoverCaseFactory,
    HandoverEventFactory,
    PaymentOrderFactory,
    SettlementFactory,
    SponsoredParticipantFactory,
)

D = dt.date


@pytest.fixture
def programme(users, sponsors, branch):
    from lindung.contributions.billing import run_billing
    from lindung.contributions.models import Invoice
    from lindung.contributions.payments import record_payment
    from lindung.membership.models import Participant, SponsorshipPeriod

    dumai, riau = sponsors["dumai"], sponsors["riau"]
    agreement = AgreementFactory(
        sponsor=dumai, number="PKS-TEST-2023", start_date=D(2023, 10, 1), end_date=D(2024, 9, 30), billing_frequency="quarterly", quota=100
    )
    workers = SponsoredParticipantFactory.create_batch(5, agreement=agreement)
    riau_worker = SponsoredParticipantFactory(agreement=AgreementFactory(sponsor=riau, start_date=D(2023, 10, 1), end_date=D(2024, 9, 30)))
    run_billing(period=D(2023, 10, 1), sponsor=dumai, today=D(2023, 10, 1))
    run_billing(period=D(2023, 10, 1), sponsor=riau, today=D(2023, 10, 1))
    q4 = Invoice.objects.get(sponsor=dumai, period_start=D(2023, 10, 1))
    record_payment(amount=q4.total, paid_on=D(2023, 10, 11), invoice=q4)
    # one worker left the programme in November (ended by the sponsor)
    left = workers[4]
    Participant.objects.filter(pk=left.pk).update(status="ended", end_date=D(2023, 11, 30), exit_reason="ended_by_sponsor")
    SponsorshipPeriod.objects.filter(participant=left).update(end_date=D(2023, 11, 30), end_reason="ended_by_sponsor")
    # a death decided and paid in the first quarter of 2024, another awaiting the heirs' claim
    paid = ClaimFactory(
        participant=workers[0], event_date=D(2023, 12, 14), status="ready_for_payment", decided_on=D(2024, 1, 15), benefit_total=42_000_000
    )
    SettlementFactory(order=PaymentOrderFactory(claim=paid), paid_on=D(2024, 1, 16))
    awaiting = ClaimFactory(participant=workers[1], event_date=D(2024, 2, 11))
    ClaimFactory(participant=riau_worker, event_date=D(2024, 2, 1))
    event = HandoverEventFactory(branch=branch, date=D(2024, 3, 21))
    HandoverCaseFactory(event=event, claim=paid, mark="paid")
    HandoverCaseFactory(event=event, claim=awaiting, mark="awaiting_claim")
    return {"dumai": dumai, "riau": riau, "workers": workers, "q4": q4, "event": event}
