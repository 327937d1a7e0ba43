"""Registration of a list of workers at once, set-based: an employer's wage earners (PU), a
construction project's workers (JAKON), self-paying BPU workers. What a branch office does when an
employer hands in its worker list, or a city's participants are taken over from another system.

The same kernel as the roster import (``lindung.membership.bulk``), in three steps:

1. **read** every row on its own, in Python, without the database: the NIK, the segment's fields
   (wage, cover start, declared income, programmes), a NIK twice in the list;
2. **look up** the rows in chunks of ``CHUNK`` NIKs (one query per table per chunk): the persons
   the register knows (whose data is then not checked again: the register's person is used as
   it is, as ``person_for`` does), their death dates and the memberships that make a row already
   registered or refused; a new person's data is checked as ``person_create`` checks it
   (``registry.services.person_check``, the region codes looked up at once);
3. **write** in the same transaction, under a lock on the employer or project: new persons,
   participants with their KPJ numbers (one block per year of issue), their first status entry,
   set-based (PostgreSQL ``COPY``, SQLite ``executemany``), and one audit event for the list.

All or nothing: any bad row rejects the list (``FileRejected``, each problem named by its row and
field, nothing written). A row already registered (the same worker open at the same employer, in
the same project, or an open self-paying BPU membership) is counted, not registered again, so a
list sent twice registers its workers once (``if_registered="refuse"`` makes such a row an error
instead, as the single-worker forms want).

The entry points: ``register_pu_list``, ``register_project_list``, ``register_bpu_list``; the
older list services ``register_pu_workers`` and ``project_add_workers`` call the same kernel."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.errors import FileRejected, RowError, ServiceError
from lindung.membership.bulk import PERSON_COLUMNS, STATUS_COLUMNS, BulkWriter, lookup
from lindung.membership.kpj import kpj_number, reserve_kpj_block
from lindung.membership.models import Employer, Participant, Project, Segment, StatusChange
from lindung.membership.registration.inputs import as_date, as_int
from lindung.membership.registration.people import bpu_enrol_refusal, bpu_open_race, branch_of
from lindung.membership.registration.premiums import BPU_REQUIRED_PROGRAMS, bpu_terms
from lindung.registry import services as registry_services
from lindung.registry.models import Person, Region

CHUNK = 5_000  # NIKs per look-up
SKIP, REFUSE = "skip", "refuse"

PARTICIPANT_COLUMNS = [
    "id",
    "kpj_number",
    "person_id",
    "segment",
    "programs",
    "wage",
    "risk_class",
    "employer_id",
    "project_id",
    "branch_id",
    "start_date",
    "status",
    "exit_reason",
    "created_at",
    "updated_at",
]


@dataclass
class ListSummary:
    """What a list registration did: its rows, the workers registered, the rows already
    registered (skipped), the persons new to the register, the new participants' ids in row
    order, and the seconds of each step."""

    rows: int = 0
    registered: int = 0
    already_registered: int = 0
    persons_created: int = 0
    participant_ids: list[int] = field(default_factory=list, repr=False)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "registered": self.registered,
            "already_registered": self.already_registered,
            "persons_created": self.persons_created,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@dataclass
class _Row:
    row: int
    nik: str
    data: dict | None  # a person's data as given (None: an existing ``Person`` was given)
    person_id: int | None
    death_date: dt.date | None
    family: list | None
    wage: int
    start: dt.date
    programs: list[str]
    clean: dict | None = None  # a new person's checked values
    warnings: list[str] = field(default_factory=list)


class _Spec:
    """What differs between the segments: the row's own fields, the memberships a row's person
    already has that matter, the participant's columns, the audit event."""

    segment: str
    if_registered: str  # SKIP or REFUSE: what a row already registered here is
    action: str
    message: str  # the audit event's summary (``count``)
    what: str

    def obj(self):
        return None

    def lock(self) -> None:
        """Lock the employer or project the list belongs to (none for self-paying workers)."""
        obj = self.obj()
        if obj is not None:
            list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))

    def read(self, n: int, item: dict, errors: dict[str, str]) -> tuple[int, dt.date | None, list[str]]:
        raise NotImplementedError

    def memberships(self, person_ids: list[int]) -> dict[int, Participant]:
        return {}

    def existing(self, row: _Row, found: Participant | None) -> ServiceError | str | None:
        """For a row whose person the register knows: ``SKIP`` (already registered), a refusal,
        or None (to be registered). A deceased person is refused; one already open here (``found``)
        is skipped, or refused with ``already`` when ``if_registered`` is ``REFUSE``."""
        if row.death_date:
            return ServiceError("person_deceased", _("This person is recorded as deceased."), {"nik": "deceased"})
        if found is not None:
            if self.if_registered == SKIP:
                return SKIP
            return ServiceError("already_registered", self.already(row, found), {"nik": "already registered"})
        return None

    def already(self, row: _Row, found: Participant) -> str:
        """The refusal's message for a worker already open here."""
        raise NotImplementedError

    def year(self, row: _Row) -> int:
        return row.start.year

    def values(self, row: _Row) -> tuple:
        """``risk_class, employer_id, project_id, branch_id`` of the new participant."""
        raise NotImplementedError


