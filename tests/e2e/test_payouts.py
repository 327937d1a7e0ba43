"""Browser test of a payout: finance makes the orders and a batch, a second finance user authorises
it, the batch is exported as pain.001 and the bank's answer imported — in Indonesian."""

from __future__ import annotations

import re

import pytest

from lindung.payouts.models import PaymentBatch, PaymentOrder
from tests.claims.conftest import upload_all, valid_nik_workers  # noqa: F401  (fixtures)
from tests.contributions.conftest import make_agreement, make_workers  # noqa: F401  (fixtures)
from tests.payouts.conftest import covered_workers, finance2, pain001_schema, ready_claim  # noqa: F401  (fixtures)

from .test_claims import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_batches_second_finance_authorises_exports_and_imports_the_answer(
    live_server,
    page,
    users,
    covered_workers,  # noqa: F811
    ready_claim,  # noqa: F811
    finance2,  # noqa: F811
    tmp_path,
):
    a, b = covered_workers(2)
    claims = [ready_claim(a), ready_claim(b)]
    login(page, live_server, users["finance"])
    page.goto(live_server.url + "/payouts/")
    for c in claims:
        page.get_by_test_id(f"order-{c.number}").click()
        page.wait_for_selector("text=perintah bayar dibuat")
    numbers = list(PaymentOrder.objects.order_by("id").values_list("number", flat=True))
    for n in numbers:
        page.get_by_test_id(f"pick-{n}").check()
    page.get_by_test_id("make-batch").click()
    page.wait_for_url(re.compile(r".*/payouts/batches/PB-\d{4}-\d{6}/$"))
    assert "Draf" in page.get_by_test_id("batch-status").inner_text()
    assert "84.000.000" in page.get_by_test_id("batch-total").inner_text()
    assert page.get_by_test_id("action-authorise").count() == 0  # the maker may not authorise
    url = page.url

    login(page, live_server, finance2)
    page.goto(url)
    page.get_by_test_id("action-authorise").click()
    page.wait_for_selector("text=Batch diotorisasi.")
    with page.expect_download() as download:
        page.get_by_test_id("export-pain001").click()
    xml = tmp_path / "batch.xml"
    download.value.save_as(xml)
    pain001_schema().validate(str(xml))
    page.goto(url)
    assert "Diekspor ke bank" in page.get_by_test_id("batch-status").inner_text()
    answer = tmp_path / "hasil.csv"
    answer.write_text("reference,status,amount\r\n" + "".join(f"{n},BERHASIL,42000000\r\n" for n in numbers))
    page.get_by_test_id("answer-file").set_input_files(str(answer))
    page.get_by_test_id("answer-import").click()
    page.wait_for_selector("text=Jawaban bank diimpor: 2 dibayar")
    assert "Dijawab bank" in page.get_by_test_id("batch-status").inner_text()
    assert PaymentBatch.objects.get().status == "closed" and set(PaymentOrder.objects.values_list("status", flat=True)) == {"paid"}
