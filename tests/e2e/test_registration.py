import datetime as dt
import re

import pytest

from lindung.membership import registration
from lindung.membership.models import Participant, WageReport
from lindung.registry.nik import make_nik
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_officer_registers_a_bpu_worker_sees_the_premium_and_the_card_verifies(live_server, page, users):
    login(page, live_server, users["officer"])
    page.goto(live_server.url + "/participants/")
    page.get_by_test_id("register-bpu").click()
    page.fill("#id_nik", make_nik("14.72.06", dt.date(1985, 4, 17), "M", 77))
    page.fill("#id_full_name", "Ahmad Fauzi")
    page.fill("#id_birth_date", "1985-04-17")
    page.select_option("#id_sex", "M")
    page.select_option("#id_region", "14.72.06.1001")
    page.fill("#id_start_date", "2024-02-01")
    page.fill("#id_declared_income", "500000")
    page.locator("#id_declared_income").dispatch_event("change")
    page.wait_for_selector("#premium .error")
    page.fill("#id_declared_income", "1000000")
    page.locator("#id_declared_income").dispatch_event("change")
    page.wait_for_selector("#premium strong")
    assert re.sub(r"\D", "", page.locator("#premium strong").inner_text()) == "16800"
    page.click("[data-testid=bpu-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/participants/\d{11}/$"))
    kpj = Participant.objects.get().kpj_number
    assert kpj in page.get_by_test_id("participant-title").inner_text()
    assert page.get_by_test_id("programmes").inner_text() == "JKK, JKM"
    verify_href = page.get_by_role("link", name=re.compile("verif", re.I)).get_attribute("href")
    page.context.clear_cookies()  # the verification page needs no login
    page.goto(live_server.url + verify_href)
    assert page.get_by_test_id("verify-status").inner_text().strip() in {"Aktif", "Active"}
    assert "Ahmad Fauzi" not in page.content()


def test_wage_report_with_a_bad_row_is_refused_then_saved(live_server, page, users, regions):
    employer = registration.employer_create(actor=users["officer"], npp="DMI21001", name="PT Pelabuhan Dumai", risk_class="medium")
    workers = registration.register_pu_workers(
        employer,
        [
            {
                "nik": make_nik("14.72.01", dt.date(1990, 1, i), "M", i),
                "full_name": f"Pekerja {i}",
                "birth_date": dt.date(1990, 1, i),
                "sex": "M",
                "wage": 4_000_000,
                "start_date": dt.date(2024, 1, 1),
            }
            for i in (1, 2)
        ],
        actor=users["officer"],
    )
    login(page, live_server, users["officer"])
    page.goto(live_server.url + f"/employers/{employer.npp}/")
    page.get_by_test_id("wages-link").click()
    page.fill("#id_period", "2024-02-01")
    page.fill(f"#wage_{workers[0].kpj_number}", "4200000")
    page.fill(f"#wage_{workers[1].kpj_number}", "0")
    page.click("[data-testid=wage-form] button[type=submit]")
    page.get_by_test_id("row-errors").wait_for()
    assert page.get_by_test_id("row-errors").is_visible()
    assert WageReport.objects.count() == 0
    page.fill(f"#wage_{workers[1].kpj_number}", "4300000")
    page.click("[data-testid=wage-form] button[type=submit]")
    page.wait_for_url(live_server.url + f"/employers/{employer.npp}/")
    assert "Februari 2024" in page.get_by_test_id("wage-months").inner_text()
    assert WageReport.objects.count() == 2


def test_a_failed_form_keeps_what_was_typed_focuses_the_error_and_takes_indonesian_amounts(live_server, page, users):
    login(page, live_server, users["officer"])
    page.goto(live_server.url + "/participants/register/bpu/")
    page.fill("#id_nik", make_nik("14.72.06", dt.date(1985, 4, 17), "M", 78))
    page.fill("#id_full_name", "Ahmad Fauzi")
    page.fill("#id_birth_date", "1985-04-17")
    page.select_option("#id_sex", "M")
    page.select_option("#id_region", "14.72.06.1001")
    page.fill("#id_start_date", "2024-02-01")
    page.fill("#id_declared_income", "sejuta")
    page.click("[data-testid=bpu-form] button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert page.input_value("#id_full_name") == "Ahmad Fauzi" and page.input_value("#id_declared_income") == "sejuta"
    assert page.evaluate("document.activeElement.id") == "id_declared_income"
    page.fill("#id_declared_income", "Rp 1.000.000")
    page.click("[data-testid=bpu-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/participants/\d{11}/$"))
    assert Participant.objects.get().wage == 1_000_000
