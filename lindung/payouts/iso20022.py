"""ISO 20022 messages: the customer credit transfer initiation ``pain.001.001.09`` (written, streamed)
and the bank's answers ``pain.002`` (payment status report) and ``camt.054`` (debit notification),
read.

The pain.001 file is written row by row from an iterator, so a batch of any size is exported in
flat memory: the control sum and count are known before (the batch's aggregate). Indonesian accounts
have no IBAN: accounts are ``Othr/Id``, the creditor's bank is its BIC with its Bank Indonesia code
as the clearing-system member id. Amounts are whole rupiah, currency IDR.

Reading: a message with a DOCTYPE is refused (no entities, no external resources); the namespace
version is not pinned (pain.002.001.03 to .12, camt.054.001.02 to .11 share the elements read here).
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

PAIN001_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@dataclass(frozen=True)
class Debtor:
    name: str
    account: str
    bic: str
    bank_code: str = ""


@dataclass(frozen=True)
class CreditTransfer:
    number: str
    amount: int
    bank_bic: str
    bank_code: str
    account_number: str
    account_holder: str
    remittance: str


def _t(value: str, limit: int = 140) -> str:
    return escape(" ".join(str(value).split())[:limit])


def iter_pain001(
    *,
    message_id: str,
    created_at: dt.datetime,
    execution_date: dt.date,
    count: int,
    control_sum: int,
    initiating_party: str,
    debtor: Debtor,
    transfers: Iterable[CreditTransfer],
    chunk: int = 500,
) -> Iterator[bytes]:
    """The pain.001.001.09 document, in pieces of ``chunk`` transfers."""
    created = created_at.replace(microsecond=0)
    created_text = created.isoformat() if created.tzinfo is None else created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    debtor_agent = f"<BICFI>{_t(debtor.bic, 11)}</BICFI>" if debtor.bic else ""
    if debtor.bank_code:
        debtor_agent += f"<ClrSysMmbId><MmbId>{_t(debtor.bank_code, 35)}</MmbId></ClrSysMmbId>"
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{PAIN001_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<CstmrCdtTrfInitn>"
        "<GrpHdr>"
        f"<MsgId>{_t(message_id, 35)}</MsgId>"
        f"<CreDtTm>{created_text}</CreDtTm>"
        f"<NbOfTxs>{count}</NbOfTxs>"
        f"<CtrlSum>{control_sum}</CtrlSum>"
        f"<InitgPty><Nm>{_t(initiating_party)}</Nm></InitgPty>"
        "</GrpHdr>"
        "<PmtInf>"
        f"<PmtInfId>{_t(message_id, 35)}</PmtInfId>"
        "<PmtMtd>TRF</PmtMtd>"
        "<BtchBookg>false</BtchBookg>"
        f"<NbOfTxs>{count}</NbOfTxs>"
        f"<CtrlSum>{control_sum}</CtrlSum>"
        f"<ReqdExctnDt><Dt>{execution_date.isoformat()}</Dt></ReqdExctnDt>"
        f"<Dbtr><Nm>{_t(debtor.name)}</Nm></Dbtr>"
        f"<DbtrAcct><Id><Othr><Id>{_t(debtor.account, 34)}</Id></Othr></Id><Ccy>IDR</Ccy></DbtrAcct>"
        f"<DbtrAgt><FinInstnId>{debtor_agent}</FinInstnId></DbtrAgt>"
        "<ChrgBr>DEBT</ChrgBr>"
    )
    yield head.encode("utf-8")
    buffer = io.StringIO()
    for n, tx in enumerate(transfers, 1):
        agent = f"<BICFI>{_t(tx.bank_bic, 11)}</BICFI>" if tx.bank_bic else ""
        agent += f"<ClrSysMmbId><MmbId>{_t(tx.bank_code, 35)}</MmbId></ClrSysMmbId>"
        buffer.write(
            "<CdtTrfTxInf>"
            f"<PmtId><InstrId>{_t(tx.number, 35)}</InstrId><EndToEndId>{_t(tx.number, 35)}</EndToEndId></PmtId>"
            f'<Amt><InstdAmt Ccy="IDR">{tx.amount}</InstdAmt></Amt>'
            f"<CdtrAgt><FinInstnId>{agent}</FinInstnId></CdtrAgt>"
            f"<Cdtr><Nm>{_t(tx.account_holder)}</Nm></Cdtr>"
            f"<CdtrAcct><Id><Othr><Id>{_t(tx.account_number, 34)}</Id></Othr></Id></CdtrAcct>"
            f"<RmtInf><Ustrd>{_t(tx.remittance)}</Ustrd></RmtInf>"
            "</CdtTrfTxInf>"
        )
        if n % chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    buffer.write("</PmtInf></CstmrCdtTrfInitn></Document>\n")
    yield buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------------- reading the bank's answers
class MessageError(ValueError):
    """The file is not a message this module reads (``code`` names why)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AnswerRow:
    """One transaction of the bank's answer: ``outcome`` is ``paid``, ``failed`` or ``unknown``."""

    row: int
    reference: str
    outcome: str
    status: str
    amount: int | None = None
    reason_code: str = ""
    reason: str = ""
    bank_reference: str = ""
    paid_on: dt.date | None = None


