import datetime as dt

import pytest

from lindung.membership import registration
from lindung.membership.kpj import format_kpj
from lindung.membership.models import SponsorAgreement
from lindung.membership.status import change_status
from lindung.registry.models import FamilyMember
from lindung.registry.nik import make_nik
from tests.factories import AgreementFactory, PersonFactory, SponsoredParticipantFactory

pytestmark = pytest.mark.django_db


def make_sponsored(sponsor, count, *, start=dt.date(2024, 1, 1), serial_from=5000, number="PKS-1", branch=None):
    """``count`` sponsored BPU participants of ``sponsor`` under agreement ``number`` (created the
    first time), from the factories; ``serial_from`` keeps NIKs and KPJ numbers apart between calls."""
    agreement = SponsorAgreement.objects.filter(sponsor=sponsor, number=number).first() or AgreementFactory(
        sponsor=sponsor, number=number, start_date=start
    )
    return [
        SponsoredParticipantFactory(
            agreement=agreement,
            branch=branch or sponsor.branch,
            person=PersonFactory(serial=serial_from + i, full_name=f"Pekerja Rentan {serial_from + i}"),
            kpj_number=format_kpj(start.year, 900_000 + serial_from + i),
        )
        for i in range(count)
    ]


@pytest.fixture
def population(regions, sponsors, branch):
    dumai = make_sponsored(sponsors["dumai"], 3, serial_from=5000)
    riau = make_sponsored(sponsors["riau"], 2, serial_from=6000, number="PKS-R")
    FamilyMember.objects.create(person=dumai[0].person, relation="child", full_name="Anak Satu", birth_date=dt.date(2015, 1, 1), school_level="SD")
    self_paying = registration.register_bpu(
        actor=None,
        person={
            "nik": make_nik("14.72.06", dt.date(1985, 4, 17), "M", 1),
            "full_name": "Ahmad Fauzi",
            "birth_date": dt.date(1985, 4, 17),
            "sex": "M",
        },
        declared_income=1_500_000,
        start_date=dt.date(2024, 2, 1),
        branch=branch,
    )
    employer = registration.employer_create(actor=None, npp="DMI21001", name="PT Pelabuhan", risk_class="medium", branch=branch)
    pu = registration.register_pu_workers(
        employer,
        [
            {
                "nik": make_nik("14.72.01", dt.date(1990, 1, 1), "M", 2),
                "full_name": "Budi Santoso",
                "birth_date": dt.date(1990, 1, 1),
                "sex": "M",
                "wage": 4_000_000,
                "start_date": dt.date(2024, 1, 1),
            }
        ],
        actor=None,
        branch=branch,
    )
    change_status(riau[1], to="ended", effective_date=dt.date(2024, 5, 31), reason="moved")
    return {"dumai": dumai, "riau": riau, "self": self_paying, "pu": pu, "employer": employer}


def kpjs(resp):
    return {i["kpj_number"] for i in resp.json()["items"]}


def test_api_list_filters_and_masks(population, users, api_client):
    api = api_client(users["officer"])
    everyone = api.get("/api/v1/participants")
    assert everyone.json()["count"] == 7
    item = next(i for i in everyone.json()["items"] if i["kpj_number"] == population["self"].kpj_number)
    assert item["nik_masked"] == population["self"].person.nik[:4] + "********" + population["self"].person.nik[-4:]
    assert "nik" not in item
    assert kpjs(api.get("/api/v1/participants?segment=PU")) == {population["pu"][0].kpj_number}
    assert kpjs(api.get("/api/v1/participants?status=ended")) == {population["riau"][1].kpj_number}
    assert kpjs(api.get("/api/v1/participants?sponsor=PEMPROV-RIAU")) == {p.kpj_number for p in population["riau"]}
    assert kpjs(api.get("/api/v1/participants?employer=DMI21001")) == {population["pu"][0].kpj_number}
    assert kpjs(api.get("/api/v1/participants?q=ahmad")) == {population["self"].kpj_number}
    assert kpjs(api.get(f"/api/v1/participants?q={population['dumai'][1].kpj_number}")) == {population["dumai"][1].kpj_number}
    assert kpjs(api.get(f"/api/v1/participants?q={population['dumai'][1].person.nik}")) == {population["dumai"][1].kpj_number}


