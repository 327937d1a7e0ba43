"""The daily status refresh: ``refresh_statuses`` moves participants active → grace → ended
(lapsed, self-paying BPU only) and back to active when arrears are paid, and sponsored workers
whose agreement ended without a renewal to grace and, after the arrears window, to ended
(``ended_by_sponsor``), through ``lindung.membership.status.bulk_change_status`` (recorded and
audited). The job ``contributions.daily`` also marks invoices past their due date overdue."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F
from django.utils import timezone

from lindung.contributions.allocation import mark_overdue
from lindung.contributions.coverage import db_date
from lindung.contributions.models import InvoiceLine
from lindung.core.jobs import job_handler
from lindung.membership.models import Participant, SponsorshipPeriod
from lindung.membership.status import bulk_change_status
from lindung.rules import load_parameters
from lindung.rules.months import add_months

_LEDGER_SQL = """
SELECT x.participant_id,
       MIN(CASE WHEN x.paid < x.billed THEN x.period END) AS first_unpaid,
       MAX(CASE WHEN x.paid >= x.billed AND x.billed > 0 THEN x.period END) AS last_paid,
       MIN(CASE WHEN x.paid < x.billed THEN x.due END) AS first_due
FROM (
  SELECT l.participant_id, l.program, l.period, SUM(l.amount) AS billed, SUM(l.paid_amount) AS paid, MIN(i.due_date) AS due
  FROM contributions_invoiceline l JOIN contributions_invoice i ON i.id = l.invoice_id
  WHERE l.participant_id IS NOT NULL {extra}
  GROUP BY l.participant_id, l.program, l.period
) x
GROUP BY x.participant_id
"""


def refresh_statuses(*, on: dt.date, invoice_id: int | None = None, actor=None) -> dict:
    """Daily: set each billed participant's status from the ledger (or only the participants of
    ``invoice_id``). Active while paid (or the first unpaid month is not yet due); grace after the
    due date within the arrears window; ended (lapsed) beyond it for self-paying BPU workers.
    Sponsored and PU workers stay in grace until the payer settles (late budget disbursement is
    settled, not lapsed).

    Sponsored workers whose open sponsorship belongs to an agreement that ended before ``on``
    (and who were not moved to another) are decided by the agreement's end, not the ledger:
    grace from the day after it (reason ``agreement_ended``), and once the arrears window
    (``contribution.bpu.arrears_months``) after it has passed, ended with exit reason
    ``ended_by_sponsor`` on the agreement's end date (the open period closes that day)."""
    arrears_months = load_parameters().value("contribution.bpu.arrears_months", on)
    extra, params = "", []
    current = Participant.objects.exclude(status="ended")
    if invoice_id is not None:
        extra = "AND l.participant_id IN (SELECT participant_id FROM contributions_invoiceline WHERE invoice_id = %s)"
        params = [int(invoice_id)]
        current = current.filter(pk__in=InvoiceLine.objects.filter(invoice_id=invoice_id).values("participant_id"))
    with connection.cursor() as cur:
        cur.execute(_LEDGER_SQL.format(extra=extra), params)
        ledger = {pid: (db_date(fu), db_date(lp), db_date(due)) for pid, fu, lp, due in cur.fetchall()}
    ae_grace, ae_end = _agreement_ended(current, on=on, arrears_months=arrears_months)
    decided = {pid for ids in ae_grace.values() for pid, _s in ids} | {pid for ids in ae_end.values() for pid, _s in ids}
    to_grace, to_active, to_end = [], [], {}
    for pid, status, segment, agreement_id, start in current.values_list("pk", "status", "segment", "agreement_id", "start_date"):
        if pid not in ledger or pid in decided:
            continue
        target, ends_on = _from_ledger(ledger[pid], on=on, segment=segment, agreement_id=agreement_id, start=start, arrears_months=arrears_months)
        if ends_on is not None:
            to_end.setdefault(ends_on, []).append(pid)
        if target == status:
            continue
        if target == Participant.Status.ACTIVE:
            to_active.append(pid)
        elif status == Participant.Status.ACTIVE:
            to_grace.append(pid)
    moved = {
        "grace_to_active": bulk_change_status(to_active, from_status="grace", to="active", effective_date=on, reason="arrears_paid", actor=actor),
        "active_to_grace": bulk_change_status(to_grace, from_status="active", to="grace", effective_date=on, reason="unpaid", actor=actor),
    }
    ended = 0
    for effective, ids in to_end.items():
        bulk_change_status(ids, from_status="active", to="grace", effective_date=on, reason="unpaid", actor=actor)
        ended += bulk_change_status(ids, from_status="grace", to="ended", effective_date=effective, reason="lapsed", actor=actor)
    moved["grace_to_ended"] = ended
    # Agreement ended without a renewal: grace from the day after its end, ended by the sponsor
    # on its end date once the arrears window has passed.
    reason = AGREEMENT_ENDED
    to_grace_by_day: dict[dt.date, list[int]] = {}
    for agreement_end, rows in list(ae_grace.items()) + list(ae_end.items()):
        to_grace_by_day.setdefault(agreement_end + dt.timedelta(days=1), []).extend(pid for pid, status in rows if status == "active")
    moved["agreement_ended_to_grace"] = sum(
        bulk_change_status(ids, from_status="active", to="grace", effective_date=day, reason=reason, actor=actor)
        for day, ids in sorted(to_grace_by_day.items())
    )
    moved["agreement_ended_to_ended"] = sum(
        bulk_change_status(
            [pid for pid, _s in rows],
            from_status="grace",
            to="ended",
            effective_date=agreement_end,
            reason=Participant.ExitReason.ENDED_BY_SPONSOR,
            actor=actor,
        )
        for agreement_end, rows in sorted(ae_end.items())
    )
    return moved


