import datetime as dt

import pytest
from django.db import IntegrityError

from lindung.core.errors import ServiceError
from lindung.core.models import AuditEvent
from lindung.registry import services
from lindung.registry.models import FamilyMember, Person
from lindung.registry.nik import make_nik

pytestmark = pytest.mark.django_db

NIK = make_nik("14.72.06", dt.date(1985, 4, 17), "M", 31)


def person_data(**over):
    data = {"nik": NIK, "full_name": "Ahmad  Fauzi", "birth_date": dt.date(1985, 4, 17), "sex": "M", "region": "14.72.06.1001"}
    data.update(over)
    return data


def test_create_person_cleans_and_audits(regions, users):
    person = services.person_create(actor=users["officer"], **person_data())
    assert person.full_name == "Ahmad Fauzi"
    assert person.region_id == "14.72.06.1001"
    assert person.nik_warnings == []
    event = AuditEvent.objects.get(action="person.create")
    assert event.actor == users["officer"]
    assert NIK not in event.object_repr  # no whole NIK in the audit trail


def test_disagreeing_birth_date_and_sex_are_recorded_as_warnings_not_rejected(regions):
    person = services.person_create(actor=None, **person_data(birth_date=dt.date(1986, 4, 17), sex="F"))
    assert sorted(person.nik_warnings) == ["birth_date_mismatch", "sex_mismatch"]
    services.person_update(person, actor=None, birth_date=dt.date(1985, 4, 17), sex="M")
    person.refresh_from_db()
    assert person.nik_warnings == []


@pytest.mark.parametrize(
    "over,field",
    [
        ({"nik": "123"}, "nik"),
        ({"nik": "9972011203900001"}, "nik"),
        ({"nik": "1472011213900001"}, "nik"),
        ({"region": "14.72.06"}, "region"),  # a district, not a village
        ({"region": "99.99.99.9999"}, "region"),
        ({"full_name": "  "}, "full_name"),
        ({"sex": "X"}, "sex"),
        ({"birth_date": dt.date.today() + dt.timedelta(days=1)}, "birth_date"),
        ({"family_card_number": "12"}, "family_card_number"),
    ],
)
def test_bad_person_fields_are_named(regions, over, field):
    with pytest.raises(ServiceError) as err:
        services.person_create(actor=None, **person_data(**over))
    assert field in err.value.fields
    assert not Person.objects.exists()


def test_duplicate_nik_is_a_conflict_and_impossible_in_the_database(regions):
    services.person_create(actor=None, **person_data())
    with pytest.raises(ServiceError) as err:
        services.person_create(actor=None, **person_data(full_name="Someone Else"))
    assert err.value.code == "duplicate_nik" and err.value.status == 409
    with pytest.raises(IntegrityError):
        Person.objects.create(nik=NIK, full_name="X", birth_date=dt.date(1985, 4, 17), sex="M")


def test_nik_cannot_change_and_update_is_audited(regions):
    person = services.person_create(actor=None, **person_data())
    with pytest.raises(ServiceError) as err:
        services.person_update(person, actor=None, nik=make_nik("14.72.06", dt.date(1985, 4, 17), "M", 32))
    assert err.value.code == "nik_immutable"
    services.person_update(person, actor=None, phone="0812", full_name="Ahmad Fauzi Bin Umar")
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["phone"] == ["", "0812"]
    assert event.changes["full_name"][1].startswith("A**")  # names masked in the trail


def test_person_with_family_is_all_or_nothing(regions):
    with pytest.raises(ServiceError) as err:
        services.person_create(
            actor=None,
            **person_data(),
            family=[
                {"relation": "spouse", "full_name": "Nurhayati"},
                {"relation": "child", "full_name": "Old Child", "birth_date": dt.date(1980, 1, 1)},
            ],
        )
    assert "family.1.birth_date" in err.value.fields
    assert not Person.objects.exists() and not FamilyMember.objects.exists()


