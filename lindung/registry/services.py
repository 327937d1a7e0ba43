"""Writes of the registry context."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.errors import FileRejected, RowError
from lindung.registry.models import Region

BUNDLED_REGIONS = Path(__file__).resolve().parent / "data" / "wilayah-dumai.csv"

# 2-digit province, then 2-digit regency/city, 2-digit district, 4-digit village.
_CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_BATCH = 5000


@dataclass
class RegionImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "by_level": {str(k): v for k, v in sorted(self.by_level.items())},
        }


ParsedRegion = tuple[int, str, str, int, str | None]  # (row, code, name, level, parent code)


def _parse_region_rows(lines: Iterable[str]) -> tuple[list[ParsedRegion], list[RowError]]:
    """Validate every row; return (rows, errors). Row numbers count the header as row 1."""
    reader = csv.reader(lines)
    errors: list[RowError] = []
    rows: list[ParsedRegion] = []
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "empty_file", _("The file is empty; expected a header 'kode,nama'."))]
    except csv.Error as exc:
        return [], [RowError(1, "malformed_csv", _("Not a readable CSV file: %(error)s.") % {"error": exc})]
    normalized = [h.strip().lstrip("\ufeff").lower() for h in header]
    if normalized[:2] not in (["kode", "nama"], ["code", "name"]) or len(normalized) != 2:
        return [], [RowError(1, "bad_header", _("Expected the header 'kode,nama', found %(header)s.") % {"header": repr(",".join(header))})]
    seen: dict[str, int] = {}
    line_no = 1
    try:
        for line_no, record in enumerate(reader, start=2):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != 2:
                errors.append(RowError(line_no, "wrong_column_count", _("Expected 2 columns (kode,nama), found %(found)s.") % {"found": len(record)}))
                continue
            code, name = record[0].strip(), record[1].strip()
            if not _CODE_RE.match(code):
                errors.append(
                    RowError(
                        line_no,
                        "bad_code",
                        _("Region code %(code)s is not of the form 14, 14.72, 14.72.01 or 14.72.01.1003.") % {"code": repr(code)},
                        "kode",
                    )
                )
                continue
            if not name:
                errors.append(RowError(line_no, "missing_name", _("Region %(code)s has no name.") % {"code": code}, "nama"))
                continue
            if len(name) > 200:
                errors.append(
                    RowError(line_no, "name_too_long", _("Region %(code)s has a name longer than 200 characters.") % {"code": code}, "nama")
                )
                continue
            if code in seen:
                errors.append(
                    RowError(
                        line_no,
                        "duplicate_code",
                        _("Region code %(code)s appears again (first on row %(first)s).") % {"code": code, "first": seen[code]},
                        "kode",
                    )
                )
                continue
            seen[code] = line_no
            level = code.count(".") + 1
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            rows.append((line_no, code, name, level, parent))
    except csv.Error as exc:
        errors.append(RowError(line_no + 1, "malformed_csv", _("Unreadable CSV: %(error)s.") % {"error": exc}))
    return rows, errors


def import_regions(source: str | Path | IO[str], *, actor=None) -> RegionImportResult:
    """Load a Kepmendagri code list (CSV ``kode,nama``) idempotently.

    Every row is checked first; any malformed row rejects the whole file (``FileRejected`` names
    each row and reason) and nothing is written. Then new codes are inserted and changed names
    updated in batches, parents before children, in one transaction. Codes in the database that
    the file lacks are kept (they may be referenced) and counted nowhere.
    """
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return import_regions(fh, actor=actor)
    rows, errors = _parse_region_rows(source)
    if not errors and not rows:
        errors.append(RowError(2, "no_rows", _("The file has a header but no regions.")))
    codes_in_file = {r[1] for r in rows}
    existing = dict(Region.objects.values_list("code", "name"))
    for row, code, _name, _level, parent in rows:
        if parent is not None and parent not in codes_in_file and parent not in existing:
            errors.append(
                RowError(
                    row,
                    "unknown_parent",
                    _("Region %(code)s has parent %(parent)s, which is neither in the file nor in the database.") % {"code": code, "parent": parent},
                    "kode",
                )
            )
    if errors:
        raise FileRejected(sorted(errors, key=lambda e: e.row), what=_("region file"))

    result = RegionImportResult(rows=len(rows))
    to_create: list[Region] = []
    to_update: list[Region] = []
    for _row, code, name, level, parent in sorted(rows, key=lambda r: (r[3], r[1])):
        result.by_level[level] = result.by_level.get(level, 0) + 1
        old = existing.get(code)
        if old is None:
            to_create.append(Region(code=code, name=name, level=level, parent_id=parent))
        elif old != name:
            to_update.append(Region(code=code, name=name, level=level, parent_id=parent))
        else:
            result.unchanged += 1
    with transaction.atomic():
        for i in range(0, len(to_create), _BATCH):
            Region.objects.bulk_create(to_create[i : i + _BATCH], batch_size=_BATCH)
        for i in range(0, len(to_update), _BATCH):
            Region.objects.bulk_update(to_update[i : i + _BATCH], ["name"], batch_size=500)
        result.created = len(to_create)
        result.updated = len(to_update)
        if result.created or result.updated:
            audit.record(
                actor=actor,
                action="regions.import",
                object_type="registry.region",
                object_repr="Kepmendagri region list",
                changes={"created": result.created, "updated": result.updated},
                summary=audit.Message(
                    gettext_noop("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"),
                    rows=result.rows,
                    created=result.created,
                    updated=result.updated,
                    unchanged=result.unchanged,
                ),
            )
    return result


def import_bundled_regions(*, actor=None) -> RegionImportResult:
    """The project's own Dumai region data (Riau, Kota Dumai, 7 kecamatan, 36 kelurahan)."""
    return import_regions(BUNDLED_REGIONS, actor=actor)