PAID_CODES = frozenset({"ACSC", "ACCC", "ACWC"})
FAILED_CODES = frozenset({"RJCT", "CANC"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def parse_xml(content: bytes) -> ET.Element:
    head = content[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in content.lower():
        raise MessageError("doctype", "a message with a DOCTYPE or entities is refused")
    try:
        return ET.fromstring(content)
    except ET.ParseError as exc:
        raise MessageError("not_xml", f"not well-formed XML: {exc}") from None


def message_kind(root: ET.Element) -> str:
    ns = _namespace(root.tag)
    if ":pain.002." in ns:
        return "pain002"
    if ":camt.054." in ns:
        return "camt054"
    raise MessageError("unknown_message", f"not a pain.002 or camt.054 message ({ns or root.tag})")


def _child(el: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if _local(c.tag) == name), None)
    return el


def _text(el: ET.Element | None, *path: str) -> str:
    found = _child(el, *path)
    return (found.text or "").strip() if found is not None else ""


def _amount(text: str) -> int | None:
    if not text:
        return None
    whole, _dot, frac = text.partition(".")
    if frac.strip("0"):
        return -1  # not whole rupiah: never matches an order
    try:
        return int(whole)
    except ValueError:
        return -1


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def read_pain002(root: ET.Element) -> list[AnswerRow]:
    """Each ``TxInfAndSts`` as a row; a group status of RJCT with no transactions listed fails
    every transaction of the original message (returned as the single row reference ``*``)."""
    doc = next(iter(root))
    created = _date(_text(doc, "GrpHdr", "CreDtTm"))
    group = _child(doc, "OrgnlGrpInfAndSts")
    rows: list[AnswerRow] = []
    n = 0
    for pmt in (c for c in doc if _local(c.tag) == "OrgnlPmtInfAndSts"):
        pmt_status = _text(pmt, "PmtInfSts")
        for tx in (c for c in pmt if _local(c.tag) == "TxInfAndSts"):
            n += 1
            status = _text(tx, "TxSts") or pmt_status
            reason = _child(tx, "StsRsnInf")
            outcome = "paid" if status in PAID_CODES else "failed" if status in FAILED_CODES else "unknown"
            rows.append(
                AnswerRow(
                    row=n,
                    reference=_text(tx, "OrgnlEndToEndId") or _text(tx, "OrgnlInstrId"),
                    outcome=outcome,
                    status=status,
                    amount=_amount(_text(tx, "OrgnlTxRef", "Amt", "InstdAmt")),
                    reason_code=_text(reason, "Rsn", "Cd") or _text(reason, "Rsn", "Prtry"),
                    reason=_text(reason, "AddtlInf"),
                    bank_reference=_text(tx, "AcctSvcrRef") or _text(tx, "StsId"),
                    paid_on=_date(_text(tx, "AccptncDtTm")) or created,
                )
            )
    if not rows and _text(group, "GrpSts") == "RJCT":
        reason = _child(group, "StsRsnInf")
        rows.append(
            AnswerRow(
                1,
                "*",
                "failed",
                "RJCT",
                reason_code=_text(reason, "Rsn", "Cd") or _text(reason, "Rsn", "Prtry"),
                reason=_text(reason, "AddtlInf"),
            )
        )
    return rows


def read_camt054(root: ET.Element) -> list[AnswerRow]:
    """Debit entries: a booked debit pays the transaction named by its end-to-end id; a return
    (``RtrInf``) fails it with the return reason; a pending entry is unknown."""
    doc = next(iter(root))
    rows: list[AnswerRow] = []
    n = 0
    for ntf in (c for c in doc if _local(c.tag) == "Ntfctn"):
        for entry in (c for c in ntf if _local(c.tag) == "Ntry"):
            status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
            booked = _date(_text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm"))
            for details in (c for c in entry if _local(c.tag) == "NtryDtls"):
                for tx in (c for c in details if _local(c.tag) == "TxDtls"):
                    n += 1
                    ret = _child(tx, "RtrInf")
                    if ret is not None:
                        outcome, code = "failed", "RTRN"
                    elif status == "BOOK" and _text(entry, "CdtDbtInd") == "DBIT":
                        outcome, code = "paid", status
                    else:
                        outcome, code = "unknown", status
                    amount = _text(tx, "Amt") or _text(tx, "AmtDtls", "InstdAmt", "Amt") or _text(entry, "Amt")
                    rows.append(
                        AnswerRow(
                            row=n,
                            reference=_text(tx, "Refs", "EndToEndId") or _text(tx, "Refs", "InstrId"),
                            outcome=outcome,
                            status=code,
                            amount=_amount(amount),
                            reason_code=_text(ret, "Rsn", "Cd") if ret is not None else "",
                            reason=_text(ret, "AddtlInf") if ret is not None else "",
                            bank_reference=_text(tx, "Refs", "AcctSvcrRef") or _text(entry, "AcctSvcrRef"),
                            paid_on=booked,
                        )
                    )
    return rows
