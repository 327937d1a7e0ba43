"""The coverage ledger: was a participant covered on a date, for a programme, and why (reads
only; the daily status refresh is ``lindung.contributions.statuses``).

The ledger is the invoice lines: a participant-month of a programme is *paid* when its lines
(regular plus adjustments) are fully allocated by payments or credit. ``coverage_on`` answers
from those months only:

- the month of the date is paid → ``covered``;
- otherwise the paid-through date is the end of the last paid month before it, and the rules
  engine's ``bpu_cover`` applies the grace rule (``contribution.bpu.arrears_months``) and the
  configurable grace-window policy (``contribution.bpu.grace_event_policy``): with the default
  ``payable_after_arrears_paid`` an event in the window is ``grace`` (payable once the arrears are
  paid), beyond it ``not_covered``.

A sponsored worker on a date no sponsorship covers (the agreement ended, no renewal) is
``not_covered`` (``agreement_ended``, naming the agreement and its end) unless the ledger shows
the month paid."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Sum

from lindung.contributions.models import Invoice, InvoiceLine
from lindung.membership.models import Participant, SponsorshipPeriod
from lindung.rules import bpu_cover
from lindung.rules.months import month_end, next_month

COVERED = "covered"
GRACE = "grace"
NOT_COVERED = "not_covered"
_RANK = {NOT_COVERED: 0, GRACE: 1, COVERED: 2}
BULK_CHUNK = 900  # participants per query of the bulk reads (SQLite's bound parameters stay few)


@dataclass(frozen=True)
class CoverReason:
    code: str
    text_id: str
    text_en: str
    reference: str | None = None


@dataclass
class CoverageResult:
    participant_id: int
    kpj_number: str
    program: str
    on: dt.date
    status: str
    paid_through: dt.date | None
    reason: CoverReason
    grace_ends: dt.date | None = None
    payable: bool = False
    invoices: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return self.status == COVERED

    def as_dict(self) -> dict:
        return {
            "participant": self.kpj_number,
            "program": self.program,
            "on": self.on.isoformat(),
            "status": self.status,
            "payable": self.payable,
            "paid_through": self.paid_through.isoformat() if self.paid_through else None,
            "grace_ends": self.grace_ends.isoformat() if self.grace_ends else None,
            "reason": {"code": self.reason.code, "id": self.reason.text_id, "en": self.reason.text_en, "reference": self.reason.reference},
            "invoices": self.invoices,
            "payments": self.payments,
        }


def paid_months(participant_id: int, programs: list[str]) -> dict[str, dict[dt.date, tuple[int, int]]]:
    """``{program: {month: (billed, paid)}}`` from the invoice lines: one indexed aggregate
    (raw SQL: this is the hot path of every claim check)."""
    return paid_months_many([participant_id], programs).get(participant_id) or {p: {} for p in programs}


def paid_months_many(participant_ids: list[int], programs: list[str]) -> dict[int, dict[str, dict[dt.date, tuple[int, int]]]]:
    """``{participant_id: {program: {month: (billed, paid)}}}`` of many participants: the same
    aggregate as ``paid_months``, one query per ``BULK_CHUNK`` participants."""
    return _ledger_many(participant_ids, programs, None)


def _ledger_many(participant_ids, programs: list[str], month: dt.date | None) -> dict[int, dict[str, dict[dt.date, tuple[int, int]]]]:
    """The ledger of many participants. With ``month``, only what an answer on a day of that month
    reads: the months from ``month`` on, and of the months before it only the last paid one (the
    paid-through date) — so a participant's answer costs a few rows, not its whole history."""
    out: dict[int, dict[str, dict[dt.date, tuple[int, int]]]] = {}
    ids = list(participant_ids)
    marks = ",".join(["%s"] * len(programs))
    grouped = (
        "FROM contributions_invoiceline WHERE participant_id IN ({ids}) AND program IN ({marks}) {when} GROUP BY participant_id, program, period"
    )
    for start in range(0, len(ids), BULK_CHUNK):
        chunk = ids[start : start + BULK_CHUNK]
        id_marks = ",".join(["%s"] * len(chunk))
        queries = []
        if month is None:
            queries.append((f"SELECT participant_id, program, period, SUM(amount), SUM(paid_amount) {grouped}", "", []))
        else:
            day = connection.ops.adapt_datefield_value(month)
            queries.append((f"SELECT participant_id, program, period, SUM(amount), SUM(paid_amount) {grouped}", "AND period >= %s", [day]))
            queries.append(
                (
                    "SELECT participant_id, program, MAX(period), 1, 1 FROM (SELECT participant_id, program, period, "
                    f"SUM(amount) AS billed, SUM(paid_amount) AS paid {grouped}) months WHERE billed > 0 AND paid >= billed "
                    "GROUP BY participant_id, program",
                    "AND period < %s",
                    [day],
                )
            )
        for sql, when, extra in queries:
            with connection.cursor() as cur:
                cur.execute(sql.format(ids=id_marks, marks=marks, when=when), [*chunk, *programs, *extra])
                for pid, program, period, billed, paid in cur.fetchall():
                    out.setdefault(pid, {p: {} for p in programs}).setdefault(program, {})[db_date(period)] = (int(billed), int(paid))
    return out


