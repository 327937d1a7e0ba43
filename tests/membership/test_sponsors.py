"""Sponsors, agreements and roster imports from the web and the API, with scoping."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bench.roster_gen import write_roster
from lindung.membership.models import Participant, RosterImport, SponsorAgreement

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_api_agreement_create_and_list(users, sponsors, api_client, data_dir):
    client = api_client(users["admin"])
    body = {
        "number": "PKS-DUMAI-2023",
        "start_date": "2023-10-01",
        "end_date": "2024-09-30",
        "budget": 1_008_000_000,
        "quota": 5000,
        "billing_frequency": "quarterly",
    }
    r = client.post("/api/v1/sponsors/PEMKO-DUMAI/agreements", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["quota"] == 5000 and r.json()["programs"] == ["JKK", "JKM"]
    again = client.post("/api/v1/sponsors/PEMKO-DUMAI/agreements", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"
    bad = client.post("/api/v1/sponsors/PEMKO-DUMAI/agreements", {**body, "number": "X", "end_date": "2023-01-01"}, content_type="application/json")
    assert bad.status_code == 400 and "end" in bad.json()["error"]["fields"]
    listed = api_client(users["sponsor"]).get("/api/v1/sponsors/PEMKO-DUMAI/agreements").json()
    assert [a["number"] for a in listed["items"]] == ["PKS-DUMAI-2023"]
    assert api_client(users["sponsor_riau"]).get("/api/v1/sponsors/PEMKO-DUMAI/agreements").status_code == 404
    assert api_client(users["sponsor"]).post("/api/v1/sponsors/PEMKO-DUMAI/agreements", body, content_type="application/json").status_code == 403
    assert api_client(users["officer"]).post("/api/v1/sponsors/PEMKO-DUMAI/agreements", body, content_type="application/json").status_code == 403


def test_api_roster_import_upload_result_and_errors(users, agreement, api_client, data_dir, tmp_path):
    path = write_roster(tmp_path / "r.csv", 100, seed=4)
    client = api_client(users["sponsor"])
    with open(path, "rb") as fh:
        r = client.post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI", "agreement": "PKS-DUMAI-2023", "start": "2023-10-01"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "done" and body["job_id"]
    assert body["summary"]["rows"] == 100 and body["summary"]["enrolled"] == Participant.objects.count() > 90
    detail = client.get(f"/api/v1/roster-imports/{body['id']}").json()
    assert detail["summary"]["rejected"] == body["summary"]["rejected"] > 0
    errors = client.get(f"/api/v1/roster-imports/{body['id']}/errors")
    assert errors.status_code == 200
    text = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].endswith("baris,kode_kesalahan,keterangan")
    # another sponsor neither sees the import nor may upload for Dumai
    other = api_client(users["sponsor_riau"])
    assert other.get(f"/api/v1/roster-imports/{body['id']}").status_code == 404
    with open(path, "rb") as fh:
        assert other.post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI"}).status_code == 404
    assert api_client(users["auditor"]).post("/api/v1/roster-imports", {"sponsor": "PEMKO-DUMAI"}).status_code in (403, 422)


def test_api_rejects_other_file_types(users, agreement, api_client, data_dir):
    # Judged by content, not by name: a PDF (or an HTML page) named .csv is refused.
    for name, content in (("roster.csv", b"%PDF-1.4\n"), ("roster.csv", b"<html><body>x</body></html>")):
        r = api_client(users["officer"]).post("/api/v1/roster-imports", {"file": SimpleUploadedFile(name, content), "sponsor": "PEMKO-DUMAI"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "file_type_refused"
        assert "CSV, XLSX" in r.json()["error"]["message"] and r.json()["error"]["fields"].keys() == {"file"}
    assert not RosterImport.objects.exists()


def test_web_upload_result_and_sponsor_page(users, agreement, data_dir, tmp_path):
    path = write_roster(tmp_path / "r.csv", 60, seed=6)
    client = login(users["sponsor"])
    page = client.get(_url("membership:roster_upload", code="PEMKO-DUMAI"))
    assert page.status_code == 200 and b"PKS-DUMAI-2023" in page.content
    with open(path, "rb") as fh:
        r = client.post(_url("membership:roster_upload", code="PEMKO-DUMAI"), {"agreement": "PKS-DUMAI-2023", "file": fh, "start": "2023-10-01"})
    assert r.status_code == 302
    batch = RosterImport.objects.get()
    result = client.get(r["Location"])
    assert result.status_code == 200
    assert f'id="enrolled">{batch.summary["enrolled"]}<'.encode() in result.content
    assert client.get(_url("membership:roster_import_errors", pk=batch.pk)).status_code == 200
    detail = client.get(_url("membership:sponsor_detail", code="PEMKO-DUMAI"))
    assert b"PKS-DUMAI-2023" in detail.content and b"r.csv" in detail.content
    n = batch.summary["enrolled"]
    assert f"{n} / 5.000".encode() in detail.content or f"{n} / 5,000".encode() in detail.content
    for url in (_url("membership:roster_template", fmt="xlsx"), _url("membership:roster_template", fmt="csv"), _url("membership:roster_sample")):
        assert client.get(url).status_code == 200
    assert login(users["sponsor_riau"]).get(_url("membership:roster_import_detail", pk=batch.pk)).status_code == 404


def test_web_agreement_form_for_admins_only(users, sponsors):
    url = _url("membership:agreement_create", code="PEMKO-DUMAI")
    assert login(users["sponsor"]).get(url).status_code == 403
    assert login(users["officer"]).get(url).status_code == 403
    client = login(users["admin"])
    r = client.post(
        url,
        {
            "number": "PKS-2024",
            "start_date": "2024-10-01",
            "end_date": "2025-09-30",
            "budget": 2_016_000_000,
            "quota": 10000,
            "billing_frequency": "monthly",
            "include_jkm": "on",
            "declared_income": 1_000_000,
            "min_age": 18,
            "max_age": 65,
        },
    )
    assert r.status_code == 302
    a = SponsorAgreement.objects.get(number="PKS-2024")
    assert a.programs == ["JKK", "JKM"] and a.start_date == dt.date(2024, 10, 1)
    dup = client.post(
        url,
        {
            "number": "PKS-2024",
            "start_date": "2024-10-01",
            "end_date": "2025-09-30",
            "budget": 1,
            "quota": 1,
            "billing_frequency": "monthly",
            "declared_income": 1_000_000,
            "min_age": 18,
            "max_age": 65,
        },
    )
    assert dup.status_code == 200 and b"PKS-2024" in dup.content


def test_cli_sponsor_create_and_agreement(regions, data_dir):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("sponsor", "create", "--code", "PEMKAB-X", "--name", "Pemkab X", "--region", "14.72", "--type", "city", stdout=out)
    call_command(
        "sponsor",
        "agreement",
        "PEMKAB-X",
        "--number",
        "PKS-1",
        "--start",
        "2023-10-01",
        "--end",
        "2024-09-30",
        "--budget",
        "1008000000",
        "--quota",
        "5000",
        "--billing",
        "quarterly",
        "--json",
        stdout=out,
    )
    a = SponsorAgreement.objects.get(number="PKS-1")
    assert (a.quota, a.budget, a.billing_frequency) == (5000, 1_008_000_000, "quarterly")


def _url(name, **kwargs):
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def test_cli_sponsor_without_branch_belongs_to_its_regions_branch(branch, data_dir):
    from django.core.management import call_command

    from lindung.membership.models import Sponsor

    call_command("sponsor", "create", "--code", "DESA-X", "--name", "Desa X", "--region", "14.72.01.1003", "--type", "village", stdout=io.StringIO())
    call_command("sponsor", "create", "--code", "PEMPROV-X", "--name", "Provinsi X", "--region", "14", "--type", "province", stdout=io.StringIO())
    assert Sponsor.objects.get(code="DESA-X").branch == branch  # the Dumai branch covers 14.72 and below
    assert Sponsor.objects.get(code="PEMPROV-X").branch is None  # no branch covers the whole province


def test_web_sponsor_create_for_admins_only(users, regions):
    from lindung.membership.models import Sponsor

    url = _url("membership:sponsor_create")
    assert login(users["sponsor"]).get(url).status_code == 403
    assert login(users["officer"]).get(url).status_code == 403
    assert b'data-testid="sponsor-new"' not in login(users["officer"]).get(_url("membership:sponsor_list")).content
    client = login(users["admin"])
    assert b'data-testid="sponsor-new"' in client.get(_url("membership:sponsor_list")).content
    form = {"code": "CSR-SAWIT", "name": "PT Sawit Makmur (CSR)", "type": "csr", "region": "14.72", "funding_source": "CSR"}
    r = client.post(url, form)
    assert r.status_code == 302, r.content
    s = Sponsor.objects.get(code="CSR-SAWIT")
    assert (s.type, s.region_id, s.funding_source, s.branch) == ("csr", "14.72", "CSR", users["admin"].branch)
    assert client.get(r["Location"]).status_code == 200
    bad = client.post(url, {**form, "code": "CSR-2", "region": "99.99"})
    assert bad.status_code == 200 and b"99.99" in bad.content
    dup = client.post(url, form)
    assert dup.status_code == 200 and b"CSR-SAWIT" in dup.content


def test_api_roster_import_takes_an_empty_optional_form_field_as_left_out(users, agreement, api_client, data_dir, tmp_path):
    """Schemathesis: an optional date sent empty (``start=``, as a form sends an empty input)
    answered 422 ``start: input is too short``."""
    path = write_roster(tmp_path / "r.csv", 3, seed=5)
    with open(path, "rb") as fh:
        r = api_client(users["sponsor"]).post(
            "/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI", "agreement": "", "start": "", "sheet": "", "mapping": "", "dry_run": ""}
        )
    # the import ran with its defaults: the cover starts today, outside this 2023–2024 agreement
    assert r.status_code == 422 and "error" not in r.json(), r.content
    assert r.json()["dry_run"] is False and list(r.json()["summary"]) == ["error"]
    assert "di luar perjanjian PKS-DUMAI-2023" in r.json()["summary"]["error"]  # said in Indonesian, naming the agreement
