"""Issue 10 item 9 (server errors): huge page numbers, one schema name per schema."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "10704391857532467200"
LISTS = ["/api/v1/persons", "/api/v1/regions", "/api/v1/roster-imports", "/api/v1/sponsors", "/api/v1/participants", "/api/v1/audit-events"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", [f"page={HUGE}", f"page=-{HUGE}", "page=0", f"page_size={HUGE}", f"page=2&page_size=-{HUGE}"])
def test_api_lists_clamp_their_page(api_client, users, regions, path, query):
    response = api_client(users["admin"]).get(f"{path}?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert 1 <= body["page"] <= max(1, body["pages"])
    assert 1 <= body["page_size"] <= 500


def test_a_page_beyond_the_last_answers_the_last(api_client, users, regions):
    client = api_client(users["admin"])
    first = client.get("/api/v1/regions?page_size=5").json()
    assert first["pages"] > 1
    last = client.get(f"/api/v1/regions?page_size=5&page={HUGE}").json()
    assert last["page"] == first["pages"] and last["items"]


@pytest.mark.parametrize("path", ["/persons/", "/regions/", "/participants/", "/sponsors/", "/employers/", "/contributions/", "/claims/"])
def test_web_lists_clamp_their_page(client, users, regions, path):
    client.force_login(users["admin"])
    for page in [HUGE, f"-{HUGE}", "abc", "0"]:
        assert client.get(f"{path}?page={page}").status_code == 200, (path, page)


def test_schema_names_are_unique_and_the_jobs_endpoint_documents_its_answer(client):
    schema = client.get("/api/v1/openapi.json").json()
    job = schema["paths"]["/api/v1/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    job_schema = schema["components"]["schemas"][job["$ref"].rsplit("/", 1)[1]]
    assert "kind" in job_schema["properties"] or "progress" in job_schema["properties"], job_schema["properties"].keys()
    cards = schema["paths"]["/api/v1/sponsors/{code}/cards"]["post"]["responses"]["202"]["content"]["application/json"]["schema"]
    assert cards["$ref"] != job["$ref"]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/v1/sponsors", {"code": "X1", "name": "Nama\x00Jahat", "type": "city", "region": "14.72"}),
        ("post", "/api/v1/persons", {"nik": "1472015003900001", "full_name": "Siti\x00", "birth_date": "1990-03-10", "sex": "F"}),
        ("get", "/api/v1/persons?q=14\x0072", None),
        ("get", "/api/v1/regions?q=Dum\x00ai", None),
    ],
)
def test_nul_characters_are_a_clear_error_not_a_server_error(api_client, users, regions, method, path, body):
    client = api_client(users["admin"])
    if method == "post":
        response = client.post(path, body, content_type="application/json")
    else:
        response = client.get(path)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and "NUL" in " ".join(error["fields"].values())


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/employers/NPP0001/wages/csv?period=2024-01-01",
        "/api/v1/claims/KLM-1/documents",
        "/api/v1/payouts/scholarships/1/proof",
        "/api/v1/roster-imports",
    ],
)
def test_a_multipart_body_without_its_boundary_is_a_clear_error(api_client, users, path):
    """Schemathesis: ``Content-Type: multipart/form-data`` without a boundary answered 500."""
    response = api_client(users["admin"]).post(path, b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "bad_request"