class _PU(_Spec):
    segment = Segment.PU
    action = "employer.register_workers"
    message = gettext_noop("%(count)s PU worker(s) registered")

    def __init__(self, employer: Employer, actor, branch, if_registered: str):
        self.employer, self.if_registered = employer, if_registered
        self.branch = branch_of(actor, branch) or employer.branch
        self.what = _("worker list of %(npp)s") % {"npp": employer.npp}

    def obj(self):
        return self.employer

    def read(self, n, item, errors):
        wage = as_int(item.pop("wage", None), "wage", errors)
        if wage is not None and wage <= 0:
            errors["wage"] = "The wage must be positive."
        start = as_date(item.pop("start_date", None), "start_date", errors)
        return wage or 0, start, ["JKK", "JKM"]

    def memberships(self, person_ids):
        rows = lookup(
            "SELECT person_id, kpj_number, status FROM membership_participant "
            "WHERE employer_id = %s AND segment = 'PU' AND status <> 'ended' AND person_id {}",
            person_ids,
            before=[self.employer.pk],
        )
        return {pid: Participant(kpj_number=kpj, status=status) for pid, kpj, status in rows}

    def already(self, row, found):
        return f"{row.nik} already works for {self.employer.npp} (open PU membership {found.kpj_number})."

    def values(self, row):
        return (self.employer.risk_class, self.employer.pk, None, self.branch.pk if self.branch else None)


class _Project(_Spec):
    segment = Segment.JAKON
    action = "project.add_workers"
    message = gettext_noop("%(count)s construction worker(s) added")

    def __init__(self, project: Project, actor, branch, if_registered: str):
        self.project, self.if_registered = project, if_registered
        self.branch = branch_of(actor, branch) or project.branch
        self.what = _("worker list of project %(number)s") % {"number": project.number}

    def obj(self):
        return self.project

    def read(self, n, item, errors):
        wage = 0
        raw = item.pop("wage", None)
        if raw not in (None, ""):
            wage = as_int(raw, "wage", errors) or 0
        start_raw = item.pop("start_date", None)
        start = self.project.start_date if start_raw in (None, "") else as_date(start_raw, "start_date", errors)
        if start and not self.project.start_date <= start <= self.project.end_date:
            errors["start_date"] = "Outside the project period."
        return wage, start, ["JKK", "JKM"]

    def memberships(self, person_ids):
        rows = lookup(
            "SELECT person_id, kpj_number, status FROM membership_participant WHERE project_id = %s AND person_id {}",
            person_ids,
            before=[self.project.pk],
        )
        return {pid: Participant(kpj_number=kpj, status=status) for pid, kpj, status in rows}

    def already(self, row, found):
        return f"{row.nik} is already a worker of project {self.project.number}."

    def year(self, row):
        return self.project.start_date.year

    def values(self, row):
        return ("", None, self.project.pk, self.branch.pk if self.branch else None)


