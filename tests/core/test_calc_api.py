import pytest

from lindung.rules import BenefitCase, calculate_benefit

pytestmark = pytest.mark.django_db


def test_contribution_over_rest_matches_the_library(api_client, users):
    response = api_client(users["sponsor"]).post(
        "/api/v1/calc/contribution",
        {"segment": "BPU", "date": "2024-01-15", "programs": ["JKK", "JKM"], "wage": 1_000_000},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 16_800
    assert {c["program"]: c["amount"] for c in body["components"]} == {"JKK": 10_000, "JKM": 6_800}


def test_dumai_jkk_death_over_rest(api_client, users):
    payload = {"program": "JKK", "event_date": "2023-11-02", "outcome": "death", "wage": 1_800_000, "contribution_months": 2}
    body = api_client(users["verifier"]).post("/api/v1/calc/benefit", payload, content_type="application/json").json()
    assert body["total"] == 108_400_000
    library = calculate_benefit(
        BenefitCase(program="JKK", event_date=__import__("datetime").date(2023, 11, 2), outcome="death", wage=1_800_000, contribution_months=2)
    )
    assert body["total"] == library.total
    assert {c["code"] for c in body["components"]} >= {"santunan_kematian", "santunan_berkala", "biaya_pemakaman"}


def test_invalid_case_names_the_field(api_client, users):
    response = api_client(users["officer"]).post(
        "/api/v1/calc/benefit", {"program": "JKM", "event_date": "not-a-date"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "event_date" in response.json()["error"]["fields"]


def test_heirs_over_rest(api_client, users):
    payload = {"relatives": [{"id": "ibu", "relation": "parent"}, {"id": "istri", "relation": "spouse"}, {"id": "anak", "relation": "child"}]}
    body = api_client(users["officer"]).post("/api/v1/calc/heirs", payload, content_type="application/json").json()
    assert body["class"] == "spouse_or_children"
    assert sorted(body["heirs"]) == ["anak", "istri"]


def test_calculators_need_authentication(client):
    assert client.post("/api/v1/calc/contribution", {}, content_type="application/json").status_code == 401


def _calc_command(monkeypatch, argv, payload):
    import io
    import json

    from django.core.management import call_command

    monkeypatch.setattr("sys.stdin", io.StringIO(payload))
    out = io.StringIO()
    try:
        call_command("calc", *argv, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_lindung_calc_command_answers_json(monkeypatch):
    code, body = _calc_command(monkeypatch, ["benefit"], '{"program": "JKK", "event_date": "2023-11-20", "outcome": "death", "wage": 1800000}')
    assert code == 0
    assert body["total"] == 108_400_000
    code, body = _calc_command(monkeypatch, ["contribution"], '{"segment": "BPU", "date": "2024-01-01", "wage": -1}')
    assert code == 2
    assert "wage" in body["error"]["fields"]


def test_lindung_calc_without_a_kind_is_a_json_error(monkeypatch):
    code, body = _calc_command(monkeypatch, [], "{}")
    assert code == 2
    assert "kind" in body["error"]["fields"]