# ---------------------------------------------------------------------------------------------
# Persons and their families
# ---------------------------------------------------------------------------------------------

import datetime as dt  # noqa: E402

from django.db import IntegrityError  # noqa: E402

from lindung.core.errors import Conflict, ServiceError  # noqa: E402
from lindung.registry.models import FamilyMember, Person, SchoolLevel, Sex  # noqa: E402
from lindung.registry.nik import NikError, nik_warnings, parse_nik  # noqa: E402

PERSON_FIELDS = (
    "nik", "full_name", "birth_date", "sex", "region_id", "address", "phone", "occupation", "family_card_number",
    "bank_name", "bank_account_number", "bank_account_holder", "death_date",
)  # fmt: skip
_EDITABLE = {
    "full_name", "birth_date", "sex", "region", "address", "phone", "occupation", "family_card_number",
    "bank_name", "bank_account_number", "bank_account_holder",
}  # fmt: skip
FAMILY_FIELDS = (
    "relation", "full_name", "nik", "birth_date", "sex", "school_level", "is_married", "is_working", "death_date", "phone",
)  # fmt: skip
# Relations whose members are younger than the worker / older than the worker.
_YOUNGER = {FamilyMember.Relation.CHILD, FamilyMember.Relation.GRANDCHILD}
_OLDER = {FamilyMember.Relation.PARENT, FamilyMember.Relation.GRANDPARENT}


def _as_date(value, field_name: str, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field_name] = f"{value!r} is not a date (YYYY-MM-DD)."
        return None


def check_nik(nik: str, *, field_name: str = "nik") -> str:
    """Return the NIK stripped of spaces, or raise ``ServiceError`` naming the field."""
    nik = (nik or "").replace(" ", "").strip()
    try:
        parse_nik(nik)
    except NikError as exc:
        raise ServiceError(exc.code, exc.message, {field_name: exc.message}) from None
    return nik


def _resolve_region(region, errors: dict[str, str], regions: dict[str, Region] | None = None) -> Region | None:
    if region in (None, ""):
        return None
    if not isinstance(region, Region):
        code = str(region).strip()
        found = regions.get(code) if regions is not None else Region.objects.filter(code=code).first()
        if found is None:
            errors["region"] = f"Region {region!r} does not exist."
            return None
        region = found
    if region.level != Region.Level.VILLAGE:
        errors["region"] = f"Region {region.code} is a {region.get_level_display().lower()}; choose a village (kelurahan / desa)."
        return None
    return region


