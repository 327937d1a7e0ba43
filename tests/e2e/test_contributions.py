import datetime as dt

import pytest

from lindung.contributions.models import ContributionPayment, Invoice
from lindung.membership.models import Participant, SponsorAgreement, SponsorshipPeriod
from lindung.registry.models import Person
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def _workers(sponsor, branch, n=3):
    agreement = SponsorAgreement.objects.create(
        sponsor=sponsor,
        number="PKS-DUMAI-2023",
        start_date=dt.date(2023, 10, 1),
        end_date=dt.date(2024, 12, 31),
        programs=["JKK", "JKM"],
        budget=10**9,
        quota=100,
        billing_frequency="quarterly",
    )
    for i in range(n):
        person = Person.objects.create(nik=f"147201010180{i:04d}", full_name=f"Pekerja {i}", birth_date=dt.date(1980, 1, 1), sex="M")
        p = Participant.objects.create(
            kpj_number=f"2300000{i:04d}",
            person=person,
            segment="BPU",
            programs=["JKK", "JKM"],
            wage=1_000_000,
            agreement=agreement,
            sponsor=sponsor,
            branch=branch,
            start_date=dt.date(2023, 10, 1),
        )
        SponsorshipPeriod.objects.create(participant=p, agreement=agreement, sponsor=sponsor, start_date=dt.date(2023, 10, 1))
    return agreement


def test_finance_bills_a_quarter_pays_it_and_sees_the_cover(live_server, page, users, sponsors, branch, tmp_path):
    _workers(sponsors["dumai"], branch)
    _login(page, live_server, users["finance"])
    assert page.locator("nav.main-nav a[href='/contributions/']").count() == 1
    page.click("nav.main-nav a[href='/contributions/']")
    page.fill("#id_period", "2023-10")
    page.click("[data-testid=billing-form] button[type=submit]")
    # The run is a job: its page shows progress, then the summary with a link back to the invoices.
    page.wait_for_url("**/jobs/*/")
    summary = page.get_by_test_id("billing-summary")
    summary.wait_for()
    invoice = Invoice.objects.get()
    assert invoice.total == 3 * 3 * 16_800
    assert page.get_by_test_id("billing-created").inner_text() == "1"
    assert page.get_by_test_id("billing-total").inner_text() == "Rp 151.200"
    summary.locator("a[href='/contributions/']").click()
    page.wait_for_url(live_server.url + "/contributions/")
    assert invoice.number in page.get_by_test_id("invoice-table").inner_text()
    page.click(f"text={invoice.number}")
    assert "seratus lima puluh satu ribu dua ratus rupiah" in page.get_by_test_id("invoice-words").inner_text().lower()
    # A bad bank file is rejected with row errors and nothing applied.
    bad = tmp_path / "bad.csv"
    bad.write_text("date,amount,reference,bank_reference\n2023-10-10,abc,x,B1\n")
    page.goto(live_server.url + "/contributions/payments/")
    page.set_input_files("#id_file", str(bad))
    page.click("[data-testid=import-form] button[type=submit]")
    rows = page.locator("[data-testid=row-errors] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    row, field, problem = rows.first.locator("td").all_inner_texts()
    assert (row, field) == ("2", "amount") and "'abc'" in problem  # row 2 (the header is row 1), the amount column
    assert ContributionPayment.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(f"date,amount,reference,bank_reference\n2023-10-10,{invoice.total},{invoice.number},B1\n")
    page.set_input_files("#id_file", str(good))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector(".messages")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    kpj = Participant.objects.order_by("kpj_number").first().kpj_number
    page.goto(live_server.url + f"/contributions/participants/{kpj}/?on=2023-11-15")
    assert page.get_by_test_id("cover-JKM").get_attribute("data-status") == "covered"
    assert invoice.number in page.get_by_test_id("coverage-table").inner_text()


def test_sponsor_sees_own_invoice_but_cannot_run_billing(live_server, page, users, sponsors, branch):
    _workers(sponsors["dumai"], branch)
    from lindung.contributions.billing import run_billing

    run_billing(period=dt.date(2023, 10, 1), today=dt.date(2023, 10, 1))
    _login(page, live_server, users["sponsor"])
    page.goto(live_server.url + "/contributions/")
    assert Invoice.objects.get().number in page.get_by_test_id("invoice-table").inner_text()
    assert page.get_by_test_id("billing-form").count() == 0


def test_unknown_sponsor_code_is_refused_and_nothing_billed(live_server, page, users, sponsors, branch):
    _workers(sponsors["dumai"], branch)
    _login(page, live_server, users["finance"])
    page.goto(live_server.url + "/contributions/")
    page.fill("#id_period", "2023-10")
    page.fill("#id_employer", "NPP-NOPE")
    page.click("[data-testid=billing-form] button[type=submit]")
    page.wait_for_selector(".messages")
    assert "NPP-NOPE" in page.locator(".messages").inner_text()
    assert Invoice.objects.count() == 0
