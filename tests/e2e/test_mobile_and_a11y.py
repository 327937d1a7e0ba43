"""Issue 9 item 6: every main page works on a 375 px phone (no page scrolls sideways, the
navigation collapses behind a menu button) and passes axe-core with no critical or serious
violation; a skip link leads to the content.

axe-core comes from the npm registry at test time (``make vendor-axe``, run by ``.ci/run``), into
``var/vendor`` (never committed); ``LINDUNG_AXE_JS`` may name another copy. Screenshots of every
page at 1366 and 375 px are written to ``LINDUNG_A11Y_SCREENSHOTS`` when it names a directory."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.claims.conftest import upload_all, valid_nik_workers  # noqa: F401  (fixtures)
from tests.contributions.conftest import make_agreement, make_workers  # noqa: F401  (fixtures)
from tests.payouts.conftest import covered_workers, finance2, ready_claim  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("LINDUNG_AXE_JS") or ROOT / "var/vendor/node_modules/axe-core/axe.min.js")


@pytest.fixture
def axe_js() -> str:
    if not AXE.exists():
        message = f"axe-core not found at {AXE} (run `make vendor-axe`)"
        if os.environ.get("LINDUNG_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


@pytest.fixture
def demo_site(settings, tmp_path, monkeypatch):
    from lindung.demo import sponsorship as demo_sponsorship
    from lindung.demo.loading import load_demo
    from lindung.membership.models import Participant

    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    monkeypatch.setattr(demo_sponsorship, "DEMO_ROWS", 12)
    load_demo()
    return {"kpj": Participant.objects.filter(sponsor__isnull=False).order_by("pk").first().kpj_number}


def _pages(demo) -> list[str]:
    return [
        "/",
        "/sponsors/",
        "/sponsors/PEMKO-DUMAI/",
        "/sponsors/PEMKO-DUMAI/roster/",
        "/participants/",
        f"/participants/{demo['kpj']}/",
        "/participants/register/bpu/",
        "/persons/",
        "/employers/",
        "/projects/",
        "/regions/",
        "/contributions/",
        "/contributions/payments/",
        "/claims/",
        "/claims/report/",
        "/payouts/",
        "/audit/",
        "/accounts/users/",
        "/reports/",
        "/reports/sponsors/PEMKO-DUMAI/",
    ]


def _log_in(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _check(page, axe_js, path, width, shots) -> list[str]:
    problems = []
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
    if response is None or response.status != 200:
        return [f"{path}: HTTP {response.status if response else '-'}"]
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        name = path.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{path} at {width}px scrolls sideways by {overflow}px")
    page.add_script_tag(path=axe_js)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    problems += [f"{path} at {width}px: {v}" for v in violations]
    return problems


@pytest.fixture
def axe_page(browser):
    # axe is injected as a script: this context lets it past the site's Content-Security-Policy.
    context = browser.new_context(locale="en-US", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_every_main_page_fits_a_phone_and_passes_axe(live_server, axe_page, demo_site, axe_js, settings):
    page = axe_page
    shots = os.environ.get("LINDUNG_A11Y_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    base = live_server.url
    problems = []
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/accounts/login/")
    problems += _check(page, axe_js, "/accounts/login/", 375, shots)
    _log_in(page, base, "admin", settings.LINDUNG_DEMO_PASSWORD)
    for path in _pages(demo_site):
        for width in (375, 1366):
            problems += _check(page, axe_js, path, width, shots)
    assert problems == [], "\n".join(problems)


def test_the_phone_menu_and_the_skip_link(live_server, page, demo_site, settings):
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 800})
    _log_in(page, base, "admin", settings.LINDUNG_DEMO_PASSWORD)
    nav = page.locator("#main-nav")
    toggle = page.get_by_test_id("nav-toggle")
    assert toggle.is_visible() and not nav.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.set_viewport_size({"width": 1366, "height": 800})
    assert nav.is_visible() and not toggle.is_visible()
    page.goto(base + "/participants/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("e => e === document.activeElement") and skip.get_attribute("href") == "#content"
    assert page.locator("main#content").count() == 1


@pytest.fixture
def detail_objects(demo_site):
    """Objects behind the detail pages: a person, an invoice, a reported death (claim), the roster
    import and its result, a job (the sponsor's cards), as the demo has them."""
    from lindung.accounts.models import User
    from lindung.claims import intake
    from lindung.contributions.models import Invoice
    from lindung.core.models import Job
    from lindung.membership import cards
    from lindung.membership.models import Participant, RosterImport, Sponsor

    sponsored = Participant.objects.get(kpj_number=demo_site["kpj"])
    officer = User.objects.get(username="petugas")
    other = Participant.objects.filter(sponsor__code="PEMKO-DUMAI").exclude(pk=sponsored.pk).order_by("pk").first()
    claim = intake.report_death(other, actor=officer, death_date=dt.date.today() - dt.timedelta(days=5))
    cards.start_sponsor_cards(Sponsor.objects.get(code="PEMKO-DUMAI"), actor=officer, base_url="http://testserver")
    return {
        "kpj": sponsored.kpj_number,
        "person": sponsored.person_id,
        "invoice": Invoice.objects.filter(sponsor__code="PEMKO-DUMAI").order_by("pk").first().number,
        "claim": claim.number,
        "roster_import": RosterImport.objects.filter(sponsor__code="PEMKO-DUMAI").order_by("pk").first().pk,
        "job": str(Job.objects.order_by("created_at").last().pk),
    }


def _detail_pages(o) -> dict[str, list[str]]:
    """The detail pages per user: the admin's, a sponsor user's (disnaker) and an officer's (petugas)."""
    return {
        "admin": [
            f"/persons/{o['person']}/",
            f"/contributions/invoices/{o['invoice']}/",
            f"/claims/{o['claim']}/",
            f"/roster/imports/{o['roster_import']}/",
            f"/jobs/{o['job']}/",
            f"/contributions/participants/{o['kpj']}/",
        ],
        "disnaker": [
            "/",
            "/sponsors/PEMKO-DUMAI/",
            "/sponsors/PEMKO-DUMAI/roster/",
            "/participants/",
            f"/participants/{o['kpj']}/",
            "/contributions/",
            f"/contributions/invoices/{o['invoice']}/",
            "/contributions/sponsors/PEMKO-DUMAI/statement/",
            f"/roster/imports/{o['roster_import']}/",
            "/reports/",
        ],
        "petugas": [
            "/",
            "/participants/",
            f"/participants/{o['kpj']}/",
            "/contributions/coverage/",
            f"/contributions/participants/{o['kpj']}/",
            "/claims/",
            f"/claims/{o['claim']}/",
            f"/persons/{o['person']}/",
        ],
    }


def test_detail_pages_and_a_sponsors_and_an_officers_pages_fit_a_phone_and_pass_axe(live_server, axe_page, detail_objects, axe_js, settings):
    """The same checks as above (no sideways scroll at 375 and 1366 px, no critical or serious axe
    violation) on the detail pages and on the pages a sponsor user and an officer use, in one
    browser page, logging in as each in turn."""
    page = axe_page
    shots = os.environ.get("LINDUNG_A11Y_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    base = live_server.url
    problems = []
    for username, paths in _detail_pages(detail_objects).items():
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1366, "height": 800})
        _log_in(page, base, username, settings.LINDUNG_DEMO_PASSWORD)
        for path in paths:
            for width in (375, 1366):
                problems += [f"{username} {p}" for p in _check(page, axe_js, path, width, shots and f"{shots}/{username}")]
    assert problems == [], "\n".join(problems)


