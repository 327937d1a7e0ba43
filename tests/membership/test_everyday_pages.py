"""Issue 9 point 5, the items without a test of their own elsewhere (see docs/roster.md, "Issue 9
point 5: where each item is tested"): the home panels link the pages they name, the sponsor's
home page has "Unggah daftar pekerja" and the statement, the coverage check is reachable from
the participant page, the search and the staff home page, the roster upload form never
preselects an ended agreement and says when none is in force, and a refused import's error reads
in Indonesian on the result page, never as a raw dict."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from lindung.membership import services
from lindung.membership.models import RosterImport
from lindung.rules.months import add_months, month_start
from tests.membership.test_participants import make_sponsored

pytestmark = pytest.mark.django_db
ROLES = ["admin", "officer", "verifier", "branch_head", "finance", "auditor", "sponsor"]


def _panel_links(html: str) -> list[tuple[str, str]]:
    panels = re.findall(r'<section class="card panel".*?</section>', html, re.S) or re.findall(r'<section class="card".*?</section>', html, re.S)
    return [(href, re.sub(r"<[^>]+>", "", text).strip()) for p in panels for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', p, re.S)]


@pytest.mark.parametrize("role", ROLES)
def test_every_home_panel_link_opens_the_page_it_names(regions, sponsors, users, client, role):
    make_sponsored(sponsors["dumai"], 1, serial_from=8300, start=dt.date(timezone.localdate().year, 1, 1))
    client.force_login(users[role])
    links = _panel_links(client.get("/").content.decode())
    assert links, role
    for href, text in links:
        response = client.get(href)
        assert response.status_code == 200, (role, text, href, response.status_code)
        assert "<h1" in response.content.decode(), (role, href)


def test_sponsor_home_has_the_roster_upload_and_the_statement(regions, sponsors, users, client):
    client.force_login(users["sponsor"])
    links = {text: href for href, text in _panel_links(client.get("/").content.decode())}
    assert links["Unggah daftar pekerja"] == "/sponsors/PEMKO-DUMAI/roster/"
    assert links["Rekening koran iuran"] == "/contributions/sponsors/PEMKO-DUMAI/statement/"


def test_coverage_check_is_reachable_from_the_participant_page_the_search_and_the_staff_home(regions, sponsors, users, client):
    (worker,) = make_sponsored(sponsors["dumai"], 1, serial_from=8400, start=dt.date(timezone.localdate().year, 1, 1))
    client.force_login(users["officer"])
    home = dict(_panel_links(client.get("/").content.decode()))
    assert "/contributions/coverage/" in home
    assert 'href="/contributions/coverage/"' in client.get("/participants/?q=Pekerja").content.decode()
    assert f'href="/contributions/participants/{worker.kpj_number}/"' in client.get(f"/participants/{worker.kpj_number}/").content.decode()
    # the check itself: a KPJ number and a day lead to the answer for that day
    r = client.get("/contributions/coverage/", {"kpj": worker.kpj_number, "on": "2024-03-05"})
    assert r.status_code == 302 and r["Location"] == f"/contributions/participants/{worker.kpj_number}/?on=2024-03-05"
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="coverage-table"' in page and "5 Maret 2024" in page
    unknown = client.get("/contributions/coverage/", {"kpj": "99999999999"})
    assert unknown.status_code == 404 and "Tidak ada peserta dengan nomor KPJ 99999999999." in unknown.content.decode()
    # out of scope is unknown too: another branch's sponsor user learns nothing
    client.force_login(users["sponsor_riau"])
    assert client.get("/contributions/coverage/", {"kpj": worker.kpj_number}).status_code == 404


def _agreement(sponsor, number, start, end):
    return services.agreement_create(actor=None, sponsor=sponsor, number=number, start_date=start, end_date=end, budget=10**12, quota=1000)


def _selected(html: str) -> str | None:
    select = re.search(r'<select name="agreement".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else None


def test_upload_form_never_preselects_an_ended_agreement(regions, sponsors, users, client):
    today = timezone.localdate()
    dumai = sponsors["dumai"]
    _agreement(dumai, "PKS-LAMA", dt.date(today.year - 3, 1, 1), dt.date(today.year - 2, 12, 31))
    client.force_login(users["sponsor"])
    html = client.get("/sponsors/PEMKO-DUMAI/roster/").content.decode()
    # only an ended agreement: nothing chosen for the user, and the page says so plainly
    assert _selected(html) in (None, "")
    assert 'data-testid="no-agreement-in-force"' in html and "Tidak ada perjanjian sponsor ini yang berlaku hari ini" in html
    assert "PKS-LAMA" in html and "berakhir" in html
    # with one in force, that one is chosen and the notice is gone
    _agreement(dumai, "PKS-KINI", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    html = client.get("/sponsors/PEMKO-DUMAI/roster/").content.decode()
    assert _selected(html) == "PKS-KINI" and 'data-testid="no-agreement-in-force"' not in html
    # one still to come is preferred to an ended one
    dumai2 = sponsors["riau"]
    _agreement(dumai2, "PKS-R-LAMA", dt.date(today.year - 3, 1, 1), dt.date(today.year - 2, 12, 31))
    _agreement(dumai2, "PKS-R-BARU", dt.date(today.year + 1, 1, 1), dt.date(today.year + 1, 12, 31))
    client.force_login(users["officer"])
    html = client.get("/sponsors/PEMPROV-RIAU/roster/").content.decode()
    assert _selected(html) == "PKS-R-BARU" and "belum mulai" in html


GOOD = "nik,nama,tanggal_lahir,jenis_kelamin,kode_wilayah\n1472015003900001,Siti Aminah,1990-03-10,P,14.72.01.1003\n"


@pytest.mark.parametrize(
    ("content", "ends_this_month"),
    [
        (b"", False),  # an empty file
        (b"nik,nama,tanggal_lahir,jenis_kelamin,kode_wilayah\n", False),  # a header and no rows
        (GOOD.encode(), True),  # cover would start next month, after the agreement's end
    ],
)
def test_a_refused_import_reads_in_indonesian_on_the_result_page(regions, sponsors, users, client, tmp_path, settings, content, ends_this_month):
    settings.DATA_DIR = tmp_path / "data"
    today = timezone.localdate()
    end = add_months(month_start(today), 1) - dt.timedelta(days=1) if ends_this_month else dt.date(today.year + 1, 12, 31)
    _agreement(sponsors["dumai"], "PKS-KINI", dt.date(today.year, 1, 1), end)
    path = tmp_path / "daftar.csv"
    path.write_bytes(content)
    client.force_login(users["sponsor"])
    with open(path, "rb") as fh:
        r = client.post("/sponsors/PEMKO-DUMAI/roster/", {"agreement": "PKS-KINI", "file": fh})
    if r.status_code == 200:  # refused before an import is recorded: the form says why, in Indonesian
        html = r.content.decode()
        error = re.search(r'<div class="error" role="alert">(.*?)</div>|<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
        error = re.sub(r"<[^>]+>", " ", error.group(1) or error.group(2))
    else:
        batch = RosterImport.objects.latest("pk")
        assert batch.status == "rejected"
        html = client.get(r["Location"]).content.decode()
        error = re.search(r'<p class="error">(.*?)</p>', html, re.S).group(1)
    assert error.strip()
    assert "{" not in error and "&#x27;" not in error and "'error'" not in error  # never a raw dict
    assert re.search(r"\b(berkas|kosong|baris|kolom|perlindungan|perjanjian)\b", error, re.I), error
    assert not re.search(r"\b(file|empty|row|column|missing|cover|outside|agreement)\b", error, re.I), error
