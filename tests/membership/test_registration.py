import datetime as dt

import pytest
from django.db import IntegrityError

from lindung.core.errors import ServiceError
from lindung.core.models import AuditEvent
from lindung.membership import registration
from lindung.membership.kpj import is_valid_kpj
from lindung.membership.models import Participant, StatusChange
from lindung.membership.status import change_status
from lindung.registry.models import Person
from lindung.registry.nik import make_nik
from lindung.rules import load_parameters

pytestmark = pytest.mark.django_db

START = dt.date(2024, 2, 1)


def new_person(serial=1, birth=dt.date(1985, 4, 17), sex="M", **over):
    data = {
        "nik": make_nik("14.72.06", birth, sex, serial),
        "full_name": f"Worker {serial}",
        "birth_date": birth,
        "sex": sex,
        "region": "14.72.06.1001",
    }
    data.update(over)
    return data


def test_income_limits_come_from_the_parameters():
    low, high = registration.bpu_income_limits(START)
    view = load_parameters().at(START)
    assert (low, high) == (1_000_000, 20_700_000)
    assert low * view["contribution.bpu.jkk_rate"] == view["contribution.bpu.jkk_min"]


def test_register_bpu_creates_a_participant_with_kpj_history_and_audit(regions, users):
    p = registration.register_bpu(
        actor=users["officer"],
        person={**new_person(), "family": [{"relation": "child", "full_name": "Kid", "birth_date": "2012-01-20", "school_level": "SMP"}]},
        declared_income=1_000_000,
        start_date=START,
    )
    assert is_valid_kpj(p.kpj_number) and p.kpj_number.startswith("24")
    assert (p.segment, p.programs, p.wage, p.status, p.branch) == ("BPU", ["JKK", "JKM"], 1_000_000, "active", users["officer"].branch)
    assert p.person.family.get().school_level == "SMP"
    assert StatusChange.objects.get(participant=p).to_status == "active"
    event = AuditEvent.objects.get(action="participant.register_bpu")
    assert event.changes["monthly_premium"] == 16_800  # JKK 10,000 + JKM 6,800


def test_jht_is_optional_and_priced(regions):
    p = registration.register_bpu(actor=None, person=new_person(), declared_income=2_000_000, programs=["JKK", "JKM", "JHT"], start_date=START)
    premium = registration.participant_premium(p, START)
    assert {c.program: c.amount for c in premium.components} == {"JKK": 20_000, "JKM": 6_800, "JHT": 40_000}


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"declared_income": 999_999}, "declared_income"),
        ({"declared_income": 20_700_001}, "declared_income"),
        ({"declared_income": "abc"}, "declared_income"),
        ({"programs": ["JKK"]}, "programs"),
        ({"programs": ["JKK", "JKM", "JKP"]}, "programs"),
        ({"start_date": "2024-13-01"}, "start_date"),
    ],
)
def test_bpu_validation_names_the_field_and_writes_nothing(regions, kwargs, field):
    args = {"declared_income": 1_500_000, "start_date": START, "programs": ["JKK", "JKM"], **kwargs}
    with pytest.raises(ServiceError) as err:
        registration.register_bpu(actor=None, person=new_person(), **args)
    assert field in err.value.fields
    assert not Participant.objects.exists() and not Person.objects.exists()


def test_bounds_are_inclusive(regions):
    assert registration.register_bpu(actor=None, person=new_person(1), declared_income=1_000_000, start_date=START).wage == 1_000_000
    assert registration.register_bpu(actor=None, person=new_person(2), declared_income=20_700_000, start_date=START).wage == 20_700_000


def test_only_one_open_bpu_membership(regions):
    first = registration.register_bpu(actor=None, person=new_person(), declared_income=1_000_000, start_date=START)
    with pytest.raises(ServiceError) as err:
        registration.register_bpu(actor=None, person=first.person, declared_income=1_000_000, start_date=START)
    assert err.value.code == "bpu_already_open" and err.value.status == 409 and first.kpj_number in err.value.message
    with pytest.raises(IntegrityError):  # the database constraint holds even without the service
        Participant.objects.create(kpj_number="24999999990", person=first.person, segment="BPU", wage=1, start_date=START)


