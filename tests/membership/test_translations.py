"""Registry and membership speak Indonesian first: every message of their code and templates is in
the Indonesian catalogue, and their pages render in Indonesian by default, English when the language
switch chooses it."""

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
    p = make_sponsored(sponsors["dumai"], 1, serial_from=8100)[0]
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