def _is_paid(entry: tuple[int, int] | None) -> bool:
    return entry is not None and entry[0] > 0 and entry[1] >= entry[0]


def paid_through(participant: Participant, program: str) -> dt.date | None:
    """End of the last month of the unbroken paid run from the first billed month (None if nothing paid)."""
    months = paid_months(participant.pk, [program])[program]
    through = None
    for m in sorted(months):
        if not _is_paid(months[m]):
            break
        through = month_end(m)
    return through


def _refs(participant_id: int, program: str, month: dt.date) -> tuple[list[str], list[str]]:
    """The invoices billing the month and the payments (or credits) applied to them."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.number, a.id, a.payment_id, a.credit_id, pay.bank_reference FROM contributions_invoiceline l "
            "JOIN contributions_invoice i ON i.id = l.invoice_id "
            "LEFT JOIN contributions_allocation a ON a.invoice_id = i.id "
            "LEFT JOIN contributions_contributionpayment pay ON pay.id = a.payment_id "
            "WHERE l.participant_id = %s AND l.program = %s AND l.period = %s",
            [participant_id, program, connection.ops.adapt_datefield_value(month)],
        )
        rows = cur.fetchall()
    invoices = sorted({r[0] for r in rows})
    payments = sorted({ref or (f"PAY-{pid}" if pid else f"CREDIT-{cid}") for _n, aid, pid, cid, ref in rows if aid is not None})
    return invoices, payments


def sponsorship_ended_before(participant: Participant, on: dt.date) -> tuple[str, dt.date] | None:
    """For a sponsored worker on a date no sponsorship period covers, after one has ended: the
    number of the agreement whose sponsorship ended last before ``on`` and that end (the period's
    end, or its agreement's end when earlier or the period is open). None otherwise (self-paying,
    employed, or sponsored on ``on``)."""
    if participant.agreement_id is None:
        return None
    rows = SponsorshipPeriod.objects.filter(participant_id=participant.pk).values_list(
        "start_date", "end_date", "agreement__end_date", "agreement__number"
    )
    return _gap(rows, on)


def _gap(rows, on: dt.date) -> tuple[str, dt.date] | None:
    """``sponsorship_ended_before`` from a participant's ``(start, end, agreement end, number)`` rows."""
    last = None
    for start, end, agreement_end, number in rows:
        until = min(end, agreement_end) if end else agreement_end
        if start <= on <= until:
            return None
        if until < on and (last is None or until > last[1]):
            last = (number, until)
    return last


