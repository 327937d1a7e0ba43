import datetime as dt

import pytest

from lindung.core.errors import ServiceError
from lindung.membership import registration
from lindung.membership.models import Participant
from lindung.registry.nik import make_nik
from lindung.rules import ContributionCase, calculate_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def contractor(regions, branch):
    return registration.employer_create(actor=None, npp="KONTR0001", name="PT Bangun Dumai", risk_class="high", branch=branch)


def w(serial, **over):
    birth = dt.date(1985, 1, serial)
    return {"nik": make_nik("14.72.05", birth, "M", serial), "full_name": f"Tukang {serial}", "birth_date": birth, "sex": "M", **over}


def test_project_premium_from_the_rules_engine(contractor):
    project = registration.register_project(
        actor=None,
        contractor=contractor,
        number="JAKON-1",
        name="Dermaga",
        contract_value=750_000_000,
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2024, 12, 31),
        workers=[w(1), w(2)],
    )
    expected = calculate_contribution(ContributionCase(segment="JAKON", on=dt.date(2024, 3, 1), contract_value=750_000_000)).total
    assert registration.project_premium(project).total == expected
    # marginal brackets: 100M × (0.21%+0.03%) + 400M × (0.17%+0.02%) + 250M × (0.13%+0.02%)
    assert expected == 240_000 + 760_000 + 375_000
    workers = Participant.objects.filter(project=project)
    assert workers.count() == 2 and {p.segment for p in workers} == {"JAKON"}
    assert {p.start_date for p in workers} == {dt.date(2024, 3, 1)}


def test_known_wages_price_on_wages(contractor):
    project = registration.register_project(
        actor=None,
        contractor=contractor,
        number="JAKON-2",
        name="Jalan",
        contract_value=1_000_000_000,
        total_wage=100_000_000,
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2024, 6, 30),
    )
    assert registration.project_premium(project).total == 1_740_000 + 300_000


def test_project_validation_and_duplicates(contractor):
    with pytest.raises(ServiceError) as err:
        registration.register_project(
            actor=None, contractor=contractor, number="a/b", name="", contract_value=0, start_date="2024-05-01", end_date="2024-04-01"
        )
    assert set(err.value.fields) >= {"number", "name", "contract_value", "end_date"}
    registration.register_project(
        actor=None, contractor=contractor, number="JAKON-3", name="X", contract_value=1, start_date="2024-01-01", end_date="2024-01-31"
    )
    with pytest.raises(ServiceError) as err:
        registration.register_project(
            actor=None, contractor=contractor, number="JAKON-3", name="X", contract_value=1, start_date="2024-01-01", end_date="2024-01-31"
        )
    assert err.value.code == "duplicate_project"


def test_project_workers_all_or_nothing(contractor):
    project = registration.register_project(
        actor=None,
        contractor=contractor,
        number="JAKON-4",
        name="X",
        contract_value=10**8,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 3, 31),
    )
    with pytest.raises(ServiceError) as err:
        registration.project_add_workers(project, [w(1), w(2, start_date="2025-01-01"), w(3, nik="1")], actor=None)
    assert {"workers.2.start_date", "workers.3.nik"} <= set(err.value.fields)
    assert not Participant.objects.exists()
    registration.project_add_workers(project, [w(1)], actor=None)
    with pytest.raises(ServiceError):
        registration.project_add_workers(project, [w(1)], actor=None)


def test_project_api_and_web(contractor, users, api_client, client):
    api = api_client(users["officer"])
    body = {
        "contractor": "KONTR0001",
        "number": "JAKON-9",
        "name": "Gedung",
        "contract_value": 100_000_000,
        "start_date": "2024-01-01",
        "end_date": "2024-06-30",
        "workers": [{**w(1), "birth_date": "1985-01-01"}],
    }
    resp = api.post("/api/v1/projects", data=body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["premium"]["total"] == 240_000 and len(resp.json()["workers"]) == 1
    assert api.post("/api/v1/projects", data=body, content_type="application/json").status_code == 409
    assert api.post("/api/v1/projects", data={**body, "contractor": "NONE1", "number": "X-1"}, content_type="application/json").status_code == 404
    assert api.get("/api/v1/projects/JAKON-9").json()["contractor"] == "KONTR0001"
    client.force_login(users["officer"])
    resp = client.post(
        "/projects/new/",
        {
            "contractor": "KONTR0001",
            "number": "JAKON-10",
            "name": "Pagar",
            "contract_value": "50000000",
            "start_date": "2024-02-01",
            "end_date": "2024-04-30",
            "region": "",
        },
    )
    assert resp.status_code == 302
    page = client.get("/projects/JAKON-10/").content.decode()
    assert 'data-testid="project-premium"' in page and "120000" in page.replace(".", "").replace(",", "")
    resp = client.post("/projects/JAKON-10/", {**w(5), "birth_date": "1985-01-05", "region": ""})
    assert resp.status_code == 302 and Participant.objects.filter(project__number="JAKON-10").count() == 1
    client.force_login(users["auditor"])
    assert client.get("/projects/new/").status_code == 403
    assert client.get("/projects/JAKON-10/").status_code == 200