def _clean_person(data: dict, *, partial_of: Person | None = None, regions: dict[str, Region] | None = None) -> tuple[dict, list[str]]:
    """Validate person fields; returns (clean values, NIK warnings) or raises ``ServiceError``.
    ``regions`` (code -> region), when given, is where region codes are looked up."""
    errors: dict[str, str] = {}
    clean: dict = {}
    current = (lambda name: getattr(partial_of, name)) if partial_of is not None else (lambda name: None)
    if partial_of is None:
        try:
            clean["nik"] = check_nik(data.get("nik", ""))
        except ServiceError as exc:
            errors.update(exc.fields)
    if partial_of is None or "full_name" in data:
        name = " ".join(str(data.get("full_name") or "").split())
        if not name:
            errors["full_name"] = "The full name is required."
        elif len(name) > 200:
            errors["full_name"] = "The full name is longer than 200 characters."
        clean["full_name"] = name
    if partial_of is None or "birth_date" in data:
        birth = _as_date(data.get("birth_date"), "birth_date", errors)
        if birth is None and "birth_date" not in errors:
            errors["birth_date"] = "The birth date is required."
        elif birth is not None and birth > dt.date.today():
            errors["birth_date"] = "The birth date is in the future."
        clean["birth_date"] = birth
    if partial_of is None or "sex" in data:
        sex = str(data.get("sex") or "").upper()
        if sex not in Sex.values:
            errors["sex"] = "Sex must be M or F."
        clean["sex"] = sex
    if "region" in data or "region_code" in data:
        clean["region"] = _resolve_region(data.get("region", data.get("region_code")), errors, regions)
    for name, limit in (("address", 300), ("phone", 20), ("occupation", 100), ("bank_name", 100), ("bank_account_holder", 200)):
        if name in data:
            value = str(data.get(name) or "").strip()
            if len(value) > limit:
                errors[name] = f"Longer than {limit} characters."
            clean[name] = value
    if "family_card_number" in data:
        kk = str(data.get("family_card_number") or "").replace(" ", "")
        if kk and (len(kk) != 16 or not kk.isdigit()):
            errors["family_card_number"] = "The family card (KK) number must be 16 digits."
        clean["family_card_number"] = kk
    if "bank_account_number" in data:
        acct = str(data.get("bank_account_number") or "").replace(" ", "").replace("-", "")
        if acct and (not acct.isdigit() or len(acct) > 34):
            errors["bank_account_number"] = "The bank account number must be digits only (at most 34)."
        clean["bank_account_number"] = acct
    if errors:
        raise ServiceError(
            "invalid", _("The person's data is not valid: %(details)s") % {"details": "; ".join(f"{k}: {v}" for k, v in errors.items())}, errors
        )
    nik = clean.get("nik") or current("nik")
    warnings = nik_warnings(parse_nik(nik), clean.get("birth_date", current("birth_date")), clean.get("sex", current("sex")))
    return clean, warnings


def _clean_family(data: dict, worker: Person, *, partial_of: FamilyMember | None = None) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    get = (lambda name: getattr(partial_of, name)) if partial_of is not None else (lambda name: None)
    if partial_of is None or "relation" in data:
        relation = str(data.get("relation") or "")
        if relation not in FamilyMember.Relation.values:
            errors["relation"] = f"Relation must be one of {', '.join(FamilyMember.Relation.values)}."
        clean["relation"] = relation
    if partial_of is None or "full_name" in data:
        name = " ".join(str(data.get("full_name") or "").split())
        if not name:
            errors["full_name"] = "The full name is required."
        clean["full_name"] = name[:200]
    if "nik" in data:
        nik = str(data.get("nik") or "").replace(" ", "")
        if nik:
            try:
                nik = check_nik(nik)
            except ServiceError as exc:
                errors.update(exc.fields)
            if nik == worker.nik:
                errors["nik"] = "A family member cannot have the worker's own NIK."
        clean["nik"] = nik
    if "birth_date" in data:
        clean["birth_date"] = _as_date(data.get("birth_date"), "birth_date", errors)
    if "death_date" in data:
        clean["death_date"] = _as_date(data.get("death_date"), "death_date", errors)
    if "sex" in data:
        sex = str(data.get("sex") or "").upper()
        if sex and sex not in Sex.values:
            errors["sex"] = "Sex must be M or F (or empty)."
        clean["sex"] = sex
    if "school_level" in data:
        level = str(data.get("school_level") or "").upper()
        if level not in SchoolLevel.values:
            errors["school_level"] = f"School level must be one of {', '.join(v for v in SchoolLevel.values if v)} (or empty)."
        clean["school_level"] = level
    for flag in ("is_married", "is_working"):
        if flag in data:
            clean[flag] = bool(data.get(flag))
    if "phone" in data:
        clean["phone"] = str(data.get("phone") or "").strip()[:20]
    relation = clean.get("relation", get("relation"))
    birth = clean.get("birth_date", get("birth_date"))
    if birth and "birth_date" not in errors:
        if birth > dt.date.today():
            errors["birth_date"] = "The birth date is in the future."
        elif relation in _YOUNGER and worker.birth_date and birth <= worker.birth_date:
            errors["birth_date"] = f"A {relation}'s birth date must be after the worker's ({worker.birth_date.isoformat()})."
        elif relation in _OLDER and worker.birth_date and birth >= worker.birth_date:
            errors["birth_date"] = f"A {relation}'s birth date must be before the worker's ({worker.birth_date.isoformat()})."
    if clean.get("school_level", get("school_level")) and relation not in _YOUNGER:
        errors["school_level"] = "A school level is recorded for children only."
    if errors:
        raise ServiceError(
            "invalid", _("The family member is not valid: %(details)s") % {"details": "; ".join(f"{k}: {v}" for k, v in errors.items())}, errors
        )
    return clean