def _one(
    participant: Participant,
    program: str,
    on: dt.date,
    months: dict[dt.date, tuple[int, int]],
    sponsorship_gap=None,
    refs=None,
    project_invoices=None,
) -> CoverageResult:
    refs = refs or _refs
    base = {"participant_id": participant.pk, "kpj_number": participant.kpj_number, "program": program, "on": on}
    if program not in (participant.programs or []):
        return CoverageResult(
            **base,
            status=NOT_COVERED,
            paid_through=None,
            reason=CoverReason("not_enrolled", "Tidak terdaftar pada program ini", "Not enrolled in this programme"),
        )
    if on < participant.start_date:
        return CoverageResult(
            **base, status=NOT_COVERED, paid_through=None, reason=CoverReason("before_start", "Sebelum awal kepesertaan", "Before the start of cover")
        )
    if participant.end_date and on > participant.end_date:
        return CoverageResult(
            **base,
            status=NOT_COVERED,
            paid_through=None,
            reason=CoverReason(
                "membership_ended",
                f"Kepesertaan berakhir {participant.end_date:%d-%m-%Y}",
                f"Membership ended on {participant.end_date:%Y-%m-%d} ({participant.exit_reason or 'ended'})",
            ),
        )
    if participant.segment == "JAKON":
        return _construction(participant, program, on, base, project_invoices)
    month = on.replace(day=1)
    if _is_paid(months.get(month)):
        through, m = month_end(month), next_month(month)
        while _is_paid(months.get(m)):
            through, m = month_end(m), next_month(m)
        invoices, payments = refs(participant.pk, program, month)
        return CoverageResult(
            **base,
            status=COVERED,
            paid_through=through,
            payable=True,
            invoices=invoices,
            payments=payments,
            reason=CoverReason("paid", f"Iuran bulan {month:%m-%Y} lunas", f"Contribution for {month:%Y-%m} paid"),
        )
    earlier = [m for m in months if m < month and _is_paid(months[m])]
    through = month_end(max(earlier)) if earlier else participant.start_date - dt.timedelta(days=1)
    invoices, payments = refs(participant.pk, program, month) if month in months else ([], [])
    gap = sponsorship_gap() if sponsorship_gap else None
    if gap is not None:
        number, ended = gap
        return CoverageResult(
            **base,
            status=NOT_COVERED,
            paid_through=through if earlier else None,
            invoices=invoices,
            payments=payments,
            reason=CoverReason(
                "agreement_ended",
                f"Perjanjian sponsor (PKS) {number} berakhir {ended:%d-%m-%Y}; tidak ada sponsor pada tanggal ini",
                f"Sponsor agreement (PKS) {number} ended on {ended:%Y-%m-%d}; no sponsorship on this date",
            ),
        )
    decision = bpu_cover(on, through, arrears_paid=False)
    billed = month in months and months[month][0] > 0
    if decision.covered and decision.payable:
        status = COVERED
        reason = CoverReason("grace_policy_covered", "Dijamin dalam masa tenggang (kebijakan)", "Covered in the grace window (policy)")
    elif decision.covered:
        status = GRACE
        r = decision.reasons[0]
        reason = CoverReason(
            r.code, r.explanation_id + ("" if billed else " (belum ditagih)"), r.explanation_en + ("" if billed else " (not billed yet)"), r.reference
        )
    else:
        status = NOT_COVERED
        r = decision.reasons[0]
        reason = CoverReason(r.code, r.explanation_id, r.explanation_en, r.reference)
    return CoverageResult(
        **base,
        status=status,
        paid_through=through if earlier else None,
        grace_ends=decision.grace_ends,
        payable=decision.payable,
        invoices=invoices,
        payments=payments,
        reason=reason,
    )


def _construction(participant: Participant, program: str, on: dt.date, base: dict, project_invoices=None) -> CoverageResult:
    """Construction workers are covered for the project's duration once the project's
    contribution (billed once, on the contract value) is paid. ``project_invoices``: the
    project's invoices when the caller read them already (``coverage_on_many``)."""
    project = participant.project
    if project is None or not (project.start_date <= on <= project.end_date):
        return CoverageResult(
            **base,
            status=NOT_COVERED,
            paid_through=None,
            reason=CoverReason("outside_project", "Di luar masa proyek", "Outside the project's duration"),
        )
    if project_invoices is not None:
        invoices = project_invoices.get(project.pk, [])
    else:
        invoices = list(Invoice.objects.filter(payer_key=f"project:{project.pk}").exclude(kind=Invoice.Kind.CREDIT_NOTE).order_by())
    numbers = sorted(i.number for i in invoices)
    if invoices and all(i.paid_amount >= i.total for i in invoices):
        return CoverageResult(
            **base,
            status=COVERED,
            paid_through=project.end_date,
            payable=True,
            invoices=numbers,
            reason=CoverReason("project_paid", "Iuran proyek lunas", "The project's contribution is paid"),
        )
    decision = bpu_cover(on, project.start_date - dt.timedelta(days=1), arrears_paid=False)
    status = GRACE if decision.covered and not decision.payable else (COVERED if decision.covered else NOT_COVERED)
    return CoverageResult(
        **base,
        status=status,
        paid_through=None,
        grace_ends=decision.grace_ends,
        payable=decision.payable,
        invoices=numbers,
        reason=CoverReason("project_unpaid", "Iuran proyek belum lunas", "The project's contribution is not paid"),
    )


