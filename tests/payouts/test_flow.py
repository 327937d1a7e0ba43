"""Orders, batches, pain.001, the bank's answer, re-issue and the hand-over: the money reaches the
heirs exactly once."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction

from lindung.core.errors import FileRejected, ServiceError
from lindung.core.workflow import WorkflowError
from lindung.payouts import services
from lindung.payouts.models import BankAnswer, OrderStatus, PaymentBatch, PaymentOrder, Settlement

from .conftest import pain001_schema

D = dt.date
pytestmark = pytest.mark.django_db


def _pain002(batch, statuses: dict[str, tuple[str, str]]) -> bytes:
    """A pain.002.001.10 status report: ``{order number: (status, reason code)}``."""
    txs = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{number}</OrgnlEndToEndId><TxSts>{status}</TxSts>"
        + (f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn><AddtlInf>Rekening tidak ditemukan</AddtlInf></StsRsnInf>" if reason else "")
        + "</TxInfAndSts>"
        for number, (status, reason) in statuses.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
        "<GrpHdr><MsgId>ANS-1</MsgId><CreDtTm>2024-03-20T15:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlGrpInfAndSts><OrgnlMsgId>{batch.number}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{batch.number}</OrgnlPmtInfId>{txs}</OrgnlPmtInfAndSts>"
        "</CstmrPmtStsRpt></Document>"
    ).encode()


def _exported(orders, users, finance2, **kwargs):
    batch = services.create_batch(orders, actor=users["finance"], execution_date=D(2024, 3, 20), **kwargs)
    services.authorise_batch(batch, actor=finance2)
    content = b"".join(services.export_pain001(batch, actor=users["finance"]))
    batch.refresh_from_db()
    return batch, content


def test_twelve_jkm_claims_one_batch_pain001_valid_bank_answer_paid_504_million_and_the_handover(covered_workers, ready_claim, users, finance2):
    workers = covered_workers(12)
    claims = [ready_claim(w) for w in workers]
    orders = [o for c in claims for o in services.create_orders_for_claim(c, actor=users["finance"], on=c.deadline)]
    assert len(orders) == 12 and {o.amount for o in orders} == {42_000_000}
    assert all(o.late_compensation == 0 for o in orders)
    batch, content = _exported(orders, users, finance2)
    assert batch.status == PaymentBatch.Status.EXPORTED and batch.total == 504_000_000 and batch.count == 12
    schema = pain001_schema()
    schema.validate(content.decode())  # raises on any violation of the official XSD
    doc = schema.to_dict(content.decode())
    header = doc["CstmrCdtTrfInitn"]["GrpHdr"]
    assert header["NbOfTxs"] == "12" and int(header["CtrlSum"]) == 504_000_000
    txs = doc["CstmrCdtTrfInitn"]["PmtInf"][0]["CdtTrfTxInf"]
    assert {t["Amt"]["InstdAmt"]["@Ccy"] for t in txs} == {"IDR"}
    assert {t["CdtrAgt"]["FinInstnId"]["BICFI"] for t in txs} == {"BNINIDJA"}
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {OrderStatus.SENT}

    result = services.import_bank_answer(batch, _pain002(batch, {o.number: ("ACSC", "") for o in orders}), actor=users["finance"], filename="p2.xml")
    assert len(result.paid) == 12 and not result.failed
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.CLOSED
    assert Settlement.objects.count() == 12 and sum(Settlement.objects.values_list("amount", flat=True)) == 504_000_000

    event = services.create_handover_event(
        actor=users["branch_head"],
        title="Penyerahan santunan JKM Kota Dumai",
        date=D(2024, 3, 21),
        place="Kantor Wali Kota Dumai",
        claims=claims,
        officials=[{"role": "Wali Kota", "name": "H. Paisal"}, {"role": "Kepala Disnaker", "name": "Kadis"}],
        note="Diserahkan secara simbolis.",
    )
    summary = services.event_summary(event)
    assert summary["total"] == 504_000_000 and summary["by_mark"]["paid"]["count"] == 12
    assert summary["total_in_words"] == "lima ratus empat juta rupiah"
    assert summary["press_line"] == "12 ahli waris menerima santunan sebesar Rp 504.000.000"
    pdf = services.handover_pdf(event, compress=False)
    assert pdf.startswith(b"%PDF") and b"Rp 504.000.000" in pdf and b"Lima ratus empat juta rupiah" in pdf
    assert b"Diserahkan secara simbolis." in pdf  # the event's note is printed under the list


def test_the_same_answer_twice_changes_nothing_and_a_paid_order_is_never_paid_again(covered_workers, ready_claim, users, finance2):
    (worker,) = covered_workers(1)
    orders = services.create_orders_for_claim(ready_claim(worker), actor=users["finance"])
    batch, _content = _exported(orders, users, finance2)
    answer = _pain002(batch, {orders[0].number: ("ACSC", "")})
    first = services.import_bank_answer(batch, answer, actor=users["finance"])
    again = services.import_bank_answer(batch, answer, actor=users["finance"])
    assert first.paid == [orders[0].number] and again.duplicate and again.answer == first.answer
    assert BankAnswer.objects.count() == 1 and Settlement.objects.count() == 1
    # a different file repeating the answer: the order is unchanged
    answer_csv = f"reference,status,amount\r\n{orders[0].number},BERHASIL,42000000\r\n".encode()
    third = services.import_bank_answer(batch, answer_csv, actor=users["finance"])
    assert third.unchanged == [orders[0].number] and not third.paid and Settlement.objects.count() == 1
    # and the database refuses a second settlement whatever the code does
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.create(order=orders[0], paid_on=D(2024, 3, 21), amount=42_000_000)


def test_an_unknown_order_or_a_wrong_amount_is_a_row_error_and_nothing_is_applied(covered_workers, ready_claim, users, finance2):
    a, b = covered_workers(2)
    orders = services.create_orders_for_claim(ready_claim(a), actor=users["finance"]) + services.create_orders_for_claim(
        ready_claim(b), actor=users["finance"]
    )
    batch, _content = _exported(orders, users, finance2)
    answer_csv = (
        "reference,status,amount,reason_code,reason\r\n"
        f"{orders[0].number},PAID,42000000,,\r\n"
        "PO-2099-9999999,PAID,42000000,,\r\n"
        f"{orders[1].number},FAILED,41000000,AC01,Rekening salah\r\n"
    ).encode()
    with pytest.raises(FileRejected) as exc:
        services.import_bank_answer(batch, answer_csv, actor=users["finance"])
    assert [(e.row, e.code) for e in exc.value.errors] == [(3, "unknown_order"), (4, "amount_mismatch")]
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {OrderStatus.SENT}
    assert not Settlement.objects.exists() and not BankAnswer.objects.exists()


def test_an_edited_bank_account_after_ordering_does_not_change_the_order(covered_workers, ready_claim, users, finance2):
    from lindung.claims import heirs as heirs_service

    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    (order,) = services.create_orders_for_claim(claim, actor=users["finance"])
    payee = claim.payees.get()
    heirs_service.update_payee_account(payee, actor=users["officer"], bank_code="014", account_number="9876543210")
    order.refresh_from_db()
    assert (order.bank_code, order.account_number, order.bank_bic) == ("009", "1234567890", "BNINIDJA")
    _batch, content = _exported([order], users, finance2)
    assert b"<Id>1234567890</Id>" in content and b"9876543210" not in content


def test_a_failed_transfer_is_reissued_after_the_account_is_corrected(covered_workers, ready_claim, users, finance2):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    (order,) = services.create_orders_for_claim(claim, actor=users["finance"])
    batch, _content = _exported([order], users, finance2)
    result = services.import_bank_answer(batch, _pain002(batch, {order.number: ("RJCT", "AC01")}), actor=users["finance"])
    assert result.failed == [order.number]
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED and order.failure_code == "AC01" and order.failure_reason == "Rekening tidak ditemukan"
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.CLOSED
    with pytest.raises(ServiceError) as same:
        services.reissue_order(order, actor=users["finance"])
    assert same.value.code == "account_unchanged"
    new = services.reissue_order(order, actor=users["finance"], bank_code="009", account_number="1234567899")
    order.refresh_from_db()
    assert order.status == OrderStatus.REISSUED and new.reissue_of == order and new.status == OrderStatus.READY
    assert (new.amount, new.account_number) == (42_000_000, "1234567899") and new.number != order.number
    # a second live order for the same payee is refused by the database
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.READY)
    batch2, _ = _exported([new], users, finance2)
    services.import_bank_answer(batch2, _pain002(batch2, {new.number: ("ACCC", "")}), actor=users["finance"])
    new.refresh_from_db()
    assert new.status == OrderStatus.PAID and PaymentOrder.objects.filter(claim=claim).count() == 2


def test_the_maker_of_a_batch_cannot_authorise_it_and_an_unauthorised_batch_is_not_exported(covered_workers, ready_claim, users, finance2):
    (worker,) = covered_workers(1)
    orders = services.create_orders_for_claim(ready_claim(worker), actor=users["finance"])
    batch = services.create_batch(orders, actor=users["finance"])
    with pytest.raises(ServiceError) as early:
        b"".join(services.export_pain001(batch, actor=users["finance"]))
    assert early.value.code == "not_authorised"
    with pytest.raises(WorkflowError) as own:
        services.authorise_batch(batch, actor=users["finance"])
    assert own.value.code == "maker_checker"
    with pytest.raises(WorkflowError) as officer:
        services.authorise_batch(batch, actor=users["officer"])
    assert officer.value.code == "permission_denied"
    services.authorise_batch(batch, actor=finance2)
    assert batch.status == PaymentBatch.Status.AUTHORISED


def test_approval_levels_by_amount_need_two_authorisers(covered_workers, ready_claim, users, finance2, make_user, settings):
    settings.LINDUNG_APPROVAL_LEVELS = {"payouts.authorise": [[0, 1], [40_000_000, 2]]}
    (worker,) = covered_workers(1)
    batch = services.create_batch(services.create_orders_for_claim(ready_claim(worker), actor=users["finance"]), actor=users["finance"])
    first = services.authorise_batch(batch, actor=finance2)
    assert not first.moved and batch.status == PaymentBatch.Status.DRAFT
    with pytest.raises(WorkflowError):
        services.authorise_batch(batch, actor=finance2)
    second = services.authorise_batch(batch, actor=make_user("finance", "keuangan-3"))
    assert second.moved and batch.status == PaymentBatch.Status.AUTHORISED


def test_late_compensation_is_added_when_the_deadline_was_missed(covered_workers, ready_claim, users):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    late_day = claim.deadline + dt.timedelta(days=7)
    (order,) = services.create_orders_for_claim(claim, actor=users["finance"], on=late_day)
    assert order.late_compensation > 0 and order.amount == 42_000_000 + order.late_compensation
    assert order.late_calculation.kind == "late-payment" and order.late_calculation.total == order.late_compensation
    with pytest.raises(ServiceError) as twice:
        services.create_orders_for_claim(claim, actor=users["finance"])
    assert twice.value.code == "orders_exist"


def test_csv_export_columns_per_bank_format_and_formula_cells_neutralised(covered_workers, ready_claim, users, finance2, settings):
    settings.LINDUNG_BANK_FILE_FORMATS = {
        "bni": {
            "label": "BNI",
            "delimiter": ";",
            "columns": [{"header": "REF", "field": "number"}, {"header": "NAMA", "field": "account_holder"}, {"header": "JUMLAH", "field": "amount"}],
        }
    }
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    claim.payees.update(account_holder='=HYPERLINK("x")')
    (order,) = services.create_orders_for_claim(claim, actor=users["finance"])
    batch = services.create_batch([order], actor=users["finance"], bank_format="bni")
    services.authorise_batch(batch, actor=finance2)
    text = b"".join(services.export_csv(batch, actor=users["finance"])).decode()
    assert text.splitlines()[0] == "REF;NAMA;JUMLAH"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == [order.number, '\'=HYPERLINK("x")', "42000000"]


def test_camt054_debit_notification_pays_and_a_return_fails(covered_workers, ready_claim, users, finance2):
    a, b = covered_workers(2)
    orders = services.create_orders_for_claim(ready_claim(a), actor=users["finance"]) + services.create_orders_for_claim(
        ready_claim(b), actor=users["finance"]
    )
    batch, _content = _exported(orders, users, finance2)

    def entry(number, *, returned=False):
        ret = "<RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Rekening ditutup</AddtlInf></RtrInf>" if returned else ""
        return (
            '<Ntry><Amt Ccy="IDR">42000000</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-03-20</Dt></BookgDt>'
            f"<NtryDtls><TxDtls><Refs><EndToEndId>{number}</EndToEndId><AcctSvcrRef>BNI-{number}</AcctSvcrRef></Refs>"
            f'<Amt Ccy="IDR">42000000</Amt>{ret}</TxDtls></NtryDtls></Ntry>'
        )

    camt = (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
        "<GrpHdr><MsgId>N1</MsgId><CreDtTm>2024-03-20T16:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>N1</Id>{entry(orders[0].number)}{entry(orders[1].number, returned=True)}</Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()
    result = services.import_bank_answer(batch, camt, actor=users["finance"], filename="camt054.xml")
    assert result.answer.kind == "camt054" and result.paid == [orders[0].number] and result.failed == [orders[1].number]
    settlement = Settlement.objects.get()
    assert settlement.order == orders[0] and settlement.bank_reference == f"BNI-{orders[0].number}" and settlement.paid_on == D(2024, 3, 20)
    failed = PaymentOrder.objects.get(pk=orders[1].pk)
    assert (failed.status, failed.failure_code, failed.failure_reason) == (OrderStatus.FAILED, "AC04", "Rekening ditutup")


def test_a_message_with_a_doctype_is_refused(covered_workers, ready_claim, users, finance2):
    (worker,) = covered_workers(1)
    batch, _content = _exported(services.create_orders_for_claim(ready_claim(worker), actor=users["finance"]), users, finance2)
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">&x;</Document>'
    with pytest.raises(FileRejected) as exc:
        services.import_bank_answer(batch, evil, actor=users["finance"])
    assert exc.value.errors[0].code == "doctype"


def test_the_result_file_may_be_a_workbook_read_by_the_kernel_tabular_reader(covered_workers, ready_claim, users, finance2):
    import openpyxl

    a, b = covered_workers(2)
    orders = services.create_orders_for_claim(ready_claim(a), actor=users["finance"]) + services.create_orders_for_claim(
        ready_claim(b), actor=users["finance"]
    )
    batch, _content = _exported(orders, users, finance2)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Reference", "Status", "Amount", "Date", "Reason_code", "Reason"])
    ws.append([orders[0].number, "berhasil", 42_000_000, dt.datetime(2024, 3, 20), None, None])
    ws.append([orders[1].number, "GAGAL", 42_000_000, None, "AC03", "Nomor rekening tidak valid"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = services.import_bank_answer(batch, buffer.getvalue(), actor=users["finance"], filename="hasil.xlsx")
    assert result.paid == [orders[0].number] and result.failed == [orders[1].number]
    assert Settlement.objects.get().paid_on == D(2024, 3, 20)
    assert PaymentOrder.objects.get(pk=orders[1].pk).failure_code == "AC03"


def test_a_handover_marks_paid_awaiting_payment_and_a_reported_death_awaiting_the_claim(covered_workers, ready_claim, users, finance2):
    from lindung.claims import intake

    paid_w, waiting_w, reported_w = covered_workers(3)
    paid, waiting = ready_claim(paid_w), ready_claim(waiting_w)
    reported = intake.report_death(reported_w, actor=users["officer"], death_date=D(2024, 2, 20))
    orders = services.create_orders_for_claim(paid, actor=users["finance"])
    batch, _content = _exported(orders, users, finance2)
    services.import_bank_answer(batch, _pain002(batch, {orders[0].number: ("ACSC", "")}), actor=users["finance"])
    event = services.create_handover_event(
        actor=users["branch_head"], title="Penyerahan santunan", date=D(2024, 3, 21), place="Dumai", claims=[paid, waiting, reported]
    )
    marks = {c.claim_id: (c.mark, c.amount) for c in event.cases.all()}
    assert marks == {paid.pk: ("paid", 42_000_000), waiting.pk: ("awaiting_payment", 42_000_000), reported.pk: ("awaiting_claim", 42_000_000)}
    summary = services.event_summary(event)
    assert [summary["by_mark"][m]["count"] for m in ("paid", "awaiting_payment", "awaiting_claim")] == [1, 1, 1]
    assert summary["press_line"] == "3 ahli waris menerima santunan sebesar Rp 126.000.000"
    assert summary["total_in_words"] == "seratus dua puluh enam juta rupiah"
    pdf = services.handover_pdf(event, compress=False)
    assert b"Sudah dihitung, menunggu pengajuan klaim ahli waris" in pdf and b"Ahli Waris 3" in pdf
