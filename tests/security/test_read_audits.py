"""Issue 10 item 8 (reads): a whole NIK shown and a roster dry run are audited."""

import pytest

from lindung.core.models import AuditEvent
from lindung.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(regions):
    import datetime as dt

    return Person.objects.create(nik="1472015003900001", full_name="Siti Aminah", birth_date=dt.date(1990, 3, 10), sex="F")


def test_the_person_page_and_api_showing_a_whole_nik_are_audited(client, api_client, users, person):
    client.force_login(users["officer"])
    assert client.get(f"/persons/{person.pk}/").status_code == 200
    assert api_client(users["officer"]).get(f"/api/v1/persons/{person.pk}").status_code == 200
    events = AuditEvent.objects.filter(action="person.view_full_nik", object_id=str(person.pk))
    # where it was seen, kept in the site's language (Indonesian): "API person", "person page"
    assert sorted(e.object_repr for e in events) == ["API orang", "halaman orang"]
    assert all(e.actor_username == users["officer"].username for e in events)