AGREEMENT_ENDED = "agreement_ended"


def _from_ledger(row, *, on: dt.date, segment: str, agreement_id, start: dt.date, arrears_months: int) -> tuple[str, dt.date | None]:
    """The status the ledger gives on ``on`` (``row`` = first unpaid month, last paid month, due
    date of the first unpaid month) and, when it is ended, the day cover ended: active while paid
    or the first unpaid month is not yet due; grace after the due date within the arrears window;
    ended (lapsed) beyond it for self-paying BPU workers, grace for the others."""
    first_unpaid, _last_paid, first_due = row
    if first_unpaid is None or (first_due and on <= first_due):
        return Participant.Status.ACTIVE, None
    through = first_unpaid - dt.timedelta(days=1) if first_unpaid > start else start - dt.timedelta(days=1)
    grace_ends = add_months(through, arrears_months)
    if on > grace_ends and segment == "BPU" and agreement_id is None:
        return Participant.Status.ENDED, max(grace_ends, start)
    return Participant.Status.GRACE, None


def status_on(participant: Participant, on: dt.date | None = None) -> str:
    """The participant's status on ``on`` (default today) — ``active``, ``grace`` or ``ended`` —
    decided as the daily job decides it (the same ledger query and the same rules), whether or
    not the job has run since. The one answer the participant page, the coverage page and the
    card verification page give (``cards.card_status`` adds the card's own validity)."""
    on = on or timezone.localdate()
    if participant.end_date is not None and on > participant.end_date:
        return Participant.Status.ENDED
    if participant.status == Participant.Status.ENDED and participant.end_date is None:
        return Participant.Status.ENDED
    arrears_months = load_parameters().value("contribution.bpu.arrears_months", on)
    in_window, past = _agreement_ended(Participant.objects.filter(pk=participant.pk), on=on, arrears_months=arrears_months)
    if past:
        return Participant.Status.ENDED
    if in_window:
        return Participant.Status.GRACE
    with connection.cursor() as cur:
        cur.execute(_LEDGER_SQL.format(extra="AND l.participant_id = %s"), [participant.pk])
        found = cur.fetchone()
    if found is None:  # nothing billed yet: the record's status stands
        return participant.status if participant.status != Participant.Status.ENDED else Participant.Status.ACTIVE
    row = (db_date(found[1]), db_date(found[2]), db_date(found[3]))
    target, _ends_on = _from_ledger(
        row, on=on, segment=participant.segment, agreement_id=participant.agreement_id, start=participant.start_date, arrears_months=arrears_months
    )
    return target


def _agreement_ended(current, *, on: dt.date, arrears_months: int) -> tuple[dict, dict]:
    """Participants of ``current`` whose open sponsorship period is their current agreement's and
    that agreement ended before ``on``: ``({agreement_end: [(pid, status)]}`` still in the window,
    ``{end_date: [(pid, status)]}`` past it)``. One query; the open period is the latest sponsorship
    (a move closes the old one and opens the new)."""
    rows = (
        SponsorshipPeriod.objects.filter(
            end_date__isnull=True,
            agreement__end_date__lt=on,
            participant__in=current,
            participant__agreement_id=F("agreement_id"),
        )
        .values_list("participant_id", "participant__status", "participant__start_date", "agreement__end_date")
        .order_by()
    )
    in_window: dict[dt.date, list] = {}
    past: dict[dt.date, list] = {}
    for pid, status, start, agreement_end in rows:
        agreement_end = db_date(agreement_end)
        if on > add_months(agreement_end, arrears_months):
            past.setdefault(max(agreement_end, db_date(start)), []).append((pid, status))
        else:
            in_window.setdefault(agreement_end, []).append((pid, status))
    return in_window, past


@job_handler("contributions.daily")
def daily_job(ctx) -> dict:
    on = dt.date.fromisoformat(ctx.params.get("on")) if ctx.params.get("on") else dt.date.today()
    overdue = mark_overdue(on=on)
    moved = refresh_statuses(on=on)
    return {"on": on.isoformat(), "invoices_overdue": overdue, **moved}