def coverage_on(participant: Participant, on: dt.date, program: str | None = None) -> CoverageResult:
    """Cover of ``participant`` on ``on`` for ``program`` (default: every programme of the
    participant; the weakest answer is returned)."""
    programs = [program] if program else list(participant.programs or []) or ["JKM"]
    months = paid_months(participant.pk, programs)
    # Asked only for an unpaid month of a sponsored worker: one query at most for all programmes.
    gap = functools.cache(functools.partial(sponsorship_ended_before, participant, on))
    results = [_one(participant, p, on, months.get(p, {}), gap) for p in programs]
    return min(results, key=lambda r: _RANK[r.status])


def coverage_on_many(participants, on: dt.date, program: str | None = None) -> dict[int, CoverageResult]:
    """``coverage_on`` of many participants on one date, set-based: ``{participant_id: result}``
    with the same status, reason, paid-through and grace end as ``coverage_on`` (the same rules:
    ``_one``), from one ledger query and one sponsorship query per ``BULK_CHUNK`` participants.
    The invoices and payments behind each answer are left empty (ask ``coverage_on`` for one
    worker's). ``participants`` are Participant objects (an iterable; read once)."""
    out: dict[int, CoverageResult] = {}
    batch: list[Participant] = []
    for participant in participants:
        batch.append(participant)
        if len(batch) == BULK_CHUNK:
            out.update(_many(batch, on, program))
            batch = []
    if batch:
        out.update(_many(batch, on, program))
    return out


def _no_refs(_participant_id, _program, _month) -> tuple[list[str], list[str]]:
    return [], []


def _many(participants: list[Participant], on: dt.date, program: str | None) -> dict[int, CoverageResult]:
    wanted = {p: [program] if program else list(p.programs or []) or ["JKM"] for p in participants}
    programs = sorted({x for ps in wanted.values() for x in ps})
    month = on.replace(day=1)
    ledger = _ledger_many([p.pk for p in participants], programs, month)
    # the sponsorship periods are read only for sponsored workers whose month is not paid (``_one``
    # asks for the gap only then)
    sponsored = [
        p.pk for p, ps in wanted.items() if p.agreement_id is not None and not all(_is_paid(ledger.get(p.pk, {}).get(x, {}).get(month)) for x in ps)
    ]
    periods: dict[int, list] = {}
    for start in range(0, len(sponsored), BULK_CHUNK):
        rows = SponsorshipPeriod.objects.filter(participant_id__in=sponsored[start : start + BULK_CHUNK]).values_list(
            "participant_id", "start_date", "end_date", "agreement__end_date", "agreement__number"
        )
        for pid, *row in rows:
            periods.setdefault(pid, []).append(row)
    projects = {p.project_id for p in participants if p.segment == "JAKON" and p.project_id}
    project_invoices: dict[int, list[Invoice]] = {pk: [] for pk in projects}
    if projects:
        keys = {f"project:{pk}": pk for pk in projects}
        for invoice in Invoice.objects.filter(payer_key__in=list(keys)).exclude(kind=Invoice.Kind.CREDIT_NOTE).order_by():
            project_invoices[keys[invoice.payer_key]].append(invoice)
    out = {}
    for participant, ps in wanted.items():
        months = ledger.get(participant.pk, {})
        gap = (lambda pk=participant.pk: _gap(periods.get(pk, []), on)) if participant.agreement_id is not None else None
        results = [_one(participant, p, on, months.get(p, {}), gap, _no_refs, project_invoices) for p in ps]
        out[participant.pk] = min(results, key=lambda r: _RANK[r.status])
    return out


def statement(participant: Participant) -> list[dict]:
    """Contribution history of a participant: one row per month and programme."""
    rows = (
        InvoiceLine.objects.filter(participant=participant)
        .values("period", "program", "invoice__number", "invoice__status", "invoice__payer_type", "kind")
        .annotate(amount=Sum("amount"), paid=Sum("paid_amount"))
        .order_by("period", "program", "invoice__number")
    )
    return [
        {
            "month": r["period"],
            "program": r["program"],
            "invoice": r["invoice__number"],
            "invoice_status": r["invoice__status"],
            "payer_type": r["invoice__payer_type"],
            "kind": r["kind"],
            "amount": r["amount"],
            "paid": r["paid"],
            "settled": r["paid"] >= r["amount"],
        }
        for r in rows
    ]


def db_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
