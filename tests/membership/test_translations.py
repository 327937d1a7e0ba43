"""Registry and membership speak Indonesian first: every message of their code and templates is in
the Indonesian catalogue, and their pages render in Indonesian by default, English when the language
switch chooses it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from tests.membership.test_participants import make_sponsored

# The registry and membership contexts: their code and their templates (see tests/core/test_i18n_sources.py).
REGISTRY_AND_MEMBERSHIP = ["registry/", "membership/", "templates/registry/", "templates/membership/"]


def test_registry_and_membership_are_translated_into_indonesian():
    call_command("i18n", "sources", *REGISTRY_AND_MEMBERSHIP)


@pytest.mark.django_db
def test_participant_page_is_indonesian_by_default_and_english_on_request(regions, sponsors, users):
    # under an agreement in force today (a worker of an agreement that ended is no longer active)
    p = make_sponsored(sponsors["dumai"], 1, serial_from=8100, start=dt.date(dt.date.today().year, 1, 1))[0]
    url = f"/participants/{p.kpj_number}/"

    client = Client()
    client.force_login(users["officer"])
    page = client.get(url).content.decode()
    for text in ["Riwayat status", "Kartu peserta (PDF)", "Jenis kelamin", "Bukan Penerima Upah (BPU)", "Iuran bulanan", "Aktif"]:
        assert text in page, text
    assert "Status history" not in page and "Non-wage earner (BPU)" not in page

    english = Client()
    english.force_login(users["officer"])
    english.post("/i18n/setlang/", {"language": "en", "next": url})  # the language switch; the browser's language is ignored
    page = english.get(url).content.decode()
    assert "Status history" in page and "Non-wage earner (BPU)" in page and "Riwayat status" not in page


@pytest.mark.django_db
def test_participant_list_counts_in_indonesian(regions, sponsors, users):
    make_sponsored(sponsors["dumai"], 2, serial_from=8200)
    client = Client()
    client.force_login(users["officer"])
    page = client.get("/participants/").content.decode()
    assert "2 peserta" in page and "KPJ, NIK atau nama" in page and "Pembayar iuran" in page


@pytest.mark.django_db
def test_service_errors_speak_the_active_language_and_keep_their_code(regions, users, api_client):
    """A duplicate sponsor: the web form shows the service's message in Indonesian; the API answers
    in the active language (Indonesian by default, English by the language switch's cookie) with
    the same machine-readable code and fields."""
    from html import unescape

    form = {"code": "CSR-SAWIT", "name": "PT Sawit Makmur (CSR)", "type": "csr", "region": "14.72", "funding_source": "CSR"}
    client = Client()
    client.force_login(users["admin"])
    assert client.post("/sponsors/new/", form).status_code == 302
    page = unescape(client.post("/sponsors/new/", form).content.decode())
    assert "Sponsor dengan kode 'CSR-SAWIT' sudah ada." in page and "exists already" not in page

    body = {"code": "CSR-SAWIT", "name": "N", "type": "csr", "region": "14.72"}
    api = api_client(users["admin"])
    indonesian = api.post("/api/v1/sponsors", body, content_type="application/json")
    assert indonesian.status_code == 409
    assert indonesian.json() == {
        "error": {"code": "duplicate", "message": "Sponsor dengan kode 'CSR-SAWIT' sudah ada.", "fields": {"code": "duplicate"}}
    }
    api.cookies["lindung_language"] = "en"
    english = api.post("/api/v1/sponsors", body, content_type="application/json")
    assert english.status_code == 409
    assert english.json() == {
        "error": {"code": "duplicate", "message": "A sponsor with code 'CSR-SAWIT' exists already.", "fields": {"code": "duplicate"}}
    }
