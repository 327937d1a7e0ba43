import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_pages_require_login(client):
    for url in ["/", "/sponsors/", "/regions/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_indonesian_is_the_default_and_english_is_selectable(users):
    c = Client()
    page = c.get("/accounts/login/").content.decode()
    assert 'lang="id"' in page and "Kata sandi" in page
    c.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page_en = c.get("/accounts/login/").content.decode()
    assert 'lang="en"' in page_en and "Password" in page_en


def test_browser_language_does_not_override_indonesian(users):
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/")
    assert page["Content-Language"] == "id"
    assert "Kata sandi" in page.content.decode()


def test_stylesheet_is_found():
    from django.contrib.staticfiles import finders

    assert finders.find("lindung/lindung.css")
    assert finders.find("django_htmx/htmx-2.min.js")


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Request-ID"]


def test_masking():
    from lindung.core.masking import mask_account, mask_name, mask_nik

    assert mask_nik("1472015203900001") == "1472********0001"
    assert mask_name("Siti Rahmawati") == "S*** R********"
    assert mask_account("1234567890") == "******7890"
    assert mask_nik("") == ""


def test_template_filters():
    from lindung.core.templatetags.lindung import audit_change, rupiah

    assert audit_change([None, "PEMKO-DUMAI"]) == "— → PEMKO-DUMAI"
    assert audit_change(["active", "ended"]) == "aktif → berakhir"  # codes in words
    assert audit_change(45) == "45"
    assert rupiah(252000000) == "Rp 252.000.000"
    assert rupiah(-16800) == "-Rp 16.800"
    import datetime as dt

    from lindung.core.templatetags.lindung import tanggal

    assert tanggal("2027-01-01") == "1 Januari 2027"  # a date kept as text in an import's summary
    assert tanggal(dt.date(2023, 10, 1)) == "1 Oktober 2023"
    assert tanggal(None) == "—" and tanggal("bukan tanggal") == "bukan tanggal"


@pytest.mark.parametrize(
    "role, titles",
    [
        ("officer", ["Sponsors", "Data entry", "Participants", "Contributions", "Reports"]),
        ("finance", ["Sponsors", "Participants", "Payments", "Contributions", "Reports"]),
        ("branch_head", ["Sponsors", "Participants", "Claims to check", "Contributions", "Reports"]),
        ("verifier", ["Sponsors", "Participants", "Claims to check", "Reports"]),
        ("sponsor", ["Your programme", "Participants", "Contributions", "Reports"]),
        ("auditor", ["Sponsors", "Participants", "Reports", "Audit trail"]),
        ("admin", ["Sponsors", "Data entry", "Participants", "Contributions", "Reports", "Audit trail"]),
    ],
)
def test_home_panels_come_from_every_context_in_order(users, role, titles):
    """Each context registers its home panels from its AppConfig.ready(); the kernel orders them."""
    from django.utils import translation

    from lindung.core.selectors import home_panels

    with translation.override("en"):
        assert [str(p.title) for p in home_panels(users[role])] == titles


def test_a_row_error_on_the_headings_says_so_in_words():
    from lindung.core.errors import RowError

    assert str(RowError(1, "missing_column", "Kolom tidak ada: nik.", "header")).startswith("baris 1 (baris judul kolom): ")
    assert str(RowError(4, "nik_format", "NIK salah.", "nik")).startswith("baris 4, kolom nik: ")
    assert str(RowError(2, "no_data_rows", "Berkas hanya berisi judul kolom.", "file")).startswith("baris 2: Berkas")  # no "kolom file"


def test_counts_on_the_home_panels_and_lists_are_grouped_the_indonesian_way(users, monkeypatch):
    """A count of 10,017 reads ``10.017`` on an Indonesian page, never ``10017`` (issue 9, one
    number format): the panels' figures go through ``formatting.number`` and every counted phrase in
    a template shows its number through the ``|number`` filter."""
    import pathlib
    import re

    from django.db.models.query import QuerySet
    from django.utils import translation

    from lindung.core.selectors import home_panels

    monkeypatch.setattr(QuerySet, "count", lambda self: 10017)
    with translation.override("id"):
        figures = {str(p.title): p.figure for p in home_panels(users["admin"])}
    assert figures["Peserta"] == "10.017" and figures["Sponsor"] == "10.017", figures

    templates = pathlib.Path(__file__).resolve().parents[2] / "lindung" / "templates"
    counted = re.compile(r"\{%\s*blocktranslate\b[^%]*\bcount\b[^%]*%\}")
    found = [(path.name, tag) for path in templates.rglob("*.html") for tag in counted.findall(path.read_text())]
    assert found, "no counted phrase found: the scan is broken"
    assert [f for f in found if "|number" not in f[1]] == []