class _SelfPaying(_Spec):
    segment = Segment.BPU
    action = "participant.register_bpu_list"
    message = gettext_noop("%(count)s self-paying worker(s) registered from a list")

    def __init__(self, actor, branch, if_registered: str):
        self.if_registered = if_registered
        self.branch = branch_of(actor, branch)
        self.what = _("list of self-paying workers")

    def read(self, n, item, errors):
        income = as_int(item.pop("declared_income", None), "declared_income", errors)
        start = as_date(item.pop("start_date", None), "start_date", errors)
        programs = bpu_terms(income, start, item.pop("programs", None) or BPU_REQUIRED_PROGRAMS, errors)
        return income or 0, start, programs

    def memberships(self, person_ids):
        rows = lookup(
            "SELECT person_id, kpj_number, status, agreement_id FROM membership_participant WHERE segment = 'BPU' AND status <> 'ended' AND person_id {}",
            person_ids,
        )
        return {pid: Participant(kpj_number=kpj, status=status, agreement_id=agreement) for pid, kpj, status, agreement in rows}

    def existing(self, row, found):
        refusal = bpu_enrol_refusal(row.death_date, found)
        if refusal is not None and found is not None and found.agreement_id is None and self.if_registered == SKIP:
            return SKIP  # the same self-paying membership: registered by an earlier run of the list
        return refusal

    def values(self, row):
        return ("", None, None, self.branch.pk if self.branch else None)


def register_pu_list(employer: Employer, rows: Iterable[dict], *, actor, branch=None, if_registered: str = SKIP) -> ListSummary:
    """Register an employer's wage earners from a list: each row holds the person (``nik``,
    ``full_name``, ``birth_date``, ``sex``, optional ``region``, ``address``, ``phone``,
    ``occupation``…, or ``person`` for an existing one; optional ``row``, its number in the
    employer's file), ``wage`` and ``start_date``. See the module docstring."""
    return _register(_PU(employer, actor, branch, if_registered), rows, actor=actor)


def register_project_list(project: Project, rows: Iterable[dict], *, actor, branch=None, if_registered: str = SKIP) -> ListSummary:
    """Register a construction project's workers from a list (person data or ``person``; optional
    ``wage`` and ``start_date``, by default the project's start, within its period)."""
    return _register(_Project(project, actor, branch, if_registered), rows, actor=actor)


def register_bpu_list(rows: Iterable[dict], *, actor, branch=None, if_registered: str = SKIP) -> ListSummary:
    """Register self-paying BPU workers from a list: each row holds the person, ``declared_income``
    (within the JKK bracket limits on the cover start), ``start_date`` and optional ``programs``
    (JKK and JKM compulsory, JHT optional). A person deceased, or open in another BPU membership
    (a sponsored one), is refused, by the check of ``register_bpu`` (``bpu_enrol_refusal``)."""
    return _register(_SelfPaying(actor, branch, if_registered), rows, actor=actor)


