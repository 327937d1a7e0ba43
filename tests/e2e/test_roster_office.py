"""Browser test (issue 9): a Disnaker office's own Excel list uploaded through the real page."""

import datetime as dt

import pytest

from tests.conftest import PASSWORD
from tests.membership.office_rosters import DUMAI_WORKERS, SECOND_WORKERS, SIGNATURE, office_xlsx, second_layout_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(page, live_server, sponsor_code, path):
    page.goto(live_server.url + f"/sponsors/{sponsor_code}/")
    page.click("#upload-roster")
    page.select_option("#id_agreement", "PKS-DUMAI-2023")  # ended today: never preselected
    page.set_input_files("#id_file", str(path))
    page.fill("#id_start", "2023-10-01")
    page.click("#upload-submit")
    page.wait_for_selector("#roster-summary")
    return page.locator("#roster-status")


def test_office_lists_are_enrolled_exactly_and_the_signature_is_ignored(live_server, page, users, sponsors, settings, tmp_path):
    from lindung.membership import services
    from lindung.membership.models import Participant

    settings.DATA_DIR = tmp_path
    services.agreement_create(
        actor=None,
        sponsor=sponsors["dumai"],
        number="PKS-DUMAI-2023",
        start_date=dt.date(2023, 10, 1),
        end_date=dt.date(2024, 9, 30),
        budget=1_008_000_000,
        quota=5000,
        billing_frequency="quarterly",
    )
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", users["sponsor"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    status = _upload(page, live_server, sponsors["dumai"].code, office_xlsx(tmp_path / "DAFTAR PEKERJA RENTAN KOTA DUMAI 2024.xlsx"))
    assert status.get_attribute("data-status") == "done"
    valid = [w for w in DUMAI_WORKERS if w[-1]]
    assert page.locator("#enrolled").inner_text() == str(len(valid))
    assert page.locator("dd#rejected").inner_text() == "2"
    assert page.locator("#ignored-count").inner_text() == str(len(SIGNATURE))
    page.click("#ignored-lines summary")
    ignored = page.locator("#ignored-lines td:nth-child(2)").all_inner_texts()
    assert ignored == SIGNATURE
    assert "region_name_unknown" in page.locator("#reasons").inner_text()
    unknown = page.locator('#rejected-rows tr[data-code="region_name_unknown"]').first.locator("td").all_inner_texts()
    assert unknown[0] == "12" and "Sukamaju" in unknown[4] and "Dumai Barat" in unknown[4]
    assert set(Participant.objects.values_list("person__full_name", flat=True)) == {w[0] for w in valid}

    status = _upload(page, live_server, sponsors["dumai"].code, second_layout_xlsx(tmp_path / "data-pekerja.xlsx"))
    assert status.get_attribute("data-status") == "done"
    assert page.locator("#enrolled").inner_text() == str(len(SECOND_WORKERS))
    assert page.locator("dd#rejected").inner_text() == "0"
    assert Participant.objects.count() == len(valid) + len(SECOND_WORKERS)
