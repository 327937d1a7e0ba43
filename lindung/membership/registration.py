"""Registration of members who are not enrolled through a sponsor's roster: self-paying BPU
workers, employers with their wage-earner (PU) workers and monthly wage reports, and
construction projects (JAKON) with their workers.

Every function here is a service: it takes ``actor=``, validates with the rules engine, writes in
one transaction and records an audit event (one per batch on bulk paths). Validation errors name
the field (``ServiceError.fields``) or the row (``FileRejected``); nothing is half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lindung.core import audit
from lindung.core.errors import Conflict, FileRejected, RowError, ServiceError
from lindung.membership.kpj import is_valid_kpj, reserve_kpj_numbers
from lindung.membership.models import Employer, Participant, Project, RiskClass, Segment, StatusChange, WageReport
from lindung.registry import services as registry_services
from lindung.registry.models import Person, Region
from lindung.rules import ContributionCase, Result, calculate_contribution, load_parameters
from lindung.rules.results import CaseError

BPU_REQUIRED_PROGRAMS = ("JKK", "JKM")
BPU_OPTIONAL_PROGRAMS = ("JHT",)
_NPP_RE = re.compile(r"^[A-Z0-9]{5,20}$")
_PROJECT_RE = re.compile(r"^[A-Za-z0-9.-]{3,40}$")


# ---------------------------------------------------------------------------------------------
# Rules-engine helpers
# ---------------------------------------------------------------------------------------------


def bpu_income_limits(on: dt.date) -> tuple[int, int]:
    """The declared-income range of a BPU worker on ``on``: the JKK minimum and maximum
    contributions divided by the JKK rate (10,000 / 1% = 1,000,000; 207,000 / 1% = 20,700,000)."""
    view = load_parameters().at(on)
    rate = Decimal(view["contribution.bpu.jkk_rate"])
    low = int(Decimal(view["contribution.bpu.jkk_min"]) / rate)
    high = int(Decimal(view["contribution.bpu.jkk_max"]) / rate)
    return low, high


def _premium(case: ContributionCase, field_name: str = "wage") -> Result:
    try:
        return calculate_contribution(case)
    except CaseError as exc:
        fields = dict(getattr(exc, "fields", None) or getattr(exc, "errors", None) or {}) or {field_name: str(exc)}
        raise ServiceError(
            "invalid", _("The premium cannot be calculated: %(details)s") % {"details": "; ".join(f"{k}: {v}" for k, v in fields.items())}, fields
        ) from None


def bpu_premium(declared_income: int, programs: Iterable[str], on: dt.date) -> Result:
    return _premium(ContributionCase(segment="BPU", on=on, programs=tuple(programs), wage=int(declared_income)))


def pu_premium(wage: int, risk_class: str, on: dt.date) -> Result:
    return _premium(ContributionCase(segment="PU", on=on, programs=("JKK", "JKM"), wage=int(wage), risk_class=risk_class))


def project_premium(project: Project) -> Result:
    """The per-project premium of a construction project: on the total wage when it is known,
    otherwise on the contract value (marginal brackets)."""
    if project.total_wage:
        case = ContributionCase(segment="JAKON", on=project.start_date, wage=project.total_wage)
    else:
        case = ContributionCase(segment="JAKON", on=project.start_date, contract_value=project.contract_value)
    return _premium(case, "contract_value")


def participant_premium(participant: Participant, on: dt.date | None = None) -> Result | None:
    """The monthly premium of one membership (None for construction workers: priced per project)."""
    on = on or dt.date.today()
    if participant.segment == Segment.BPU:
        return bpu_premium(participant.wage, participant.programs, on)
    if participant.segment == Segment.PU and participant.wage:
        return pu_premium(participant.wage, participant.risk_class or participant.employer.risk_class, on)
    return None


def _as_int(value, field_name: str, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        errors[field_name] = "Required."
        return None
    if isinstance(value, bool):
        errors[field_name] = "Must be a whole number of rupiah."
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(".", "").replace(",", "").replace(" ", "")
    if text.lower().startswith("rp"):
        text = text[2:]
    if not text.isdigit():
        errors[field_name] = f"{value!r} is not a whole number of rupiah."
        return None
    return int(text)


def _as_date(value, field_name: str, errors: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        errors[field_name] = "Required."
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field_name] = f"{value!r} is not a date (YYYY-MM-DD)."
        return None


def _raise(errors: dict[str, str], what: str) -> None:
    """``what`` is the translated sentence head, e.g. ``_("The registration is not valid")``."""
    if errors:
        raise ServiceError(
            "invalid", _("%(what)s: %(details)s") % {"what": what, "details": "; ".join(f"{k}: {v}" for k, v in errors.items())}, errors
        )


def _branch_of(actor, branch=None):
    return branch if branch is not None else getattr(actor, "branch", None)


def _person_for(person_or_data, *, actor, errors: dict[str, str], prefix: str = "") -> Person | None:
    """An existing ``Person``, one found by NIK, or a new one created from the given data."""
    if isinstance(person_or_data, Person):
        return person_or_data
    data = dict(person_or_data or {})
    family = data.pop("family", None)
    nik = str(data.get("nik") or "").replace(" ", "")
    existing = registry_services.person_find(nik) if nik else None
    if existing is not None:
        return existing
    try:
        return registry_services.person_create(actor=actor, family=family, **data)
    except ServiceError as exc:
        errors.update({f"{prefix}{k}": v for k, v in exc.fields.items()} or {f"{prefix}person": exc.message})
        return None


def _initial_status(participants: list[Participant], *, actor, reason: str) -> None:
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                participant=p,
                from_status="",
                to_status=Participant.Status.ACTIVE,
                effective_date=p.start_date,
                reason=reason,
                actor=actor if getattr(actor, "pk", None) else None,
            )
            for p in participants
        ]
    )


# ---------------------------------------------------------------------------------------------
# Individual (self-paying) BPU registration
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def register_bpu(*, actor, person, declared_income, start_date, programs: Iterable[str] = BPU_REQUIRED_PROGRAMS, branch=None) -> Participant:
    """Register a self-paying BPU worker (an existing ``Person`` or the data of a new one, with
    an optional ``family`` list). JKK and JKM are compulsory, JHT optional; the declared income
    must lie within the JKK bracket limits in force on ``start_date``. A person may hold one open
    BPU membership only (``bpu_already_open``, 409)."""
    errors: dict[str, str] = {}
    income = _as_int(declared_income, "declared_income", errors)
    start = _as_date(start_date, "start_date", errors)
    chosen = [str(p).upper() for p in (programs or [])]
    unknown = [p for p in chosen if p not in BPU_REQUIRED_PROGRAMS + BPU_OPTIONAL_PROGRAMS]
    if unknown:
        errors["programs"] = f"Unknown programme(s) {', '.join(unknown)}; BPU takes JKK, JKM and optionally JHT."
    elif not set(BPU_REQUIRED_PROGRAMS) <= set(chosen):
        errors["programs"] = "JKK and JKM are compulsory for BPU workers (JHT is optional)."
    if income is not None and start is not None:
        low, high = bpu_income_limits(start)
        if not low <= income <= high:
            errors["declared_income"] = f"The declared income must be between Rp {low:,} and Rp {high:,} a month (got Rp {income:,}).".replace(
                ",", "."
            )
    _raise(errors, _("The registration is not valid"))
    person_obj = _person_for(person, actor=actor, errors=errors, prefix="person.")
    _raise(errors, _("The registration is not valid"))
    if person_obj.death_date:
        raise ServiceError("person_deceased", _("This person is recorded as deceased."), {"person": "deceased"})
    open_bpu = Participant.objects.filter(person=person_obj, segment=Segment.BPU).exclude(status=Participant.Status.ENDED).first()
    if open_bpu is not None:
        raise Conflict(
            "bpu_already_open",
            _("This person already has an open BPU membership (KPJ %(kpj)s, %(status)s); end it before registering again.")
            % {"kpj": open_bpu.kpj_number, "status": open_bpu.get_status_display()},
            {"person": f"open BPU membership {open_bpu.kpj_number}"},
        )
    programs_sorted = [p for p in ("JKK", "JKM", "JHT") if p in chosen]
    premium = bpu_premium(income, programs_sorted, start)
    (kpj,) = reserve_kpj_numbers(1, start.year)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                kpj_number=kpj,
                person=person_obj,
                segment=Segment.BPU,
                programs=programs_sorted,
                wage=income,
                branch=_branch_of(actor, branch),
                start_date=start,
                status=Participant.Status.ACTIVE,
            )
    except IntegrityError:
        raise Conflict("bpu_already_open", _("This person already has an open BPU membership."), {"person": "open BPU membership"}) from None
    _initial_status([participant], actor=actor, reason="registered")
    audit.record(
        actor=actor,
        action="participant.register_bpu",
        obj=participant,
        changes={
            "segment": "BPU",
            "programs": programs_sorted,
            "declared_income": income,
            "monthly_premium": premium.total,
            "start_date": start.isoformat(),
        },
    )
    return participant


# ---------------------------------------------------------------------------------------------
# Employers, PU workers and wage reports
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def employer_create(*, actor, npp, name, risk_class, region=None, address="", phone="", email="", branch=None) -> Employer:
    errors: dict[str, str] = {}
    npp = str(npp or "").strip().upper()
    if not _NPP_RE.match(npp):
        errors["npp"] = "The NPP must be 5 to 20 letters or digits."
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = "The name is required."
    if risk_class not in RiskClass.values:
        errors["risk_class"] = f"Risk class must be one of {', '.join(RiskClass.values)}."
    region_obj = None
    if region:
        region_obj = region if isinstance(region, Region) else Region.objects.filter(code=str(region).strip()).first()
        if region_obj is None:
            errors["region"] = f"Region {region!r} does not exist."
    if email and "@" not in str(email):
        errors["email"] = "Not an email address."
    _raise(errors, _("The employer is not valid"))
    if Employer.objects.filter(npp=npp).exists():
        raise Conflict("duplicate_npp", _("An employer with NPP %(npp)s is already registered.") % {"npp": npp}, {"npp": "already registered"})
    employer = Employer.objects.create(
        npp=npp,
        name=name[:200],
        risk_class=risk_class,
        region=region_obj,
        address=str(address or "")[:300],
        phone=str(phone or "")[:20],
        email=email or "",
        branch=_branch_of(actor, branch),
    )
    audit.record(actor=actor, action="employer.create", obj=employer, changes={"npp": npp, "risk_class": risk_class})
    return employer


@transaction.atomic
def register_pu_workers(employer: Employer, workers: list[dict], *, actor, branch=None) -> list[Participant]:
    """Register wage earners of ``employer``: each item holds the person (``nik``, ``full_name``,
    ``birth_date``, ``sex``, optional ``region``…, or ``person`` for an existing one), ``wage`` and
    ``start_date``. All or nothing: every problem is reported with its item number."""
    if not workers:
        raise ServiceError("invalid", _("No workers given."), {"workers": "empty"})
    errors: dict[str, str] = {}
    prepared = []
    seen: set[str] = set()
    for i, item in enumerate(workers, start=1):
        item = dict(item)
        row_errors: dict[str, str] = {}
        wage = _as_int(item.pop("wage", None), "wage", row_errors)
        if wage is not None and wage <= 0:
            row_errors["wage"] = "The wage must be positive."
        start = _as_date(item.pop("start_date", None), "start_date", row_errors)
        person = item.pop("person", None) or item
        nik = person.nik if isinstance(person, Person) else str(person.get("nik") or "").replace(" ", "")
        if nik in seen:
            row_errors["nik"] = "This NIK appears twice in the list."
        seen.add(nik)
        if row_errors:
            errors.update({f"workers.{i}.{k}": v for k, v in row_errors.items()})
            continue
        prepared.append((i, person, wage, start))
    _raise(errors, _("The worker list is not valid"))
    participants = []
    with transaction.atomic():
        for i, person, wage, start in prepared:
            person_obj = _person_for(person, actor=actor, errors=errors, prefix=f"workers.{i}.")
            if person_obj is None:
                continue
            if Participant.objects.filter(person=person_obj, employer=employer, segment=Segment.PU).exclude(status=Participant.Status.ENDED).exists():
                errors[f"workers.{i}.nik"] = f"{person_obj.nik} already works for {employer.npp} (open PU membership)."
                continue
            participants.append(
                Participant(
                    person=person_obj,
                    segment=Segment.PU,
                    programs=["JKK", "JKM"],
                    wage=wage,
                    risk_class=employer.risk_class,
                    employer=employer,
                    branch=_branch_of(actor, branch) or employer.branch,
                    start_date=start,
                )
            )
        if errors:
            transaction.set_rollback(True)
            _raise(errors, _("The worker list is not valid"))
        by_year: dict[int, list[Participant]] = {}
        for p in participants:
            by_year.setdefault(p.start_date.year, []).append(p)
        for year, group in by_year.items():
            for p, kpj in zip(group, reserve_kpj_numbers(len(group), year), strict=True):
                p.kpj_number = kpj
        Participant.objects.bulk_create(participants)
        if not all(p.pk for p in participants):  # SQLite before returning-support: fetch the ids back
            ids = dict(Participant.objects.filter(kpj_number__in=[p.kpj_number for p in participants]).values_list("kpj_number", "pk"))
            for p in participants:
                p.pk = ids[p.kpj_number]
        _initial_status(participants, actor=actor, reason="registered")
        audit.record(
            actor=actor,
            action="employer.register_workers",
            obj=employer,
            changes={"count": len(participants), "kpj_numbers": [p.kpj_number for p in participants][:50]},
            summary=f"{len(participants)} PU worker(s) registered",
        )
    return participants


@dataclass
class WageRow:
    row: int
    kpj: str
    wage: int


def parse_wage_csv(source: IO[str] | IO[bytes] | str) -> list[WageRow]:
    """Read a wage CSV (header ``kpj,wage``; ``kpj_number``/``upah`` accepted too). Raises
    ``FileRejected`` listing every bad row."""
    if isinstance(source, str):
        source = io.StringIO(source)
    raw = source.read()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileRejected([RowError(1, "encoding", _("The file is not UTF-8 text."))], what=_("wage file")) from None
    reader = csv.reader(io.StringIO(raw.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FileRejected([RowError(1, "empty_file", _("The file is empty; expected a header 'kpj,wage'."))], what=_("wage file")) from None
    aliases = {"kpj": "kpj", "kpj_number": "kpj", "no_kpj": "kpj", "wage": "wage", "upah": "wage"}
    cols = [aliases.get(h) for h in header]
    if "kpj" not in cols or "wage" not in cols:
        raise FileRejected(
            [RowError(1, "bad_header", _("Expected the columns kpj and wage, found %(header)s.") % {"header": repr(",".join(header))})],
            what=_("wage file"),
        )
    ki, wi = cols.index("kpj"), cols.index("wage")
    rows, errors = [], []
    for n, record in enumerate(reader, start=2):
        if not record or all(not c.strip() for c in record):
            continue
        if len(record) != len(header):
            errors.append(
                RowError(
                    n, "wrong_column_count", _("Expected %(expected)s columns, found %(found)s.") % {"expected": len(header), "found": len(record)}
                )
            )
            continue
        field_errors: dict[str, str] = {}
        wage = _as_int(record[wi], "wage", field_errors)
        if field_errors:
            errors.append(RowError(n, "bad_wage", field_errors["wage"], "wage"))
            continue
        rows.append(WageRow(n, record[ki].strip(), wage))
    if errors:
        raise FileRejected(errors, what=_("wage file"))
    return rows


@transaction.atomic
def record_wages(employer: Employer, period, rows: Iterable[WageRow | dict], *, actor) -> dict:
    """Record an employer's monthly wage report (one row per PU worker: KPJ and wage). All or
    nothing: an unknown KPJ, a worker of another employer, a bad check digit, a duplicate or a
    non-positive wage rejects the whole report (``FileRejected`` naming each row). Re-sending a
    month replaces that month's wages. The participant's current wage follows the latest month."""
    errors: dict[str, str] = {}
    month = _as_date(period, "period", errors)
    _raise(errors, _("The wage report is not valid"))
    month = month.replace(day=1)
    items = [
        r if isinstance(r, WageRow) else WageRow(int(r.get("row") or i), str(r.get("kpj") or r.get("kpj_number") or ""), r.get("wage"))
        for i, r in enumerate(rows, start=1)
    ]
    if not items:
        raise ServiceError("invalid", _("The wage report has no rows."), {"rows": "empty"})
    row_errors: list[RowError] = []
    known = dict(Participant.objects.filter(kpj_number__in=[r.kpj for r in items]).values_list("kpj_number", "pk"))
    mine = dict(
        Participant.objects.filter(employer=employer, segment=Segment.PU, kpj_number__in=[r.kpj for r in items]).values_list(
            "kpj_number", "start_date"
        )
    )
    seen: dict[str, int] = {}
    for r in items:
        if not is_valid_kpj(r.kpj):
            row_errors.append(
                RowError(r.row, "bad_kpj", _("%(kpj)s is not a KPJ number (11 digits with a check digit).") % {"kpj": repr(r.kpj)}, "kpj")
            )
        elif r.kpj not in known:
            row_errors.append(RowError(r.row, "unknown_kpj", _("KPJ %(kpj)s is not registered.") % {"kpj": r.kpj}, "kpj"))
        elif r.kpj not in mine:
            row_errors.append(
                RowError(r.row, "not_this_employer", _("KPJ %(kpj)s is not a PU worker of %(npp)s.") % {"kpj": r.kpj, "npp": employer.npp}, "kpj")
            )
        elif r.kpj in seen:
            row_errors.append(
                RowError(
                    r.row, "duplicate_kpj", _("KPJ %(kpj)s appears again (first on row %(first)s).") % {"kpj": r.kpj, "first": seen[r.kpj]}, "kpj"
                )
            )
        elif month < mine[r.kpj].replace(day=1):
            row_errors.append(
                RowError(
                    r.row, "before_start", _("KPJ %(kpj)s was not yet registered in %(month)s.") % {"kpj": r.kpj, "month": f"{month:%Y-%m}"}, "kpj"
                )
            )
        if not isinstance(r.wage, int) or isinstance(r.wage, bool) or r.wage <= 0:
            row_errors.append(
                RowError(r.row, "bad_wage", _("The wage must be a positive whole number of rupiah (got %(wage)s).") % {"wage": repr(r.wage)}, "wage")
            )
        seen.setdefault(r.kpj, r.row)
    if row_errors:
        raise FileRejected(sorted(row_errors, key=lambda e: e.row), what=_("wage report"))
    ids = {r.kpj: known[r.kpj] for r in items}
    existing = {w.participant_id: w for w in WageReport.objects.filter(period=month, participant_id__in=ids.values())}
    to_create, to_update = [], []
    for r in items:
        pid = ids[r.kpj]
        if pid in existing:
            existing[pid].wage = r.wage
            to_update.append(existing[pid])
        else:
            to_create.append(WageReport(employer=employer, participant_id=pid, period=month, wage=r.wage))
    WageReport.objects.bulk_create(to_create, batch_size=2000)
    WageReport.objects.bulk_update(to_update, ["wage"], batch_size=2000)
    latest = dict(
        WageReport.objects.filter(participant_id__in=ids.values())
        .values("participant_id")
        .annotate(m=Max("period"))
        .values_list("participant_id", "m")
    )
    current = [Participant(pk=ids[r.kpj], wage=r.wage) for r in items if latest.get(ids[r.kpj]) == month]
    Participant.objects.bulk_update(current, ["wage"], batch_size=2000)
    total = sum(r.wage for r in items)
    audit.record(
        actor=actor,
        action="employer.wage_report",
        obj=employer,
        changes={"period": month.isoformat(), "rows": len(items), "created": len(to_create), "replaced": len(to_update), "total_wage": total},
        summary=f"Wage report {month:%Y-%m}: {len(items)} workers, Rp {total:,}",
    )
    return {"period": month.isoformat(), "rows": len(items), "created": len(to_create), "replaced": len(to_update), "total_wage": total}


# ---------------------------------------------------------------------------------------------
# Construction projects
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def register_project(
    *,
    actor,
    contractor: Employer,
    number,
    name,
    contract_value,
    start_date,
    end_date,
    total_wage=None,
    region=None,
    workers: list[dict] | None = None,
    branch=None,
) -> Project:
    """Register a construction project of ``contractor`` and (optionally) its workers. The
    premium is per project, from the rules engine (``project_premium``)."""
    errors: dict[str, str] = {}
    number = str(number or "").strip()
    if not _PROJECT_RE.match(number):
        errors["number"] = "The project number must be 3 to 40 letters, digits, '.' or '-'."
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = "The project name is required."
    value = _as_int(contract_value, "contract_value", errors)
    if value is not None and value <= 0:
        errors["contract_value"] = "The contract value must be positive."
    wage_total = None
    if total_wage not in (None, ""):
        wage_total = _as_int(total_wage, "total_wage", errors)
    start = _as_date(start_date, "start_date", errors)
    end = _as_date(end_date, "end_date", errors)
    if start and end and end < start:
        errors["end_date"] = "The project ends before it starts."
    region_obj = None
    if region:
        region_obj = region if isinstance(region, Region) else Region.objects.filter(code=str(region).strip()).first()
        if region_obj is None:
            errors["region"] = f"Region {region!r} does not exist."
    _raise(errors, _("The project is not valid"))
    if Project.objects.filter(number=number).exists():
        raise Conflict("duplicate_project", _("Project %(number)s is already registered.") % {"number": number}, {"number": "already registered"})
    project = Project.objects.create(
        contractor=contractor,
        number=number,
        name=name[:300],
        contract_value=value,
        total_wage=wage_total or None,
        start_date=start,
        end_date=end,
        region=region_obj,
        branch=_branch_of(actor, branch) or contractor.branch,
    )
    premium = project_premium(project)
    audit.record(
        actor=actor,
        action="project.register",
        obj=project,
        changes={"contractor": contractor.npp, "contract_value": value, "premium": premium.total},
    )
    if workers:
        project_add_workers(project, workers, actor=actor, branch=branch)
    return project


@transaction.atomic
def project_add_workers(project: Project, workers: list[dict], *, actor, branch=None) -> list[Participant]:
    """Add construction workers (person data or ``person``; optional ``wage``) to a project. Their
    cover runs from the project's start (or ``start_date``) and ends with the project."""
    errors: dict[str, str] = {}
    participants = []
    seen: set[int] = set()
    for i, item in enumerate(workers, start=1):
        item = dict(item)
        wage = 0
        if item.get("wage") not in (None, ""):
            wage = _as_int(item.pop("wage"), f"workers.{i}.wage", errors) or 0
        item.pop("wage", None)
        start_raw = item.pop("start_date", None)
        start = project.start_date if start_raw in (None, "") else _as_date(start_raw, f"workers.{i}.start_date", errors)
        if start and not project.start_date <= start <= project.end_date:
            errors[f"workers.{i}.start_date"] = "Outside the project period."
        person = _person_for(item.pop("person", None) or item, actor=actor, errors=errors, prefix=f"workers.{i}.")
        if person is None:
            continue
        if person.pk in seen or Participant.objects.filter(person=person, project=project).exists():
            errors[f"workers.{i}.nik"] = f"{person.nik} is already a worker of project {project.number}."
            continue
        seen.add(person.pk)
        participants.append(
            Participant(
                person=person,
                segment=Segment.JAKON,
                programs=["JKK", "JKM"],
                wage=wage,
                project=project,
                employer=None,
                branch=_branch_of(actor, branch) or project.branch,
                start_date=start or project.start_date,
            )
        )
    if errors:
        transaction.set_rollback(True)
        _raise(errors, _("The worker list is not valid"))
    for p, kpj in zip(participants, reserve_kpj_numbers(len(participants), project.start_date.year), strict=True):
        p.kpj_number = kpj
    Participant.objects.bulk_create(participants)
    if not all(p.pk for p in participants):
        ids = dict(Participant.objects.filter(kpj_number__in=[p.kpj_number for p in participants]).values_list("kpj_number", "pk"))
        for p in participants:
            p.pk = ids[p.kpj_number]
    _initial_status(participants, actor=actor, reason="registered")
    audit.record(
        actor=actor,
        action="project.add_workers",
        obj=project,
        changes={"count": len(participants), "kpj_numbers": [p.kpj_number for p in participants][:50]},
        summary=f"{len(participants)} construction worker(s) added",
    )
    return participants


# ---------------------------------------------------------------------------------------------
# Ending a membership
# ---------------------------------------------------------------------------------------------


def end_membership(participant: Participant, *, actor, effective_date, reason: str, note: str = "") -> Participant:
    """End one membership (death, moved away, ended by sponsor, lapsed, employment or project
    ended, other) through ``lindung.membership.status.change_status``, which records the status
    history, closes an open sponsorship and writes the audit event."""
    from lindung.membership.status import change_status

    errors: dict[str, str] = {}
    when = _as_date(effective_date, "effective_date", errors)
    if reason not in Participant.ExitReason.values or not reason:
        errors["reason"] = f"Choose an exit reason: {', '.join(v for v in Participant.ExitReason.values if v)}."
    _raise(errors, _("The exit is not valid"))
    if participant.status == Participant.Status.ENDED:
        raise Conflict("already_ended", _("Membership %(kpj)s has already ended.") % {"kpj": participant.kpj_number}, {"status": "ended"})
    return change_status(participant, to=Participant.Status.ENDED, effective_date=when, reason=reason, note=note, actor=actor)