def test_person_api_create_detail_and_scoping(regions, users, api_client):
    officer = api_client(users["officer"])
    resp = officer.post(
        "/api/v1/persons",
        data={
            **person_data(birth_date="1985-04-17"),
            "family": [{"relation": "child", "full_name": "Rizky", "birth_date": "2012-01-20", "school_level": "SMP"}],
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["nik"] == NIK and body["family"][0]["school_level"] == "SMP"
    again = officer.post("/api/v1/persons", data=person_data(birth_date="1985-04-17"), content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_nik"
    bad = officer.post("/api/v1/persons", data=person_data(birth_date="1985-04-17", region="14.72"), content_type="application/json")
    assert bad.status_code == 400 and "region" in bad.json()["error"]["fields"]
    listing = officer.get("/api/v1/persons?q=Ahmad").json()
    assert listing["count"] == 1 and listing["items"][0]["nik_masked"] == NIK[:4] + "********" + NIK[-4:]
    # auditors read but cannot write; sponsor users do not see persons who are not their workers
    assert api_client(users["auditor"]).get(f"/api/v1/persons/{body['id']}").status_code == 200
    assert (
        api_client(users["auditor"])
        .post(
            "/api/v1/persons",
            data=person_data(nik=make_nik("14.72.06", dt.date(1985, 4, 17), "M", 40), birth_date="1985-04-17"),
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert api_client(users["sponsor"]).get(f"/api/v1/persons/{body['id']}").status_code == 403  # no registry.view_person


def test_person_web_pages(regions, users, client):
    person = services.person_create(actor=None, **person_data(birth_date=dt.date(1986, 4, 17)))
    client.force_login(users["officer"])
    page = client.get(f"/persons/{person.pk}/")
    assert page.status_code == 200
    assert NIK in page.content.decode()  # staff see the whole NIK on the detail page
    assert 'data-testid="nik-warnings"' in page.content.decode()
    resp = client.post(f"/persons/{person.pk}/edit/", {"full_name": "Ahmad Fauzi", "birth_date": "1985-04-17", "sex": "M", "region": "14.72.06.1002"})
    assert resp.status_code == 302
    person.refresh_from_db()
    assert person.region_id == "14.72.06.1002" and person.nik_warnings == []
    resp = client.post(f"/persons/{person.pk}/edit/", {"full_name": "Ahmad Fauzi", "birth_date": "1985-04-17", "sex": "M", "region": "14.72.06"})
    assert resp.status_code == 200  # a district is not offered and not accepted
    client.force_login(users["auditor"])
    assert client.get(f"/persons/{person.pk}/").status_code == 200
    assert client.get(f"/persons/{person.pk}/edit/").status_code == 403


def test_service_errors_speak_the_active_language_and_keep_their_code(regions, users, api_client, client):
    """A NIK already in the family: the web form shows the service's message in Indonesian on the
    NIK field; the API's duplicate-NIK error follows the active language with the same code."""
    from html import unescape

    person = services.person_create(actor=None, **person_data())
    child_nik = make_nik("14.72.06", dt.date(2015, 3, 30), "F", 13)
    services.family_member_add(person, actor=None, relation="child", full_name="Dewi", nik=child_nik, birth_date=dt.date(2015, 3, 30))
    client.force_login(users["officer"])
    page = client.post(f"/persons/{person.pk}/family/add/", {"relation": "child", "full_name": "Dewi lagi", "nik": child_nik})
    assert page.status_code == 200
    assert f"NIK {child_nik} sudah ada dalam keluarga ini." in unescape(page.content.decode())
    assert FamilyMember.objects.filter(person=person).count() == 1

    api = api_client(users["officer"])
    indonesian = api.post("/api/v1/persons", data=person_data(birth_date="1985-04-17"), content_type="application/json")
    assert indonesian.status_code == 409
    assert indonesian.json() == {
        "error": {"code": "duplicate_nik", "message": f"Orang dengan NIK {NIK} sudah terdaftar.", "fields": {"nik": "already registered"}}
    }
    api.cookies["lindung_language"] = "en"
    english = api.post("/api/v1/persons", data=person_data(birth_date="1985-04-17"), content_type="application/json")
    assert english.status_code == 409
    assert english.json() == {
        "error": {"code": "duplicate_nik", "message": f"A person with NIK {NIK} is already registered.", "fields": {"nik": "already registered"}}
    }
