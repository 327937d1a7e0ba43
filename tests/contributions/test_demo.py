import datetime as dt

import pytest

from lindung.contributions.models import Invoice
from lindung.demo import contributions as demo
from lindung.demo.base import DUMAI_SPONSOR
from lindung.membership.models import Participant

pytestmark = pytest.mark.django_db


def test_demo_does_nothing_without_participants(sponsors):
    assert demo.load({"sponsors": {DUMAI_SPONSOR: sponsors["dumai"]}})["invoices"] == 0


def test_demo_bills_two_quarters_and_pays_the_first(sponsors, make_agreement, make_workers):
    make_workers(10, agreement=make_agreement())
    context = {"sponsors": {DUMAI_SPONSOR: sponsors["dumai"]}}
    out = demo.load(context)
    assert out == {"invoices": 2, "created": 2, "billed": 2 * 10 * 3 * 16_800}
    assert demo.load(context)["created"] == 0
    q4 = Invoice.objects.get(period_start=dt.date(2023, 10, 1))
    q1 = Invoice.objects.get(period_start=dt.date(2024, 1, 1))
    assert q4.status == "paid" and q1.paid_amount == 0
    # the daily job as of the hand-over day: the second quarter is overdue, its workers in grace
    assert q1.status == "overdue"
    assert set(Participant.objects.values_list("status", flat=True)) == {"grace"}