def _register(spec: _Spec, items: Iterable[dict], *, actor) -> ListSummary:
    items = list(items)
    if not items:
        raise ServiceError("invalid", _("No workers given."), {"workers": "empty"})
    summary = ListSummary(rows=len(items))
    clock = time.perf_counter()
    rows, errors = _read(spec, items)
    summary.seconds["read"] = time.perf_counter() - clock
    with transaction.atomic():
        spec.lock()
        clock = time.perf_counter()
        todo = _classify(spec, rows, errors, summary)
        summary.seconds["check"] = time.perf_counter() - clock
        if errors:
            raise FileRejected(sorted(errors, key=lambda e: (e.row, e.field or "")), what=spec.what)
        clock = time.perf_counter()
        try:
            with transaction.atomic():
                _write(spec, todo, actor, summary)
        except IntegrityError:
            if spec.segment == Segment.BPU:
                raise bpu_open_race() from None
            raise
        summary.seconds["write"] = time.perf_counter() - clock
        kpjs = list(Participant.objects.filter(pk__in=summary.participant_ids[:50]).order_by("pk").values_list("kpj_number", flat=True))
        audit.record(
            actor=actor,
            action=spec.action,
            obj=spec.obj(),
            changes={
                "count": summary.registered,
                "rows": summary.rows,
                "already_registered": summary.already_registered,
                "persons_created": summary.persons_created,
                "kpj_numbers": kpjs,
            },
            summary=audit.Message(spec.message, count=summary.registered),
        )
    return summary


def _read(spec: _Spec, items: Iterable[dict]) -> tuple[list[_Row], list[RowError]]:
    """Step 1: every row on its own, without the database."""
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items, start=1):
        item = dict(item)
        n = int(item.pop("row", None) or i)
        row_errors: dict[str, str] = {}
        codes: dict[str, str] = {}
        wage, start, programs = spec.read(n, item, row_errors)
        person = item.pop("person", None)
        family = item.pop("family", None)
        if isinstance(person, Person):
            nik, data, pid, death = person.nik, None, person.pk, person.death_date
        else:
            data = dict(person or item)
            family = data.pop("family", family)
            nik, pid, death = str(data.get("nik") or "").replace(" ", ""), None, None
            try:
                registry_services.check_nik(nik)
            except ServiceError as exc:
                row_errors.update(exc.fields)
                codes["nik"] = exc.code
        if "nik" not in row_errors and nik in seen:
            row_errors["nik"] = f"This NIK appears twice in the list (first on row {seen[nik]})."
            codes["nik"] = "duplicate_in_list"
        seen.setdefault(nik, n)
        if row_errors:
            errors += [RowError(n, codes.get(k, "invalid"), v, k) for k, v in row_errors.items()]
            continue
        rows.append(_Row(n, nik, data, pid, death, family, wage, start, programs))
    return rows, errors


def _classify(spec: _Spec, rows: list[_Row], errors: list[RowError], summary: ListSummary) -> list[_Row]:
    """Step 2: the rows against the register, in chunks; the rows to register."""
    todo = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        asked = [r.nik for r in chunk if r.person_id is None]
        known = {nik: (pk, death) for nik, pk, death in lookup("SELECT nik, id, death_date FROM registry_person WHERE nik {}", asked, dates=(2,))}
        for r in chunk:
            if r.person_id is None and r.nik in known:
                r.person_id, r.death_date = known[r.nik]
        found = spec.memberships([r.person_id for r in chunk if r.person_id is not None])
        regions = _regions(r.data for r in chunk if r.person_id is None)
        for r in chunk:
            if r.person_id is None:
                try:
                    r.clean, r.warnings = registry_services.person_check(r.data, regions=regions)
                except ServiceError as exc:
                    errors += [RowError(r.row, "invalid", v, k) for k, v in exc.fields.items()] or [RowError(r.row, exc.code, exc.message, "person")]
                    continue
                todo.append(r)
                continue
            outcome = spec.existing(r, found.get(r.person_id))
            if outcome == SKIP:
                summary.already_registered += 1
            elif outcome is not None:
                errors += [RowError(r.row, outcome.code, outcome.message, "nik")]
            else:
                todo.append(r)
    return todo


def _regions(datas: Iterable[dict]) -> dict[str, Region]:
    codes = set()
    for data in datas:
        value = data.get("region", data.get("region_code"))
        if value not in (None, "") and not isinstance(value, Region):
            codes.add(str(value).strip())
    out: dict[str, Region] = {}
    ordered = sorted(codes)
    for i in range(0, len(ordered), 500):
        out.update({r.code: r for r in Region.objects.filter(code__in=ordered[i : i + 500])})
    return out


