"""Renewing an agreement carries its workers to the next one, set-based, or moves nobody."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.core.errors import ServiceError
from lindung.core.models import AuditEvent
from lindung.membership import services
from lindung.membership.models import Participant, SponsorshipPeriod
from lindung.membership.status import change_status
from tests.contributions.conftest import make_agreement, make_workers  # noqa: F401  (fixtures)

D = dt.date
pytestmark = pytest.mark.django_db


def test_renewal_moves_every_open_sponsorship_and_keeps_the_kpj(make_agreement, make_workers):  # noqa: F811
    old = make_agreement(end=D(2024, 9, 30))
    new = make_agreement(number="PKS-DUMAI-2024", start=D(2024, 10, 1), end=D(2025, 9, 30), quota=10)
    workers = make_workers(5, agreement=old)
    change_status(workers[0], to="ended", effective_date=D(2024, 2, 1), reason="death", actor=None)
    kpj = sorted(w.kpj_number for w in workers)
    assert services.agreement_renew(actor=None, from_agreement=old, to_agreement=new) == 4
    assert sorted(Participant.objects.values_list("kpj_number", flat=True)) == kpj
    assert set(Participant.objects.exclude(pk=workers[0].pk).values_list("agreement_id", flat=True)) == {new.pk}
    assert Participant.objects.get(pk=workers[0].pk).agreement_id == old.pk  # the dead worker stays where he was
    closed = SponsorshipPeriod.objects.filter(agreement=old, participant__in=workers[1:])
    assert set(closed.values_list("end_date", "end_reason")) == {(D(2024, 9, 30), "other")}
    assert SponsorshipPeriod.objects.filter(agreement=new, end_date__isnull=True, start_date=D(2024, 10, 1)).count() == 4
    event = AuditEvent.objects.get(action="agreement.renew")
    assert event.changes["moved"] == 4
    # renewing again moves nobody
    assert services.agreement_renew(actor=None, from_agreement=old, to_agreement=new) == 0


def test_a_renewal_over_the_new_quota_moves_nobody(make_agreement, make_workers):  # noqa: F811
    old = make_agreement(end=D(2024, 9, 30))
    new = make_agreement(number="PKS-DUMAI-2024", start=D(2024, 10, 1), end=D(2025, 9, 30), quota=3)
    make_workers(5, agreement=old)
    with pytest.raises(ServiceError) as exc:
        services.agreement_renew(actor=None, from_agreement=old, to_agreement=new)
    assert exc.value.code == "over_quota" and "3" in exc.value.fields["quota"]
    assert SponsorshipPeriod.objects.filter(agreement=new).count() == 0
    assert set(Participant.objects.values_list("agreement_id", flat=True)) == {old.pk}


def test_a_renewal_date_outside_the_new_agreement_is_refused(make_agreement, make_workers):  # noqa: F811
    old = make_agreement(end=D(2024, 9, 30))
    new = make_agreement(number="PKS-DUMAI-2024", start=D(2024, 10, 1), end=D(2025, 9, 30))
    make_workers(2, agreement=old)
    with pytest.raises(ServiceError) as exc:
        services.agreement_renew(actor=None, from_agreement=old, to_agreement=new, effective_date=D(2024, 9, 1))
    assert exc.value.code == "outside_agreement"


def test_only_an_administrator_renews(make_agreement, make_workers, users):  # noqa: F811
    old = make_agreement(end=D(2024, 9, 30))
    new = make_agreement(number="PKS-DUMAI-2024", start=D(2024, 10, 1), end=D(2025, 9, 30))
    make_workers(2, agreement=old)
    with pytest.raises(ServiceError) as exc:
        services.agreement_renew(actor=users["officer"], from_agreement=old, to_agreement=new)
    assert exc.value.code == "forbidden"
    assert services.agreement_renew(actor=users["admin"], from_agreement=old, to_agreement=new) == 2
