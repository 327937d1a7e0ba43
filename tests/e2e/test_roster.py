import datetime as dt

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sponsor_uploads_a_roster_and_downloads_the_error_file(live_server, page, users, sponsors, settings, tmp_path):
    from lindung.membership import roster, services

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
    page.goto(live_server.url + f"/sponsors/{sponsors['dumai'].code}/")
    assert "PKS-DUMAI-2023" in page.locator("#agreements").inner_text()
    page.click("#upload-roster")
    # The 2023-24 agreement has ended today: the form never preselects it, the sponsor picks it for a
    # roster that starts inside it.
    assert page.locator("#id_agreement").input_value() == ""
    page.select_option("#id_agreement", "PKS-DUMAI-2023")
    page.set_input_files("#id_file", str(roster.SAMPLE_ROSTER))
    page.fill("#id_start", "2023-10-01")
    page.click("#upload-submit")
    page.wait_for_selector("#roster-summary")
    assert page.locator("#roster-status").get_attribute("data-status") == "done"
    enrolled = int(page.locator("#enrolled").inner_text().replace(".", "").replace(",", ""))
    assert enrolled >= 15
    assert "duplicate_in_file" in page.locator("#reasons").inner_text()
    # The rejected rows are on the page: row number, masked NIK, name, code and explanation.
    duplicate = page.locator('#rejected-rows tr[data-code="duplicate_in_file"]').first
    cells = duplicate.locator("td").all_inner_texts()
    assert int(cells[0]) > 2 and cells[1][:4].isdigit() and cells[1][4:12] == "********" and cells[2] and cells[3] == "duplicate_in_file"
    assert "NIK" in cells[4]
    page.click('#reasons a.reason-filter:has-text("duplicate_in_file")')
    page.wait_for_selector("#rejected-filter")
    codes = set(page.locator("#rejected-rows tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)"))
    assert codes == {"duplicate_in_file"}
    with page.expect_download() as download:
        page.click("#error-file")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0].endswith("baris,kode_kesalahan,keterangan")
    page.goto(live_server.url + f"/sponsors/{sponsors['dumai'].code}/")
    assert "contoh-roster.csv" in page.locator("#imports").inner_text()
