"""Browser test of a claim: the officer reports and opens it, the verifier verifies, the branch head
approves — and a branch head who verified a claim cannot approve it. In Indonesian."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission

from lindung.claims.models import Claim
from tests.claims.conftest import covered, upload_all, valid_nik_workers  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.contributions.conftest import make_agreement, make_workers  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_officer_opens_verifier_verifies_branch_head_approves(live_server, page, users, covered):  # noqa: F811
    worker = covered[0]
    login(page, live_server, users["officer"])
    page.goto(live_server.url + "/claims/")
    page.get_by_test_id("report-death").click()
    page.fill("#id_participant", worker.kpj_number)
    page.fill("#id_death_date", "2024-02-10")
    page.get_by_test_id("report-submit").click()
    page.wait_for_url(re.compile(r".*/claims/KLM-\d{4}-\d{6}/$"))
    assert "Menunggu pengajuan klaim ahli waris" in page.get_by_test_id("claim-status").inner_text()
    number = Claim.objects.get(participant=worker).number
    page.get_by_test_id("action-open").click()
    page.wait_for_url(re.compile(r".*/intake/$"))
    page.fill("#id_claimant_name", "Siti Aminah")
    page.get_by_test_id("open-save").click()
    page.wait_for_url(re.compile(r".*/intake/$"))
    spouse = Claim.objects.get(number=number).heirs.get(relation="spouse")
    page.select_option("#id_pay-kind", "heir")
    page.select_option("#id_pay-heir", str(spouse.pk))
    page.select_option("#id_pay-bank_code", "119")
    page.fill("#id_pay-account_number", "123")
    page.get_by_test_id("payee-save").click()
    assert "10 angka" in page.get_by_test_id("payee-form").inner_text()  # BRK Syariah accounts have 10 digits
    page.fill("#id_pay-account_number", "1234567890")
    page.get_by_test_id("payee-save").click()
    page.wait_for_selector("text=Penerima disimpan.")
    upload_all(Claim.objects.get(number=number), users["officer"])  # the uploads themselves come with the stored-file kernel
    page.goto(f"{live_server.url}/claims/{number}/")
    page.get_by_test_id("action-submit").click()
    page.wait_for_selector("text=Diajukan")

    login(page, live_server, users["verifier"])
    page.goto(f"{live_server.url}/claims/{number}/")
    for code in ("membership_card", "heir_ktp", "family_card", "death_certificate", "heir_certificate", "heir_bank_account", "marriage_book"):
        page.get_by_test_id(f"accept-{code}").click()
        page.wait_for_url(re.compile(r".*/claims/KLM-.*/$"))
    page.get_by_test_id("action-verify").click()
    page.wait_for_selector("text=Terverifikasi")
    assert page.get_by_test_id("action-approve").count() == 0
    assert "42.000.000" in page.get_by_test_id("benefit-total").inner_text()

    login(page, live_server, users["branch_head"])
    page.goto(f"{live_server.url}/claims/?queue=approval")
    page.get_by_role("link", name=number).click()
    assert "empat puluh dua juta rupiah" in page.get_by_test_id("benefit").inner_text()
    page.get_by_test_id("action-approve").click()
    page.wait_for_selector("text=Siap dibayar")
    assert Claim.objects.get(number=number).status == "ready_for_payment"
    assert page.get_by_test_id("letter-link").count() == 1


def test_a_branch_head_who_verified_cannot_approve(live_server, page, users, covered):  # noqa: F811
    from lindung.claims import heirs as heirs_service
    from lindung.claims import intake
    from lindung.claims.workflow import CLAIM

    claim = intake.report_death(covered[1], actor=users["officer"], death_date="2024-03-01")
    intake.open_claim(claim, actor=users["officer"], funeral_arranger="Ketua RT 03")
    heirs_service.set_payees(
        claim,
        [{"kind": "funeral_arranger", "bank_code": "119", "account_number": "9876543210"}, {"kind": "social_security_fund"}],
        actor=users["officer"],
    )
    upload_all(claim, users["officer"], accept_by=users["verifier"])
    CLAIM.perform(claim, "submit", actor=users["officer"])
    head = users["branch_head"]
    head.user_permissions.add(Permission.objects.get(codename="verify_claim"))
    login(page, live_server, head)
    page.goto(f"{live_server.url}/claims/{claim.number}/")
    page.get_by_test_id("action-verify").click()
    page.wait_for_selector("text=Terverifikasi")
    assert page.get_by_test_id("action-approve").count() == 0  # not offered to whoever verified
    # forcing the step anyway is refused by the kernel, with the reason in Indonesian
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    page.evaluate(
        """([url, token]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        const i = document.createElement('input'); i.name = 'csrfmiddlewaretoken'; i.value = token; f.appendChild(i);
        document.body.appendChild(f); f.submit(); }""",
        [f"/claims/{claim.number}/steps/approve/", token],
    )
    page.wait_for_selector(".messages")
    assert "orang lain" in page.locator(".messages").inner_text()
    assert Claim.objects.get(pk=claim.pk).status == "verified"