def person_check(data: dict, *, regions: dict[str, Region]) -> tuple[dict, list[str]]:
    """What ``person_create`` checks of a new person's data, without writing: the clean values
    (``region`` a ``Region``) and the NIK warnings, or ``ServiceError`` naming each field. For the
    set-based registration of a list (``lindung.membership.registration.lists``), which looks its
    rows' region codes up at once (``regions``: code -> region) and inserts the persons itself."""
    return _clean_person(data, regions=regions)


def person_find(nik: str) -> Person | None:
    return Person.objects.filter(nik=nik).first()


@transaction.atomic
def person_create(*, actor, family: list[dict] | None = None, **data) -> Person:
    """Create a person (and optionally their family). The NIK must parse (16 digits, known
    province, valid date); a birth date or sex that disagrees with it is recorded in
    ``nik_warnings``. A second person with the same NIK is refused (``duplicate_nik``, 409)."""
    clean, warnings = _clean_person(data)
    if Person.objects.filter(nik=clean["nik"]).exists():
        raise Conflict("duplicate_nik", _("A person with NIK %(nik)s is already registered.") % {"nik": clean["nik"]}, {"nik": "already registered"})
    try:
        with transaction.atomic():
            person = Person.objects.create(**clean, nik_warnings=warnings)
    except IntegrityError:
        raise Conflict(
            "duplicate_nik", _("A person with NIK %(nik)s is already registered.") % {"nik": clean["nik"]}, {"nik": "already registered"}
        ) from None
    audit.record(
        actor=actor,
        action="person.create",
        obj=person,
        object_repr=person.nik[:4] + "…",
        changes={"created": True, "nik_warnings": warnings},
    )
    for i, member in enumerate(family or []):
        try:
            family_member_add(person, actor=actor, **member)
        except ServiceError as exc:
            raise ServiceError(
                exc.code,
                _("Family member %(number)s: %(message)s") % {"number": i + 1, "message": exc.message},
                {f"family.{i}.{k}": v for k, v in exc.fields.items()},
            ) from None
    return person


@transaction.atomic
def person_update(person: Person, *, actor, **data) -> Person:
    """Change a person's editable fields (the NIK never changes: corrections keep it)."""
    if "nik" in data and data["nik"] and data["nik"] != person.nik:
        raise ServiceError("nik_immutable", _("A NIK cannot be changed; register the correct person instead."), {"nik": "cannot be changed"})
    data = {k: v for k, v in data.items() if k in _EDITABLE or k == "region_code"}
    clean, warnings = _clean_person(data, partial_of=person)
    before = audit.snapshot(person, PERSON_FIELDS + ("nik_warnings",))
    for k, v in clean.items():
        setattr(person, k, v)
    person.nik_warnings = warnings
    if person.birth_date:
        clash = person.family.filter(relation__in=_YOUNGER, birth_date__lte=person.birth_date).first()
        if clash:
            raise ServiceError(
                "invalid",
                _("%(name)s (%(relation)s) was born before this birth date.") % {"name": clash.full_name, "relation": clash.get_relation_display()},
                {"birth_date": "after a child's birth date"},
            )
    person.save()
    changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS + ("nik_warnings",)))
    if changes:
        audit.record(actor=actor, action="person.update", obj=person, object_repr=person.nik[:4] + "…", changes=_mask_changes(changes))
    return person


