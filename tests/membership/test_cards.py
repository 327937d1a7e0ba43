import datetime as dt
import re

import pytest
import segno

from lindung.core.files.models import StoredFile
from lindung.core.models import AuditEvent, Job
from lindung.membership import cards
from lindung.membership.status import change_status
from tests.membership.test_participants import make_sponsored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def dumai_workers(regions, sponsors):
    return make_sponsored(sponsors["dumai"], 4, serial_from=7000)


def test_token_is_an_hmac_of_the_kpj_and_depends_on_the_secret(settings):
    token = cards.card_token("24000000018")
    assert len(token) == cards.TOKEN_LENGTH and token != cards.card_token("24000000026")
    assert cards.token_matches("24000000018", token) and not cards.token_matches("24000000018", token[:-1] + "0")
    settings.SECRET_KEY = "another-secret"
    assert cards.card_token("24000000018") != token


def test_public_verification_page(dumai_workers, client):
    p = dumai_workers[0]
    resp = client.get(cards.verify_path(p.kpj_number))  # no login
    page = resp.content.decode()
    assert resp.status_code == 200
    assert p.person.full_name not in page and p.person.full_name[0] + "*" in page
    assert "31 Desember 2024" in page  # valid until the agreement's end
    assert client.get(f"/verify/{p.kpj_number}/{'0' * 16}/").status_code == 404
    assert client.get(f"/verify/{dumai_workers[1].kpj_number}/{cards.card_token(p.kpj_number)}/").status_code == 404
    change_status(p, to="ended", effective_date=dt.date(2024, 6, 30), reason="moved")
    info = cards.verification(p.kpj_number, cards.card_token(p.kpj_number))
    assert info["status"] == "ended" and info["valid_until"] == dt.date(2024, 6, 30)