def test_after_ending_a_new_bpu_membership_is_allowed(regions):
    first = registration.register_bpu(actor=None, person=new_person(), declared_income=1_000_000, start_date=START)
    change_status(first, to="ended", effective_date=dt.date(2024, 6, 30), reason="lapsed")
    second = registration.register_bpu(actor=None, person=first.person, declared_income=1_200_000, start_date=dt.date(2024, 8, 1))
    assert second.kpj_number != first.kpj_number


def test_existing_nik_reuses_the_person(regions):
    person = registration.register_bpu(actor=None, person=new_person(), declared_income=1_000_000, start_date=START).person
    employer = registration.employer_create(actor=None, npp="DMI00001", name="PT Test", risk_class="low")
    (pu,) = registration.register_pu_workers(employer, [{**new_person(), "wage": 4_000_000, "start_date": START}], actor=None)
    assert pu.person == person and Person.objects.count() == 1


def test_bpu_api_registration(regions, users, api_client):
    api = api_client(users["officer"])
    body = {
        "person": {**new_person(), "birth_date": "1985-04-17"},
        "family": [{"relation": "spouse", "full_name": "Nurhayati"}],
        "declared_income": 1_000_000,
        "start_date": "2024-02-01",
    }
    resp = api.post("/api/v1/participants/bpu", data=body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["monthly_premium"]["total"] == 16_800 and out["monthly_premium"]["components"] == {"JKK": 10_000, "JKM": 6_800}
    again = api.post("/api/v1/participants/bpu", data=body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "bpu_already_open"
    low = api.post(
        "/api/v1/participants/bpu",
        data={**body, "person": {**body["person"], "nik": make_nik("14.72.06", dt.date(1985, 4, 17), "M", 9)}, "declared_income": 500_000},
        content_type="application/json",
    )
    assert low.status_code == 400 and "declared_income" in low.json()["error"]["fields"]
    assert api_client(users["auditor"]).post("/api/v1/participants/bpu", data=body, content_type="application/json").status_code == 403


def test_bpu_web_form_with_premium_preview(regions, users, client):
    client.force_login(users["officer"])
    form_page = client.get("/participants/register/bpu/").content.decode()
    assert "Rp 1.000.000" in form_page and "Rp 20.700.000" in form_page  # limits from the parameters
    assert f'value="{dt.date.today().isoformat()}"' in form_page  # the date picker gets an ISO date
    preview = client.get("/participants/register/bpu/premium/", {"declared_income": "1000000", "start_date": "2024-02-01"})
    assert "16800" in preview.content.decode().replace(".", "").replace(",", "")
    too_low = client.get("/participants/register/bpu/premium/", {"declared_income": "10", "start_date": "2024-02-01"})
    assert 'class="error"' in too_low.content.decode()
    form = {**new_person(), "birth_date": "1985-04-17", "declared_income": "900000", "start_date": "2024-02-01"}
    resp = client.post("/participants/register/bpu/", form)
    assert resp.status_code == 200 and "1.000.000" in resp.content.decode()
    resp = client.post("/participants/register/bpu/", {**form, "declared_income": "1500000", "jht": "on"})
    assert resp.status_code == 302
    p = Participant.objects.get()
    assert p.programs == ["JKK", "JKM", "JHT"] and resp["Location"].endswith(f"/participants/{p.kpj_number}/")
    client.force_login(users["auditor"])
    assert client.get("/participants/register/bpu/").status_code == 403


def test_demo_step_is_idempotent(regions, branch, sponsors):
    from lindung.demo import registration as demo_registration
    from lindung.membership.models import Employer, Project, WageReport

    first = demo_registration.load({"branch": branch, "sponsors": {}})
    counts = (Participant.objects.count(), Person.objects.count(), WageReport.objects.count())
    second = demo_registration.load({"branch": branch, "sponsors": {}})
    assert first == second
    assert (Participant.objects.count(), Person.objects.count(), WageReport.objects.count()) == counts
    assert len(first["bpu"]) == 2 and len(first["pu"]) == 5 and Project.objects.get().workers.count() == 3
    assert Employer.objects.get().risk_class == "medium"
    ahmad = Participant.objects.get(kpj_number=first["bpu"][0]).person
    assert {f.school_level for f in ahmad.family.filter(relation="child")} == {"SMP", "SD"}


def test_home_panel_links(regions, users, client):
    client.force_login(users["officer"])
    page = client.get("/").content.decode()
    assert "/participants/register/bpu/" in page and "/participants/" in page
    client.force_login(users["sponsor"])
    assert "/sponsors/PEMKO-DUMAI/cards/" in client.get("/").content.decode()
