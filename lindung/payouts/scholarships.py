"""Yearly scholarships (beasiswa pendidikan anak): a schedule per entitled child of a decided claim
(at most two, from the frozen benefit), a yearly scholarship claim opened each school year needing
proof of enrolment, approved into a payment order to the child's or guardian's account, until a
stop event ends the schedule.

School years start in ``LINDUNG_SCHOOL_YEAR_START_MONTH`` (default July): school year 2025 is
1 July 2025 – 30 June 2026. Amounts per level come from the regulation in force on the event date
(the claim's), capped by the child's maximum less what was approved before.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.claims.models import Claim, ClaimHeir, ClaimStatus
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.payouts import orders as order_service
from lindung.payouts.models import OrderGroup, PaymentOrder, ScholarshipSchedule, ScholarshipYear
from lindung.rules import load_parameters
from lindung.rules.banks import banks
from lindung.rules.scholarship import age_on

Stop = ScholarshipSchedule.StopReason
Y = ScholarshipYear.Status
CHUNK = 5000


def school_year_start(year: int) -> dt.date:
    return dt.date(year, int(getattr(settings, "LINDUNG_SCHOOL_YEAR_START_MONTH", 7)), 1)


def current_school_year(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= int(getattr(settings, "LINDUNG_SCHOOL_YEAR_START_MONTH", 7)) else today.year - 1


def _levels(claim: Claim) -> dict[str, dict]:
    view = load_parameters().at(claim.event_date)
    return {row["level"]: row for row in view["scholarship.levels"]}


def _age_limit(claim: Claim) -> int | None:
    return load_parameters().at(claim.event_date)["scholarship.age_limit"]


@transaction.atomic
def create_schedules_for_claim(claim: Claim, *, actor) -> list[ScholarshipSchedule]:
    """A schedule per entitled child of the claim's frozen scholarship (at most two, as the rules
    engine selected them). Nothing when the claim grants no scholarship; idempotent."""
    if claim.status not in (ClaimStatus.APPROVED, ClaimStatus.READY):
        raise ServiceError("claim_not_decided", _("Claim %(number)s is not decided.") % {"number": claim.number}, {"claim": claim.status})
    frozen = (claim.benefit or {}).get("scholarship") or {}
    if not frozen.get("eligible"):
        return []
    created = []
    for child in frozen.get("children", []):
        if not child.get("eligible") or not child.get("id"):
            continue
        heir = ClaimHeir.objects.filter(claim=claim, pk=int(child["id"])).first()
        if heir is None or ScholarshipSchedule.objects.filter(heir=heir).exists():
            continue
        created.append(
            ScholarshipSchedule.objects.create(
                claim=claim,
                heir=heir,
                sponsor_id=claim.sponsor_id,
                branch_id=claim.branch_id,
                child_name=heir.full_name,
                birth_date=heir.birth_date or dt.date.fromisoformat(child["birth_date"]),
                max_total=int(child.get("max_total") or 0),
                projected=[{k: y[k] for k in ("school_year", "starts", "level", "year_in_level", "amount")} for y in child.get("years", [])],
            )
        )
    if created:
        audit.record(actor=actor, action="payouts.scholarship_schedules", obj=claim, changes={"children": len(created)}, sponsor_id=claim.sponsor_id)
    return created


def approved_total(schedule: ScholarshipSchedule) -> int:
    return ScholarshipYear.objects.filter(schedule=schedule, status=Y.APPROVED).aggregate(t=Sum("amount"))["t"] or 0


def _end(schedule_ids, reason: str, on: dt.date) -> int:
    ids = list(schedule_ids)
    n = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        n += ScholarshipSchedule.objects.filter(pk__in=chunk, status=ScholarshipSchedule.Status.ACTIVE).update(
            status=ScholarshipSchedule.Status.ENDED, stop_reason=reason, stop_date=on
        )
        ScholarshipYear.objects.filter(schedule_id__in=chunk, status__in=[Y.OPEN, Y.SUBMITTED, Y.NOT_IN_SCHOOL]).update(status=Y.CLOSED)
    return n


def open_school_year(year: int, *, actor, branch=None) -> dict:
    """Open the yearly scholarship claim of every active child for school ``year`` (proof of
    enrolment needed), set-based. Before opening, the schedules that end by themselves are ended:
    the child has reached the age limit on the first day of the school year, or the maximum has been
    approved. Opening a year twice opens nothing more. Returns the counts."""
    starts = school_year_start(year)
    active = ScholarshipSchedule.objects.filter(status=ScholarshipSchedule.Status.ACTIVE)
    if branch is not None:
        active = active.filter(branch=branch)
    rows = list(active.values_list("pk", "birth_date", "max_total", "claim__event_date").iterator(chunk_size=CHUNK))
    approved = dict(
        ScholarshipYear.objects.filter(status=Y.APPROVED, schedule__in=active.values("pk"))
        .values("schedule_id")
        .annotate(t=Sum("amount"))
        .values_list("schedule_id", "t")
    )
    already = ScholarshipYear.objects.filter(school_year=year, schedule__in=active.values("pk")).count()
    params = load_parameters()
    limits: dict[dt.date, int | None] = {}
    over_age, at_maximum = [], []
    for pk, birth, max_total, event_date in rows:
        if event_date not in limits:
            limits[event_date] = params.at(event_date)["scholarship.age_limit"]
        limit = limits[event_date]
        if limit is not None and age_on(birth, starts) >= limit:
            over_age.append(pk)
        elif max_total and approved.get(pk, 0) >= max_total:
            at_maximum.append(pk)
    with transaction.atomic():
        ended_age = _end(over_age, Stop.AGE_LIMIT, starts)
        ended_max = _end(at_maximum, Stop.MAXIMUM, starts)
        opened = _insert_open_years(year, branch)
        result = {"school_year": year, "opened": opened, "ended_age_limit": ended_age, "ended_maximum": ended_max, "already_open": already}
        audit.record(
            actor=actor, action="payouts.scholarship_year_open", object_type="payouts.scholarshipyear", changes=result, summary=f"{year}/{year + 1}"
        )
    return result


def _insert_open_years(year: int, branch) -> int:
    """One ``INSERT … SELECT``: a year awaiting proof of enrolment for every active schedule (of the
    branch) that has none for ``year``."""
    years, schedules = ScholarshipYear._meta.db_table, ScholarshipSchedule._meta.db_table
    now = timezone.now()
    where_branch = "AND s.branch_id = %s" if branch is not None else ""
    sql = (
        f"INSERT INTO {years} (schedule_id, school_year, status, level, school_name, amount, account_name, bank_code, account_number, "
        f"sponsor_id, branch_id, created_at, updated_at) "
        f"SELECT s.id, %s, %s, '', '', 0, '', '', '', s.sponsor_id, s.branch_id, %s, %s FROM {schedules} s "
        f"WHERE s.status = %s {where_branch} AND NOT EXISTS (SELECT 1 FROM {years} y WHERE y.schedule_id = s.id AND y.school_year = %s)"
    )
    params = [year, Y.OPEN, now, now, ScholarshipSchedule.Status.ACTIVE, *([branch.pk] if branch is not None else []), year]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _locked_year(year_claim: ScholarshipYear) -> ScholarshipYear:
    return ScholarshipYear.objects.select_for_update().select_related("schedule__claim", "schedule__heir").get(pk=year_claim.pk)


@transaction.atomic
def record_enrolment(
    year_claim: ScholarshipYear,
    *,
    actor,
    level: str,
    school_class: int,
    school_name: str,
    year_in_level: int | None = None,
    bank_code: str = "",
    account_number: str = "",
    account_name: str = "",
) -> ScholarshipYear:
    """The proof of enrolment of the school year (level, class, school) and the child's or
    guardian's account: the amount is the level's, capped by what remains of the maximum."""
    y = _locked_year(year_claim)
    if y.status not in (Y.OPEN, Y.NOT_IN_SCHOOL, Y.SUBMITTED):
        raise ServiceError("not_open", _("This yearly scholarship claim is “%(s)s”.") % {"s": y.get_status_display()}, {"status": y.status})
    schedule = y.schedule
    levels = _levels(schedule.claim)
    if level not in levels:
        raise ServiceError("invalid", _("Unknown school level %(level)s.") % {"level": level}, {"level": "one of " + ", ".join(levels)})
    max_years = levels[level]["max_years"]
    year_in_level = year_in_level or (
        school_class if level == "SD" else ((school_class - 6) if level == "SMP" else (school_class - 9) if level == "SMA" else 1)
    )
    if not 1 <= year_in_level <= max_years:
        raise ServiceError(
            "invalid",
            _("Year %(n)s of %(level)s is beyond the %(max)s years paid for that level.") % {"n": year_in_level, "level": level, "max": max_years},
            {"school_class": "out of range"},
        )
    if not school_name.strip():
        raise ServiceError("invalid", _("Name the school."), {"school_name": "required"})
    from lindung.claims.heirs import check_account

    account = check_account(bank_code, account_number) if (bank_code or account_number) else ""
    remaining = max(schedule.max_total - approved_total(schedule), 0) if schedule.max_total else levels[level]["amount"]
    y.level, y.school_class, y.year_in_level, y.school_name = level, school_class, year_in_level, school_name.strip()[:200]
    y.amount = min(levels[level]["amount"], remaining)
    y.bank_code, y.account_number, y.account_name = bank_code, account, (account_name or schedule.child_name)[:200]
    y.status = Y.SUBMITTED
    y.save()
    audit.record(actor=actor, action="payouts.scholarship_enrolment", obj=y, changes={"level": level, "class": school_class, "amount": y.amount})
    return y


@transaction.atomic
def attach_enrolment_proof(year_claim: ScholarshipYear, *, actor, upload) -> ScholarshipYear:
    """The proof of enrolment (school's letter, report card: PDF, JPEG or PNG), kept through the
    kernel's stored files (checked by content and size, served to staff who see the year)."""
    from lindung.core import files

    y = _locked_year(year_claim)
    if y.status not in (Y.OPEN, Y.NOT_IN_SCHOOL, Y.SUBMITTED):
        raise ServiceError("not_open", _("This yearly scholarship claim is “%(s)s”.") % {"s": y.get_status_display()}, {"status": y.status})
    stored, _detected = files.store_upload(upload, kind="scholarship_proof", owner=y, sponsor_id=y.sponsor_id, actor=actor)
    y.proof = stored
    y.save(update_fields=["proof", "updated_at"])
    audit.record(actor=actor, action="payouts.scholarship_proof", obj=y, changes={"file": str(stored.pk), "bytes": stored.size})
    year_claim.proof = stored
    return y


@transaction.atomic
def record_not_in_school(year_claim: ScholarshipYear, *, actor) -> ScholarshipYear:
    """The child is not in school yet: nothing is paid this year; the schedule stays active and the
    child receives the scholarship from the school year they enter school."""
    y = _locked_year(year_claim)
    if y.status != Y.OPEN:
        raise ServiceError("not_open", _("This yearly scholarship claim is “%(s)s”.") % {"s": y.get_status_display()}, {"status": y.status})
    y.status, y.amount = Y.NOT_IN_SCHOOL, 0
    y.save(update_fields=["status", "amount", "updated_at"])
    audit.record(actor=actor, action="payouts.scholarship_not_in_school", obj=y)
    return y


@transaction.atomic
def approve_scholarship_year(year_claim: ScholarshipYear, *, actor) -> PaymentOrder:
    """Approve the year: it becomes a payment order (group scholarship) to the account given."""
    if not getattr(actor, "has_perm", lambda p: False)("claims.approve_claim") and not getattr(actor, "has_perm", lambda p: False)(
        "payouts.add_paymentorder"
    ):
        raise ServiceError("permission_denied", _("You may not approve scholarships."), {}, status=403)
    y = _locked_year(year_claim)
    if y.status != Y.SUBMITTED:
        raise ServiceError(
            "not_submitted", _("The proof of enrolment is not recorded (it is “%(s)s”).") % {"s": y.get_status_display()}, {"status": y.status}
        )
    if y.proof_id is None:
        raise ServiceError("proof_missing", _("Attach the proof of enrolment first."), {"proof": "required"})
    schedule = y.schedule
    if schedule.status != ScholarshipSchedule.Status.ACTIVE:
        raise ServiceError("schedule_ended", _("The scholarship ended (%(r)s).") % {"r": schedule.get_stop_reason_display()}, {"schedule": "ended"})
    found = banks().get(y.bank_code)
    if found is None or not y.account_number:
        raise ServiceError("payee_without_account", _("Record the child's or guardian's bank account."), {"account_number": "required"})
    if y.amount <= 0:
        raise ServiceError("nothing_to_pay", _("Nothing remains to be paid for this child."), {"amount": "0"})
    y.status = Y.APPROVED
    y.save(update_fields=["status", "updated_at"])
    order = PaymentOrder(
        number="t" + uuid.uuid4().hex[:19],
        claim=schedule.claim,
        payee=None,
        group=OrderGroup.SCHOLARSHIP,
        scholarship_year=y,
        sponsor_id=schedule.sponsor_id,
        branch_id=schedule.branch_id,
        benefit_amount=y.amount,
        amount=y.amount,
        payee_name=schedule.child_name[:200],
        payee_nik=schedule.heir.nik or "",
        bank_code=found.code,
        bank_name=found.short_name[:100],
        bank_bic=found.bic or "",
        account_number=y.account_number,
        account_holder=y.account_name or schedule.child_name,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    order.save()
    order.number = order_service.order_number(order)
    order.save(update_fields=["number"])
    order_service.ORDER.record_creation(order, actor=actor)
    if schedule.max_total and approved_total(schedule) >= schedule.max_total:
        _end([schedule.pk], Stop.MAXIMUM, school_year_start(y.school_year))
    audit.record(actor=actor, action="payouts.scholarship_approve", obj=y, changes={"order": order.number, "amount": y.amount})
    return order


@transaction.atomic
def record_stop_event(
    schedule: ScholarshipSchedule,
    *,
    actor,
    reason: str,
    on: dt.date,
    work_months: int = 0,
    bpu_worker: bool = False,
    apprentice: bool = False,
) -> ScholarshipSchedule:
    """A stop event with its date ends the schedule: married, working, deceased (or the age limit
    and the maximum, which the yearly opening records by itself). Working from 24 February 2025 does
    not end it for a student working at most six consecutive months, a BPU worker or an apprentice
    (Permenaker 1/2025): refused as ``working_exception``."""
    locked = ScholarshipSchedule.objects.select_for_update().get(pk=schedule.pk)
    if reason not in Stop.values:
        raise ServiceError("invalid", _("Unknown stop event %(r)s.") % {"r": reason}, {"reason": "one of " + ", ".join(Stop.values)})
    if locked.status != ScholarshipSchedule.Status.ACTIVE:
        raise ServiceError(
            "schedule_ended", _("The scholarship ended already (%(r)s).") % {"r": locked.get_stop_reason_display()}, {"schedule": "ended"}
        )
    if reason == Stop.WORKING:
        view = load_parameters().at(on)
        max_months = view["scholarship.working_student_max_months"]
        keeps = view["scholarship.working_student_bpu_or_apprentice_keeps"]
        if (max_months is not None and work_months <= max_months) or (keeps and (bpu_worker or apprentice)):
            raise ServiceError(
                "working_exception",
                _("A student working at most %(n)s months, a BPU worker or an apprentice keeps the scholarship (%(ref)s).")
                % {"n": max_months, "ref": view.ref("scholarship.working_student_max_months")},
                {"reason": "exception applies"},
            )
    _end([locked.pk], reason, on)
    locked.refresh_from_db()
    audit.record(actor=actor, action="payouts.scholarship_stop", obj=locked, changes={"reason": reason, "date": on.isoformat()})
    schedule.status, schedule.stop_reason, schedule.stop_date = locked.status, locked.stop_reason, locked.stop_date
    return locked
