import datetime as dt

import pytest

from lindung.core.errors import ServiceError
from lindung.registry import services
from lindung.registry.nik import make_nik

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(regions):
    return services.person_create(
        actor=None, nik=make_nik("14.72.03", dt.date(1990, 11, 3), "F", 12), full_name="Siti Aminah", birth_date=dt.date(1990, 11, 3), sex="F"
    )


def test_family_of_every_relation(worker):
    for relation, birth in [
        ("spouse", dt.date(1987, 2, 14)),
        ("child", dt.date(2019, 3, 30)),
        ("parent", dt.date(1960, 7, 7)),
        ("sibling", dt.date(1993, 1, 1)),
        ("parent_in_law", dt.date(1958, 1, 1)),
    ]:
        services.family_member_add(worker, actor=None, relation=relation, full_name=f"Member {relation}", birth_date=birth)
    assert sorted(worker.family.values_list("relation", flat=True)) == ["child", "parent", "parent_in_law", "sibling", "spouse"]


def test_child_must_be_born_after_the_worker_and_parent_before(worker):
    with pytest.raises(ServiceError) as err:
        services.family_member_add(worker, actor=None, relation="child", full_name="Too Old", birth_date=dt.date(1989, 1, 1))
    assert "birth_date" in err.value.fields and "after" in err.value.fields["birth_date"]
    with pytest.raises(ServiceError) as err:
        services.family_member_add(worker, actor=None, relation="parent", full_name="Too Young", birth_date=dt.date(2000, 1, 1))
    assert "before" in err.value.fields["birth_date"]


def test_school_level_only_for_children_and_must_be_known(worker):
    child = services.family_member_add(worker, actor=None, relation="child", full_name="Dewi", birth_date=dt.date(2015, 3, 30), school_level="sd")
    assert child.school_level == "SD"
    with pytest.raises(ServiceError) as err:
        services.family_member_add(worker, actor=None, relation="spouse", full_name="Joko", school_level="SMA")
    assert "school_level" in err.value.fields
    with pytest.raises(ServiceError) as err:
        services.family_member_update(child, actor=None, school_level="S3")
    assert "school_level" in err.value.fields
    services.family_member_update(child, actor=None, school_level="SMP")
    child.refresh_from_db()
    assert child.school_level == "SMP"


def test_family_nik_checked_and_unique_in_the_family(worker):
    nik = make_nik("14.72.03", dt.date(2015, 3, 30), "F", 13)
    services.family_member_add(worker, actor=None, relation="child", full_name="Dewi", nik=nik, birth_date=dt.date(2015, 3, 30))
    with pytest.raises(ServiceError) as err:
        services.family_member_add(worker, actor=None, relation="child", full_name="Dewi again", nik=nik)
    assert err.value.code == "duplicate_family_nik"
    with pytest.raises(ServiceError) as err:
        services.family_member_add(worker, actor=None, relation="child", full_name="Bad", nik="12345")
    assert "nik" in err.value.fields
    with pytest.raises(ServiceError):
        services.family_member_add(worker, actor=None, relation="spouse", full_name="Self", nik=worker.nik)


def test_worker_birth_date_change_cannot_pass_a_child(worker):
    services.family_member_add(worker, actor=None, relation="child", full_name="Dewi", birth_date=dt.date(2015, 3, 30))
    with pytest.raises(ServiceError) as err:
        services.person_update(worker, actor=None, birth_date=dt.date(2016, 1, 1))
    assert "birth_date" in err.value.fields


def test_family_api_and_web(worker, users, api_client, client):
    api = api_client(users["officer"])
    resp = api.post(
        f"/api/v1/persons/{worker.pk}/family",
        data={"relation": "child", "full_name": "Dewi", "birth_date": "2019-03-30", "school_level": "TK"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    member_id = resp.json()["id"]
    bad = api.post(
        f"/api/v1/persons/{worker.pk}/family",
        data={"relation": "child", "full_name": "X", "birth_date": "1980-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "birth_date" in bad.json()["error"]["fields"]
    assert [m["full_name"] for m in api.get(f"/api/v1/persons/{worker.pk}/family").json()] == ["Dewi"]
    assert (
        api.patch(
            f"/api/v1/persons/{worker.pk}/family/{member_id}",
            data={"relation": "child", "full_name": "Dewi L", "school_level": "SD"},
            content_type="application/json",
        ).json()["school_level"]
        == "SD"
    )
    client.force_login(users["officer"])
    resp = client.post(
        f"/persons/{worker.pk}/family/add/", {"relation": "spouse", "full_name": "Joko Susilo", "birth_date": "1987-02-14", "sex": "M"}
    )
    assert resp.status_code == 302
    resp = client.post(f"/persons/{worker.pk}/family/add/", {"relation": "child", "full_name": "Old", "birth_date": "1980-01-01"})
    assert resp.status_code == 200 and "after the worker" in resp.content.decode()
    assert client.post(f"/persons/{worker.pk}/family/{member_id}/remove/").status_code == 302
    assert sorted(worker.family.values_list("full_name", flat=True)) == ["Joko Susilo"]
    assert api.delete(f"/api/v1/persons/{worker.pk}/family/{member_id}").status_code == 404
