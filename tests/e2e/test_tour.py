"""The guided tour (docs/tour.md), walked in the browser on the Dumai scenario: the sponsor imports a
roster and sees its invoices; an officer reports a death and opens the claim; the verifier and the
branch head decide it; finance pays it; the hand-over list; the branch's home panel and the reports.

The same walk makes the tour's screenshots: ``make screenshots`` (LINDUNG_SCREENSHOTS=docs/screenshots)
writes them at 1366 px wide; without it they go to a temporary directory."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from lindung.accounts.models import User
from lindung.claims.models import Claim
from lindung.demo.dumai import build, people
from lindung.membership.models import Participant
from lindung.payouts.models import HandoverEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", django_settings.LINDUNG_DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_the_tour(live_server, browser, settings, tmp_path):
    settings.DEBUG = True
    build.build(workers=20)
    shots = Path(os.environ.get("LINDUNG_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="id-ID", viewport={"width": 1366, "height": 860})
    page = context.new_page()

    def shot(name):
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    today = dt.date.today()
    # 1. The sponsor (Disnaker) imports a roster: an office's own list.
    _login(page, live_server, "disnaker")
    page.goto(live_server.url + "/sponsors/PEMKO-DUMAI/")
    shot("01-sponsor")
    roster = people.write_xlsx(
        tmp_path / "tambahan.xlsx",
        people.generate(3, seed=99, on=today, serial_base=9000),
        title=f"DAFTAR PEKERJA RENTAN TAMBAHAN TAHUN {today.year}",
        subtitle="Program JKK dan JKM",
        signed_on=today,
    )
    page.click("#upload-roster")
    page.set_input_files("#id_file", str(roster))
    page.click("#upload-submit")
    page.wait_for_selector("#roster-summary")
    assert "3" in page.locator("#roster-summary").inner_text()
    shot("02-roster-import")
    # 2. Its invoices.
    page.goto(live_server.url + "/contributions/")
    assert "PKS-DUMAI" in page.content() or "INV-" in page.content()
    shot("03-invoices")

    # 3. The officer reports a death and opens the claim.
    worker = Participant.objects.filter(sponsor__code="PEMKO-DUMAI", status="active", start_date=dt.date(2023, 10, 1)).order_by("kpj_number").first()
    from lindung.registry import services as registry

    registry.family_member_add(
        worker.person,
        actor=User.objects.get(username="petugas"),
        relation="spouse",
        full_name="Nurhayati Lubis",
        birth_date=worker.person.birth_date + dt.timedelta(days=700),
        sex="F" if worker.person.sex == "M" else "M",
    )
    _login(page, live_server, "petugas")
    page.goto(live_server.url + "/claims/")
    page.get_by_test_id("report-death").click()
    page.fill("#id_participant", worker.kpj_number)
    page.fill("#id_death_date", today.isoformat())
    page.get_by_test_id("report-submit").click()
    page.wait_for_url(re.compile(r".*/claims/KLM-\d{4}-\d{6}/$"))
    number = Claim.objects.get(participant=worker).number
    page.get_by_test_id("action-open").click()
    page.wait_for_url(re.compile(r".*/intake/$"))
    page.fill("#id_claimant_name", "Nurhayati Lubis")
    page.get_by_test_id("open-save").click()
    page.wait_for_url(re.compile(r".*/intake/$"))
    spouse = Claim.objects.get(number=number).heirs.get(relation="spouse")
    page.select_option("#id_pay-kind", "heir")
    page.select_option("#id_pay-heir", str(spouse.pk))
    page.select_option("#id_pay-bank_code", "119")
    page.fill("#id_pay-account_number", "1234567890")
    page.get_by_test_id("payee-save").click()
    page.wait_for_selector("text=Penerima disimpan.")
    from lindung.demo.dumai.cases import upload_scans

    upload_scans(Claim.objects.get(number=number), User.objects.get(username="petugas"))  # the scans, uploaded
    page.goto(f"{live_server.url}/claims/{number}/intake/")
    shot("04-claim-intake")
    page.goto(f"{live_server.url}/claims/{number}/")
    page.get_by_test_id("action-submit").click()
    page.wait_for_selector("text=Diajukan")

    # 4. The verifier accepts the documents and verifies; the branch head approves.
    _login(page, live_server, "verifikator")
    page.goto(f"{live_server.url}/claims/{number}/")
    for doc in Claim.objects.get(number=number).documents.all():
        page.get_by_test_id(f"accept-{doc.code}").click()
        page.wait_for_url(re.compile(r".*/claims/KLM-.*/$"))
    page.get_by_test_id("action-verify").click()
    page.wait_for_selector("text=Terverifikasi")
    shot("05-claim-verified")
    _login(page, live_server, "kepala")
    page.goto(f"{live_server.url}/claims/{number}/")
    page.get_by_test_id("action-approve").click()
    page.wait_for_selector("text=Siap dibayar")
    shot("06-claim-approved")

    # 5. Finance pays it: the order, a batch authorised by a second finance user.
    _login(page, live_server, "keuangan")
    page.goto(live_server.url + "/payouts/")
    page.get_by_test_id(f"order-{number}").click()
    page.wait_for_selector("text=perintah bayar dibuat")
    shot("07-payment-orders")
    from lindung.payouts.models import PaymentOrder

    for order in PaymentOrder.objects.filter(claim__number=number):
        page.get_by_test_id(f"pick-{order.number}").check()
    page.get_by_test_id("make-batch").click()
    page.wait_for_url(re.compile(r".*/payouts/batches/PB-\d{4}-\d{6}/$"))
    url = page.url
    _login(page, live_server, "bendahara")
    page.goto(url)
    page.get_by_test_id("action-authorise").click()
    page.wait_for_selector("text=Batch diotorisasi.")
    shot("08-batch-authorised")

    # 6. The hand-over list of 21 March 2024.
    event = HandoverEvent.objects.get(date=dt.date(2024, 3, 21))
    page.goto(f"{live_server.url}/payouts/events/{event.pk}/")
    assert "504.000.000" in page.content()
    shot("09-handover")

    # 7. The branch head's home panel, then the reports: Dumai's first quarter of 2024, the story's figures.
    _login(page, live_server, "kepala")
    page.goto(live_server.url + "/")
    shot("10-branch-home")
    page.get_by_test_id("nav-reports").click()
    page.get_by_test_id("report-PEMKO-DUMAI").click()
    page.wait_for_url(re.compile(r".*/reports/sponsors/PEMKO-DUMAI/$"))
    page.fill("#period", "2024-Q1")
    page.press("#period", "Enter")
    page.wait_for_url(re.compile(r".*period=2024-Q1$"))
    assert page.get_by_test_id("kf-cases").inner_text() == "14"  # the 14 cases by the hand-over
    assert page.get_by_test_id("kf-handover").inner_text() == "Rp 504.000.000"
    shot("11-reports")
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    assert download.value.suggested_filename == "laporan-pemko-dumai-2024-q1.pdf"
    # the sponsor reads its own report: 5,000 workers from October 2023 (here 20), the first quarter billed
    _login(page, live_server, "disnaker")
    page.get_by_test_id("nav-reports").click()
    page.wait_for_url(re.compile(r".*/reports/sponsors/PEMKO-DUMAI/$"))
    page.goto(live_server.url + "/reports/sponsors/PEMKO-DUMAI/?period=2023-Q4")
    assert page.get_by_test_id("kf-billed").inner_text() == "Rp 1.008.000"  # 20 × 16.800 × 3 (252.000.000 at 5.000)
    context.close()
    assert len(list(shots.glob("*.png"))) >= 11