def test_single_card_pdf_web_and_api(dumai_workers, users, client, api_client):
    client.force_login(users["sponsor"])
    resp = client.get(f"/participants/{dumai_workers[0].kpj_number}/card.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf" and resp.content.startswith(b"%PDF")
    resp = api_client(users["officer"]).get(f"/api/v1/participants/{dumai_workers[0].kpj_number}/card.pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    assert api_client(users["sponsor_riau"]).get(f"/api/v1/participants/{dumai_workers[0].kpj_number}/card.pdf").status_code == 404
    # Each download of a card (personal data) is audited, the refused one is not.
    events = AuditEvent.objects.filter(action="file.download", object_id=str(dumai_workers[0].pk))
    assert sorted(e.actor.username for e in events) == sorted([users["sponsor"].username, users["officer"].username])


def test_card_content_and_qr_modules_match_the_verify_url(dumai_workers):
    data = next(cards.card_data(type(dumai_workers[0]).objects.filter(pk=dumai_workers[0].pk)))
    renderer = cards.CardRenderer("https://lindung.example")
    renderer.pdf.set_compression(False)
    renderer.add(data)
    raw = renderer.output().decode("latin-1")
    assert data.kpj in raw and cards.mask_nik(data.nik) in raw and data.nik not in raw and "Pemerintah Kota Dumai" in raw
    ops = re.search(r"q 0 g (.*?) f Q", raw).group(1)
    rects = [tuple(float(v) for v in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) -([\d.]+) re", ops)]
    matrix = segno.make(cards.verify_url(data.kpj, "https://lindung.example"), error="m", micro=False, mask=cards.QR_MASK).matrix
    module = rects[0][3]
    x0 = min(r[0] for r in rects)
    y0 = max(r[1] for r in rects)
    dark = set()
    for x, y, w, _h in rects:
        row = round((y0 - y) / module)
        first = round((x - x0) / module)
        dark.update((row, c) for c in range(first, first + round(w / module)))
    expected = {(r, c) for r, line in enumerate(matrix) for c, v in enumerate(line) if v}
    # the top-left finder pattern fixes the origin: column 0 and row 0 are dark in every QR code
    assert dark == expected


def test_bulk_cards_job_for_a_sponsor(dumai_workers, users, client, data_dir, sponsors, regions):
    make_sponsored(sponsors["riau"], 2, serial_from=7100, number="PKS-R")
    change_status(dumai_workers[3], to="ended", effective_date=dt.date(2024, 3, 31), reason="moved")
    client.force_login(users["sponsor"])
    assert client.get("/sponsors/PEMKO-DUMAI/cards/").status_code == 200
    assert client.get("/sponsors/PEMPROV-RIAU/cards/").status_code == 404
    resp = client.post("/sponsors/PEMKO-DUMAI/cards/")
    assert resp.status_code == 302
    job = Job.objects.get(kind=cards.JOB_KIND)
    assert job.status == "succeeded", job.error
    assert job.result["cards"] == 3 and job.progress_done == 3
    stored = StoredFile.objects.get(pk=job.result["file_id"])
    assert (stored.kind, stored.owner_type, stored.owner_id) == ("membership_cards", "core.job", str(job.pk))
    with stored.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert not (data_dir / "cards").exists()  # kept in the storage, not under a path of its own
    download = client.get(job.result["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="cards.print_bulk").get().changes["cards"] == 3
    # The download of a file with personal data is audited.
    assert AuditEvent.objects.filter(action="file.download", object_id=str(stored.pk), actor=users["sponsor"]).count() == 1
    # Through the one files view too; another sponsor's user gets 404 from both.
    assert client.get(f"/files/{stored.pk}/").status_code == 200
    client.force_login(users["sponsor_riau"])
    assert client.get(job.result["download"]).status_code == 404
    assert client.get(f"/files/{stored.pk}/").status_code == 404


def test_bulk_cards_api(dumai_workers, users, api_client):
    api = api_client(users["officer"])
    resp = api.post("/api/v1/sponsors/PEMKO-DUMAI/cards")
    assert resp.status_code == 202
    job = api.get(f"/api/v1/jobs/{resp.json()['job_id']}").json()
    assert job["status"] == "succeeded" and job["result"]["cards"] == 4
    assert api.post("/api/v1/sponsors/PEMPROV-RIAU/cards").json()["error"]["code"] == "no_cards"
    assert api_client(users["sponsor"]).post("/api/v1/sponsors/PEMPROV-RIAU/cards").status_code == 404


def test_card_jobs_listing_is_scoped(dumai_workers, users, api_client):
    api_client(users["sponsor"]).post("/api/v1/sponsors/PEMKO-DUMAI/cards")
    listing = api_client(users["sponsor"]).get("/api/v1/sponsors/PEMKO-DUMAI/cards").json()
    assert len(listing) == 1 and listing[0]["cards"] == 4 and listing[0]["download"].startswith("/cards/")
    assert api_client(users["sponsor_riau"]).get("/api/v1/sponsors/PEMKO-DUMAI/cards").status_code == 404


def test_long_and_non_latin1_names_still_render():
    renderer = cards.CardRenderer("https://lindung.example")
    renderer.pdf.set_compression(False)
    renderer.add(
        cards.CardData(
            "24000000018",
            "Nguyễn Muhammad Abdurrahman Syahputra Bin Haji Abdullah",
            "1472014503900001",
            ("JKK", "JKM"),
            dt.date(2024, 1, 1),
            None,
            "",
            "BPU",
            "active",
        )
    )
    raw = renderer.output().decode("latin-1")
    assert "Nguy?n Muhammad" in raw and "seterusnya" in raw and "mandiri" in raw  # labels in the default language (id)


def test_verification_says_when_the_card_period_is_over(dumai_workers, client, monkeypatch):
    p = dumai_workers[0]
    token = cards.card_token(p.kpj_number)
    monkeypatch.setattr(cards.timezone, "localdate", lambda: dt.date(2024, 12, 31))
    assert cards.verification(p.kpj_number, token)["status"] == p.status == "active"
    monkeypatch.setattr(cards.timezone, "localdate", lambda: dt.date(2025, 1, 1))
    assert cards.verification(p.kpj_number, token)["status"] == "expired"
    page = client.get(cards.verify_path(p.kpj_number)).content.decode()
    assert 'data-testid="verify-status"' in page and "Active" not in page and "Aktif" not in page
    assert p.person.nik not in page and cards.mask_nik(p.person.nik) not in page


PRINTERS = {"admin", "officer", "sponsor"}


@pytest.mark.parametrize("role", ["admin", "officer", "sponsor", "verifier", "branch_head", "finance", "auditor"])
def test_only_roles_that_print_cards_start_the_bulk_card_job(dumai_workers, users, client, api_client, role):
    """Issue 10 item 6: starting the bulk card job is work of its own (``membership.print_cards``),
    not something every role that reads participants may start."""
    user = users[role]
    allowed = role in PRINTERS
    assert user.has_perm("membership.print_cards") is allowed
    r = api_client(user).post("/api/v1/sponsors/PEMKO-DUMAI/cards")
    assert r.status_code == (202 if allowed else 403), r.content
    client.force_login(user)
    page = client.get("/sponsors/PEMKO-DUMAI/cards/")
    assert page.status_code == 200 and (b'data-testid="print-cards"' in page.content) is allowed
    assert client.post("/sponsors/PEMKO-DUMAI/cards/").status_code == (302 if allowed else 403)
    assert Job.objects.filter(kind=cards.JOB_KIND).count() == (2 if allowed else 0)
    # Retrying a failed card job needs the same permission.
    failed = Job.objects.create(kind=cards.JOB_KIND, status=Job.Status.FAILED, sponsor_ref=dumai_workers[0].sponsor_id)
    assert (api_client(user).post(f"/api/v1/jobs/{failed.pk}/retry").status_code in (201, 202)) is allowed


def test_card_status_is_the_record_until_the_card_period_is_over():
    import datetime as dt

    from lindung.membership.cards import card_status

    on = dt.date(2026, 12, 2)
    assert card_status("active", dt.date(2027, 9, 30), on) == "active"
    assert card_status("grace", dt.date(2027, 9, 30), on) == "grace"
    assert card_status("active", dt.date(2026, 9, 30), on) == "expired"
    assert card_status("ended", dt.date(2024, 2, 1), on) == "ended"
    assert card_status("active", None, on) == "active"