@transaction.atomic
def record_death(person: Person, *, actor, death_date: dt.date) -> Person:
    """Record a person's date of death (from a death report, a death file or a claim). Recorded
    once: a different date later is refused, the same date again changes nothing."""
    if person.death_date == death_date:
        return person
    if person.death_date is not None:
        raise Conflict(
            "death_date_differs",
            _("The register already records the death on %(date)s.") % {"date": person.death_date.isoformat()},
            {"death_date": f"register: {person.death_date.isoformat()}"},
        )
    if death_date < person.birth_date:
        raise ServiceError("invalid", _("The date of death is before the birth date."), {"death_date": "before the birth date"})
    Person.objects.filter(pk=person.pk).update(death_date=death_date)
    person.death_date = death_date
    audit.record(
        actor=actor, action="person.death", obj=person, object_repr=person.nik[:4] + "…", changes={"death_date": [None, death_date.isoformat()]}
    )
    return person


def _mask_changes(changes: dict) -> dict:
    from lindung.core.masking import mask_account, mask_name, mask_nik

    maskers = {"nik": mask_nik, "full_name": mask_name, "bank_account_number": mask_account, "bank_account_holder": mask_name}
    return {k: [maskers[k](x) if k in maskers and x else x for x in v] if k in maskers else v for k, v in changes.items()}


@transaction.atomic
def family_member_add(person: Person, *, actor, **data) -> FamilyMember:
    """Add a spouse, child (birth date, school level), parent, sibling, parent-in-law… to a
    worker's family. A child must be born after the worker; a parent before."""
    data.setdefault("nik", "")
    clean = _clean_family(data, person)
    if clean.get("nik") and person.family.filter(nik=clean["nik"]).exists():
        raise Conflict("duplicate_family_nik", _("NIK %(nik)s is already in this family.") % {"nik": clean["nik"]}, {"nik": "already in this family"})
    member = FamilyMember.objects.create(person=person, **clean)
    audit.record(
        actor=actor,
        action="family.add",
        obj=member,
        object_repr=f"{member.get_relation_display()} of person {person.pk}",
        changes={"relation": member.relation, "school_level": member.school_level},
    )
    return member


@transaction.atomic
def family_member_update(member: FamilyMember, *, actor, **data) -> FamilyMember:
    data = {k: v for k, v in data.items() if k in FAMILY_FIELDS}
    clean = _clean_family(data, member.person, partial_of=member)
    if clean.get("nik") and member.person.family.exclude(pk=member.pk).filter(nik=clean["nik"]).exists():
        raise Conflict("duplicate_family_nik", _("NIK %(nik)s is already in this family.") % {"nik": clean["nik"]}, {"nik": "already in this family"})
    before = audit.snapshot(member, FAMILY_FIELDS)
    for k, v in clean.items():
        setattr(member, k, v)
    member.save()
    changes = audit.diff(before, audit.snapshot(member, FAMILY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action="family.update",
            obj=member,
            object_repr=f"{member.get_relation_display()} of person {member.person_id}",
            changes=_mask_changes(changes),
        )
    return member


@transaction.atomic
def family_member_remove(member: FamilyMember, *, actor) -> None:
    audit.record(
        actor=actor,
        action="family.remove",
        obj=member,
        object_repr=f"{member.get_relation_display()} of person {member.person_id}",
        changes={"relation": member.relation},
    )
    member.delete()


def record_full_nik_view(*, user, person, where: str | audit.Message) -> None:
    """A whole NIK was shown to a user (a detail page or the API): audited, as downloads are.
    ``where`` is best a message (``audit.Message(gettext_noop("person page"))``), shown in the
    reader's language."""
    audit.record(
        actor=user,
        action="person.view_full_nik",
        obj=person,
        object_repr=where if isinstance(where, str) else where.text(),
        summary=audit.Message(gettext_noop("full NIK shown: %(where)s"), where=where),
    )