@pytest.fixture
def queue_and_batches(users, sponsors, regions, covered_workers, ready_claim, finance2, settings, tmp_path):  # noqa: F811
    """The branch office's queue with a held roster row and a proposed change, and two payout
    batches: one authorised and exported to the bank, one a draft."""
    import csv

    from bench.roster_gen import HEADER
    from lindung.membership import roster, services
    from lindung.membership.models import ChangeProposal, HeldRow
    from lindung.payouts import services as payouts
    from lindung.registry.nik import make_nik
    from tests.factories import PersonFactory
    from tests.membership.conftest import person_row

    settings.DATA_DIR = tmp_path / "data"
    today = dt.date.today()
    start = today.replace(day=1)
    agreement = services.agreement_create(
        actor=None,
        sponsor=sponsors["dumai"],
        number="PKS-DUMAI-QUEUE",
        start_date=start,
        end_date=start + dt.timedelta(days=400),
        budget=10**9,
        quota=100,
    )
    birth = dt.date(1985, 6, 1)
    known = PersonFactory(nik=make_nik("14.72.01", birth, "M", 7), full_name="Rahmat Hidayat", birth_date=birth, sex="M", region_id="14.72.01.1003")
    moved = PersonFactory(
        nik=make_nik("14.72.01", dt.date(1990, 3, 10), "F", 8),
        full_name="Siti Aminah",
        birth_date=dt.date(1990, 3, 10),
        sex="F",
        region_id="14.72.01.1003",
        phone="081111111111",
    )
    held_row = person_row(birth=dt.date(1990, 3, 10), sex="M", name="Nama Karangan")
    held_row[0] = known.nik
    proposing = person_row(serial=8)  # Siti Aminah, with another phone than the register's
    path = tmp_path / "daftar.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, held_row, proposing])
    roster.import_roster(path, agreement=agreement, start=start, actor=users["sponsor"])
    assert HeldRow.objects.count() == 1 and ChangeProposal.objects.filter(person=moved).count() == 1

    a, b = covered_workers(2)
    exported = payouts.create_batch(
        payouts.create_orders_for_claim(ready_claim(a), actor=users["finance"]), actor=users["finance"], execution_date=dt.date(2024, 3, 20)
    )
    payouts.authorise_batch(exported, actor=finance2)
    b"".join(payouts.export_pain001(exported, actor=users["finance"]))
    draft = payouts.create_batch(payouts.create_orders_for_claim(ready_claim(b), actor=users["finance"]), actor=users["finance"])
    return {"held": HeldRow.objects.get().pk, "proposal": ChangeProposal.objects.get().pk, "batches": [exported.number, draft.number]}