def test_sponsor_sees_only_own_participants_and_a_masked_nik(population, users, api_client):
    api = api_client(users["sponsor"])
    assert kpjs(api.get("/api/v1/participants")) == {p.kpj_number for p in population["dumai"]}
    assert api.get(f"/api/v1/participants/{population['riau'][0].kpj_number}").status_code == 404
    assert api.get(f"/api/v1/participants/{population['self'].kpj_number}").status_code == 404
    own = population["dumai"][0]
    detail = api.get(f"/api/v1/participants/{own.kpj_number}").json()
    assert detail["person"]["nik"] == own.person.nik[:4] + "********" + own.person.nik[-4:]
    assert detail["family"] == []  # a sponsor sees its workers' identity, never their family
    assert detail["sponsorships"][0]["sponsor"] == "PEMKO-DUMAI"
    staff = api_client(users["verifier"]).get(f"/api/v1/participants/{own.kpj_number}").json()
    assert staff["family"][0]["school_level"] == "SD"
    assert staff["person"]["nik"] == own.person.nik


def test_api_detail_has_history_premium_and_verify_url(population, users, api_client):
    api = api_client(users["auditor"])
    ended = api.get(f"/api/v1/participants/{population['riau'][1].kpj_number}").json()
    assert [(s["from_status"], s["to_status"], s["reason"]) for s in ended["status_history"]] == [("active", "ended", "moved")]
    assert ended["sponsorships"][0]["end_date"] == "2024-05-31" and ended["premium"] is None and ended["valid_until"] == "2024-05-31"
    own = api.get(f"/api/v1/participants/{population['self'].kpj_number}").json()
    assert own["premium"]["total"] == 21_800  # JKK 15,000 + JKM 6,800
    assert own["status_history"][0]["to_status"] == "active" and own["valid_until"] is None
    assert own["card_verify_url"].startswith("http://testserver/verify/" + population["self"].kpj_number + "/")
    assert api.get("/api/v1/participants/00000000000").status_code == 404


def test_web_list_and_detail(population, users, client):
    client.force_login(users["officer"])
    page = client.get("/participants/", {"segment": "BPU", "status": "active"}).content.decode()
    assert population["self"].kpj_number in page and population["pu"][0].kpj_number not in page
    assert population["self"].person.nik not in page  # lists mask the NIK
    detail = client.get(f"/participants/{population['dumai'][0].kpj_number}/").content.decode()
    assert population["dumai"][0].person.nik in detail and "Anak Satu" in detail
    client.force_login(users["sponsor"])
    page = client.get("/participants/").content.decode()
    assert population["dumai"][0].kpj_number in page and population["riau"][0].kpj_number not in page
    detail = client.get(f"/participants/{population['dumai'][0].kpj_number}/").content.decode()
    assert population["dumai"][0].person.nik not in detail
    assert client.get(f"/participants/{population['riau'][0].kpj_number}/").status_code == 404
    assert client.get("/participants/register/bpu/").status_code == 403


def test_officer_ends_a_membership_with_an_exit_reason(population, users, api_client, client):
    api = api_client(users["officer"])
    kpj = population["self"].kpj_number
    bad = api.post(f"/api/v1/participants/{kpj}/end", data={"effective_date": "2024-06-30", "reason": "bored"}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    early = api.post(f"/api/v1/participants/{kpj}/end", data={"effective_date": "2023-01-01", "reason": "lapsed"}, content_type="application/json")
    assert early.status_code == 400
    resp = api.post(
        f"/api/v1/participants/{kpj}/end",
        data={"effective_date": "2024-06-30", "reason": "lapsed", "note": "no payment"},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["status"], body["exit_reason"], body["end_date"]) == ("ended", "lapsed", "2024-06-30")
    assert body["status_history"][-1]["to_status"] == "ended" and body["status_history"][-1]["note"] == "no payment"
    again = api.post(f"/api/v1/participants/{kpj}/end", data={"effective_date": "2024-06-30", "reason": "lapsed"}, content_type="application/json")
    assert again.status_code == 409
    # sponsored: the open sponsorship closes with it (web form)
    sponsored = population["dumai"][2]
    client.force_login(users["officer"])
    assert client.post(f"/participants/{sponsored.kpj_number}/end/", {"reason": "death", "effective_date": "2024-04-10"}).status_code == 302
    period = sponsored.sponsorships.get()
    assert (period.end_date, period.end_reason) == (dt.date(2024, 4, 10), "death")
    client.force_login(users["sponsor"])
    assert client.get(f"/participants/{population['dumai'][0].kpj_number}/end/").status_code == 403
    assert (
        api_client(users["auditor"])
        .post(
            f"/api/v1/participants/{population['dumai'][0].kpj_number}/end",
            data={"effective_date": "2024-06-30", "reason": "moved"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