def _write(spec: _Spec, todo: list[_Row], actor, summary: ListSummary) -> None:
    """Step 3: persons, participants and their first status entry, set-based."""
    if not todo:
        return
    w = BulkWriter()
    now = w.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    new = [r for r in todo if r.person_id is None]
    for r, pid in zip(new, w.ids(Person._meta.db_table, len(new)), strict=True):
        r.person_id = pid
    for start in range(0, len(new), CHUNK):
        w.insert(Person._meta.db_table, PERSON_COLUMNS, [_person_values(w, r, now) for r in new[start : start + CHUNK]])
    summary.persons_created = len(new)
    _families(todo, actor)
    by_year: dict[int, list[_Row]] = {}
    for r in todo:
        by_year.setdefault(spec.year(r), []).append(r)
    kpj: dict[int, str] = {}
    for year, group in sorted(by_year.items()):
        first = reserve_kpj_block(len(group), year)
        for i, r in enumerate(group):
            kpj[r.row] = kpj_number(year, first + i)
    ids = w.ids(Participant._meta.db_table, len(todo))
    for start in range(0, len(todo), CHUNK):
        part = list(zip(todo[start : start + CHUNK], ids[start : start + CHUNK], strict=True))
        w.insert(
            Participant._meta.db_table,
            PARTICIPANT_COLUMNS,
            [
                (pk, kpj[r.row], r.person_id, spec.segment, json.dumps(r.programs), r.wage, *spec.values(r), w.date(r.start), "active", "", now, now)
                for r, pk in part
            ],
        )
        w.insert(
            StatusChange._meta.db_table,
            STATUS_COLUMNS,
            [(pk, "", Participant.Status.ACTIVE, w.date(r.start), "registered", "", now, actor_id) for r, pk in part],
        )
    summary.registered = len(todo)
    summary.participant_ids = ids


def _person_values(w: BulkWriter, r: _Row, now) -> tuple:
    c = r.clean
    region = c.get("region")
    return (
        r.person_id,
        c["nik"],
        c["full_name"],
        w.date(c["birth_date"]),
        c["sex"],
        region.code if region is not None else None,
        c.get("address", ""),
        c.get("phone", ""),
        c.get("occupation", ""),
        c.get("family_card_number", ""),
        c.get("bank_name", ""),
        c.get("bank_account_number", ""),
        c.get("bank_account_holder", ""),
        json.dumps(r.warnings),
        now,
        now,
    )


def _families(rows: list[_Row], actor) -> None:
    """The family members given with a row (``family``), added by the registry's service; a bad
    member rejects the list (named by its row and ``family.N.field``)."""
    errors = []
    for r in rows:
        if not r.family:
            continue
        person = Person.objects.get(pk=r.person_id)
        for j, member in enumerate(r.family):
            try:
                registry_services.family_member_add(person, actor=actor, **member)
            except ServiceError as exc:
                errors += [RowError(r.row, exc.code, v, f"family.{j}.{k}") for k, v in exc.fields.items()] or [
                    RowError(r.row, exc.code, exc.message, f"family.{j}")
                ]
    if errors:
        raise FileRejected(errors, what=_("worker list"))


def as_field_errors(exc: FileRejected) -> ServiceError:
    """A list's refusal as one ``ServiceError`` whose fields are ``workers.<row>.<field>`` (the
    form of the older list services' answers and of the API)."""
    fields = {f"workers.{e.row}.{e.field or 'person'}": e.message for e in exc.errors}
    return ServiceError(
        "invalid",
        _("%(what)s: %(details)s") % {"what": _("The worker list is not valid"), "details": "; ".join(f"{k}: {v}" for k, v in fields.items())},
        fields,
    )