def test_the_branch_queue_and_the_payout_batches_fit_a_phone_and_pass_axe(live_server, axe_page, queue_and_batches, users, axe_js):
    """The same checks (no sideways scroll at 375 and 1366 px, no critical or serious axe
    violation) on the branch office's queue ("Pemeriksaan data": held rows, proposed changes, a
    row and a change beside the register) as a verifier and on the payout batch pages as finance,
    and all of them as the administrator."""
    from tests.conftest import PASSWORD

    o = queue_and_batches
    queue = ["/verification/", "/verification/?tab=proposals", f"/verification/rows/{o['held']}/", f"/verification/changes/{o['proposal']}/"]
    batches = ["/payouts/", "/payouts/batches/", *(f"/payouts/batches/{n}/" for n in o["batches"])]
    page = axe_page
    shots = os.environ.get("LINDUNG_A11Y_SCREENSHOTS")
    base = live_server.url
    problems = []
    for role, paths in (("verifier", queue), ("finance", batches), ("admin", queue + batches)):
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1366, "height": 800})
        _log_in(page, base, users[role].username, PASSWORD)
        for path in paths:
            for width in (375, 1366):
                problems += [f"{role} {p}" for p in _check(page, axe_js, path, width, shots and f"{shots}/{role}")]
    assert problems == [], "\n".join(problems)
