"""Effective-dated parameters: load, validate and look up.

Each YAML file under ``lindung/rules/parameters/`` has the shape::

    description: <text>
    parameters:
      <dotted.name>:
        description: <text>
        type: money | rate | integer | boolean | text | table
        unit: <free text>                      # optional
        columns: {<column>: <type>, ...}       # table only (column types: money, rate,
                                               #   integer, boolean, text, list, date)
        choices: [<text>, ...]                 # text only, optional
        unconfirmed: true                      # optional; needs a note
        note: <text>                           # optional
        values:
          YYYY-MM-DD:
            value: <value or null>             # rates are quoted strings ("0.0024")
            reference: <instrument and article>
            unconfirmed: true                  # optional, this period only; needs a note
            note: <text>                       # optional

A value is in force from its date until the next date of the same parameter.
The loader rejects unknown keys, duplicate dates, missing references, wrong
types and missing parameters with a :class:`ParameterError` naming the file
and the key. Extra directories (``load_parameters(extra_dirs=...)``) may add
new parameters or new dated values to existing ones; an extension may give
only ``values`` for a parameter that already exists.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "BUILTIN_DIR",
    "REQUIRED_PARAMETERS",
    "Entry",
    "NotInForce",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "ParameterView",
    "load_parameters",
]

BUILTIN_DIR = Path(__file__).with_name("parameters")

TYPES = frozenset({"money", "rate", "integer", "boolean", "text", "table"})
COLUMN_TYPES = frozenset({"money", "rate", "integer", "boolean", "text", "list", "date"})
FILE_KEYS = frozenset({"description", "parameters"})
PARAMETER_KEYS = frozenset({"description", "type", "unit", "columns", "choices", "unconfirmed", "note", "values"})
ENTRY_KEYS = frozenset({"value", "reference", "unconfirmed", "note"})
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The contract between the calculators and the data: every name the code reads, with its type.
REQUIRED_PARAMETERS: Mapping[str, str] = MappingProxyType(
    {
        "contribution.pu.jkk_risk_classes": "table",
        "contribution.pu.jkm_rate": "rate",
        "contribution.pu.jkp_reallocation_jkk": "rate",
        "contribution.pu.jkp_reallocation_jkm": "rate",
        "contribution.pu.due_day_next_month": "integer",
        "contribution.pu.late_fine_rate": "rate",
        "contribution.pu.late_fine_started_month_counts": "boolean",
        "contribution.bpu.jkk_rate": "rate",
        "contribution.bpu.jkk_min": "money",
        "contribution.bpu.jkk_max": "money",
        "contribution.bpu.jkm_amount": "money",
        "contribution.bpu.jht_rate": "rate",
        "contribution.bpu.income_brackets": "table",
        "contribution.bpu.due_day_same_month": "integer",
        "contribution.bpu.late_fine_rate": "rate",
        "contribution.bpu.arrears_months": "integer",
        "contribution.bpu.grace_event_policy": "text",
        "contribution.jakon.brackets": "table",
        "contribution.jakon.wage_jkk_rate": "rate",
        "contribution.jakon.wage_jkm_rate": "rate",
        "jkm.lump_sum": "money",
        "jkm.periodic_monthly": "money",
        "jkm.periodic_months": "integer",
        "jkm.funeral": "money",
        "jkk.benefit_base_months": "integer",
        "jkk.death_percent": "rate",
        "jkk.total_disability_percent": "rate",
        "jkk.periodic_monthly": "money",
        "jkk.periodic_months": "integer",
        "jkk.funeral": "money",
        "jkk.stmb_tiers": "table",
        "jkk.transport_caps": "table",
        "jkk.home_care_cap": "money",
        "jkk.medical_care_cap": "money",
        "jkk.partial_disability_table": "table",
        "claim.jkk_expiry_years": "integer",
        "claim.jkm_expiry_years": "integer",
        "payment.jkm_deadline_working_days": "integer",
        "payment.jkk_deadline_working_days": "integer",
        "payment.late_compensation_rate_per_day": "rate",
        "payment.late_day_count": "text",
        "claim.jkk_stage1_report_hours": "integer",
        "claim.jkk_late_report_employer_pays_first": "boolean",
        "scholarship.scheme": "text",
        "scholarship.lump_sum_amount": "money",
        "scholarship.max_children": "integer",
        "scholarship.levels": "table",
        "scholarship.max_per_child": "money",
        "scholarship.age_limit": "integer",
        "scholarship.jkm_min_contribution_months": "integer",
        "scholarship.jkk_min_contribution_months": "integer",
        "scholarship.working_student_max_months": "integer",
        "scholarship.working_student_bpu_or_apprentice_keeps": "boolean",
        "scholarship.school_year_start_month": "integer",
        "scholarship.school_ages": "table",
        "heirs.priority_classes": "table",
        "calendar.joint_leave_days": "table",
    }
)


class ParameterError(ValueError):
    """A parameter file is invalid. The message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem}")


class NotInForce(LookupError):
    """No value of a parameter is in force on the requested date."""

    def __init__(self, name: str, on: date, first: date) -> None:
        self.name = name
        self.on = on
        self.first = first
        super().__init__(f"parameter {name!r} has no value in force on {on.isoformat()} (first value from {first.isoformat()})")


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated value of a parameter."""

    name: str
    effective: date
    value: Any
    reference: str
    unconfirmed: bool
    note: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    description: str
    type: str
    unit: str | None
    columns: Mapping[str, str] | None
    choices: tuple[str, ...] | None
    unconfirmed: bool
    note: str | None
    entries: tuple[Entry, ...]
    dates: tuple[date, ...]
    sources: tuple[str, ...]

    def at(self, on: date) -> Entry:
        index = bisect.bisect_right(self.dates, on) - 1
        if index < 0:
            raise NotInForce(self.name, on, self.dates[0])
        return self.entries[index]


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """All parameters, validated. ``version`` is a digest of the files' contents."""

    parameters: Mapping[str, Parameter]
    version: str
    directories: tuple[str, ...]

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def parameter(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name!r}") from None

    def entry(self, name: str, on: date) -> Entry:
        return self.parameter(name).at(on)

    def value(self, name: str, on: date) -> Any:
        return self.parameter(name).at(on).value

    def at(self, on: date) -> ParameterView:
        """A view on one date that records every entry it hands out."""
        return ParameterView(self, on)


@dataclass(slots=True)
class ParameterView:
    """Parameters as in force on one date; remembers what a calculation used."""

    parameters: ParameterSet
    on: date
    used: dict[str, Entry] = field(default_factory=dict)
    unconfirmed_rows: list[str] = field(default_factory=list)

    def entry(self, name: str) -> Entry:
        found = self.used.get(name)
        if found is None:
            found = self.parameters.entry(name, self.on)
            self.used[name] = found
        return found

    def __getitem__(self, name: str) -> Any:
        return self.entry(name).value

    def ref(self, name: str) -> str:
        return self.entry(name).reference


# ---------------------------------------------------------------- YAML reading


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!s} (overlapping date or repeated name)", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings in YAML so that an impossible date is reported with its key (see _as_date).
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path, label: str) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParameterError(label, where, str(problem)) from None


# ---------------------------------------------------------------- validation


def _check_keys(data: Any, allowed: frozenset[str], label: str, key: str) -> None:
    if not isinstance(data, dict):
        raise ParameterError(label, key, f"expected a mapping, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ParameterError(label, f"{key}.{unknown[0]}" if key else unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _scalar(kind: str, raw: Any, label: str, key: str) -> Any:
    if raw is None:
        return None
    if kind in ("money", "integer"):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ParameterError(label, key, f"{kind} must be an integer, got {raw!r}")
        if kind == "money" and raw < 0:
            raise ParameterError(label, key, "money must not be negative")
        return raw
    if kind == "rate":
        if not isinstance(raw, str):
            raise ParameterError(label, key, f'rate must be a quoted decimal string such as "0.0024", got {raw!r}')
        try:
            rate = Decimal(raw)
        except InvalidOperation:
            raise ParameterError(label, key, f"rate {raw!r} is not a decimal number") from None
        if not rate.is_finite() or rate < 0:
            raise ParameterError(label, key, f"rate {raw!r} must be a finite, non-negative number")
        return rate
    if kind == "boolean":
        if not isinstance(raw, bool):
            raise ParameterError(label, key, f"boolean expected, got {raw!r}")
        return raw
    if kind == "text":
        if not isinstance(raw, str):
            raise ParameterError(label, key, f"text expected, got {raw!r}")
        return raw
    if kind == "list":
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise ParameterError(label, key, f"list of text expected, got {raw!r}")
        return tuple(raw)
    if kind == "date":
        return _as_date(raw, label, key)
    raise AssertionError(kind)  # pragma: no cover - kinds are validated first


def _value(spec: Mapping[str, Any], raw: Any, label: str, key: str) -> Any:
    kind = spec["type"]
    if kind != "table":
        value = _scalar(kind, raw, label, key)
        choices = spec.get("choices")
        if choices is not None and value is not None and value not in choices:
            raise ParameterError(label, key, f"{value!r} is not one of {', '.join(choices)}")
        return value
    if not isinstance(raw, list):
        raise ParameterError(label, key, "a table value must be a list of rows")
    columns: Mapping[str, str] = spec["columns"]
    rows = []
    for index, row in enumerate(raw):
        row_key = f"{key}[{index}]"
        _check_keys(row, frozenset(columns), label, row_key)
        missing = [c for c in columns if c not in row]
        if missing:
            raise ParameterError(label, f"{row_key}.{missing[0]}", "missing column")
        rows.append(MappingProxyType({c: _scalar(t, row[c], label, f"{row_key}.{c}") for c, t in columns.items()}))
    return tuple(rows)


def _as_date(raw: Any, label: str, key: str) -> date:
    if isinstance(raw, date):
        return raw
    # Only YYYY-MM-DD: date.fromisoformat also takes "20200101" or "2020-W01-1", which would let
    # one effective date be written twice without the duplicate-key check noticing.
    if isinstance(raw, str) and DATE_RE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ParameterError(label, key, f"{raw!r} is not a date (YYYY-MM-DD)")


def _text(raw: Any, label: str, key: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ParameterError(label, key, "missing or empty")
    return raw.strip()


def _entries(name: str, spec: Mapping[str, Any], values: Any, label: str) -> list[Entry]:
    key = f"{name}.values"
    if not isinstance(values, dict) or not values:
        raise ParameterError(label, key, "must be a non-empty mapping of effective date → {value, reference}")
    param_flag = bool(spec.get("unconfirmed", False))
    entries = []
    seen: set[date] = set()
    for raw_date, raw_entry in values.items():
        on = _as_date(raw_date, label, f"{key}.{raw_date}")
        entry_key = f"{key}.{on.isoformat()}"
        if on in seen:
            raise ParameterError(label, entry_key, "duplicate effective date (overlapping values)")
        seen.add(on)
        _check_keys(raw_entry, ENTRY_KEYS, label, entry_key)
        if "value" not in raw_entry:
            raise ParameterError(label, f"{entry_key}.value", "missing value")
        if "reference" not in raw_entry:
            raise ParameterError(label, f"{entry_key}.reference", "missing reference (instrument and article)")
        reference = _text(raw_entry["reference"], label, f"{entry_key}.reference")
        flag = raw_entry.get("unconfirmed", param_flag)
        if not isinstance(flag, bool):
            raise ParameterError(label, f"{entry_key}.unconfirmed", "boolean expected")
        note = raw_entry.get("note", spec.get("note"))
        if flag and not note:
            raise ParameterError(label, f"{entry_key}.note", "an unconfirmed value needs a note saying what is unsure")
        value = _value(spec, raw_entry["value"], label, f"{entry_key}.value")
        entries.append(Entry(name, on, value, reference, flag, note, label))
    return entries


def _validate_spec(name: str, spec: Any, label: str) -> dict[str, Any]:
    if not NAME_RE.match(str(name)):
        raise ParameterError(label, str(name), "parameter names are dotted lower-case words, e.g. jkm.lump_sum")
    _check_keys(spec, PARAMETER_KEYS, label, name)
    for required in ("description", "type", "values"):
        if required not in spec:
            raise ParameterError(label, f"{name}.{required}", "missing")
    _text(spec["description"], label, f"{name}.description")
    if spec["type"] not in TYPES:
        raise ParameterError(label, f"{name}.type", f"{spec['type']!r} is not one of {', '.join(sorted(TYPES))}")
    if spec["type"] == "table":
        columns = spec.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise ParameterError(label, f"{name}.columns", "a table needs columns: {name: type}")
        for column, kind in columns.items():
            if kind not in COLUMN_TYPES:
                raise ParameterError(label, f"{name}.columns.{column}", f"{kind!r} is not one of {', '.join(sorted(COLUMN_TYPES))}")
    elif "columns" in spec:
        raise ParameterError(label, f"{name}.columns", "only tables have columns")
    if "choices" in spec and (spec["type"] != "text" or not isinstance(spec["choices"], list)):
        raise ParameterError(label, f"{name}.choices", "choices are a list, for text parameters only")
    if spec.get("unconfirmed") and not spec.get("note"):
        raise ParameterError(label, f"{name}.note", "an unconfirmed parameter needs a note saying what is unsure")
    return dict(spec)


@dataclass
class _Draft:
    spec: dict[str, Any]
    entries: dict[date, Entry]
    sources: list[str]


def _load_file(path: Path, label: str, drafts: dict[str, _Draft], extension: bool) -> None:
    data = _read_yaml(path, label)
    if data is None:
        raise ParameterError(label, "file", "empty parameter file")
    _check_keys(data, FILE_KEYS, label, "")
    parameters = data.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise ParameterError(label, "parameters", "missing or empty mapping")
    for name, spec in parameters.items():
        existing = drafts.get(name)
        if existing is not None and not extension:
            raise ParameterError(label, name, f"already defined in {existing.sources[0]}")
        if existing is not None:
            _check_keys(spec, PARAMETER_KEYS, label, name)
            for key in ("type", "columns", "choices"):
                if key in spec and spec[key] != existing.spec.get(key):
                    raise ParameterError(label, f"{name}.{key}", f"differs from the definition in {existing.sources[0]}")
            merged_spec = existing.spec | {k: v for k, v in spec.items() if k in ("description", "note", "unconfirmed")}
            for entry in _entries(name, merged_spec, spec.get("values"), label):
                clash = existing.entries.get(entry.effective)
                if clash is not None:
                    raise ParameterError(
                        label, f"{name}.values.{entry.effective.isoformat()}", f"overlaps the value of the same date in {clash.source}"
                    )
                existing.entries[entry.effective] = entry
            existing.sources.append(label)
            continue
        checked = _validate_spec(str(name), spec, label)
        drafts[name] = _Draft(checked, {e.effective: e for e in _entries(name, checked, checked["values"], label)}, [label])


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ParameterError(str(directory), "directory", "parameter directory not found")
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _build(directories: Sequence[Path]) -> ParameterSet:
    drafts: dict[str, _Draft] = {}
    digest = hashlib.sha256()
    for position, directory in enumerate(directories):
        for path in _files(directory):
            label = f"parameters/{path.name}" if position == 0 else str(path)
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
            _load_file(path, label, drafts, extension=position > 0)
    for name, kind in REQUIRED_PARAMETERS.items():
        draft = drafts.get(name)
        if draft is None:
            raise ParameterError("parameters", name, "required parameter is missing")
        if draft.spec["type"] != kind:
            raise ParameterError(draft.sources[0], f"{name}.type", f"must be {kind}")
    parameters: dict[str, Parameter] = {}
    for name, draft in sorted(drafts.items()):
        entries = tuple(sorted(draft.entries.values(), key=lambda e: e.effective))
        spec = draft.spec
        parameters[name] = Parameter(
            name=name,
            description=str(spec["description"]).strip(),
            type=spec["type"],
            unit=spec.get("unit"),
            columns=MappingProxyType(dict(spec["columns"])) if spec.get("columns") else None,
            choices=tuple(spec["choices"]) if spec.get("choices") else None,
            unconfirmed=bool(spec.get("unconfirmed", False)),
            note=spec.get("note"),
            entries=entries,
            dates=tuple(e.effective for e in entries),
            sources=tuple(draft.sources),
        )
    return ParameterSet(MappingProxyType(parameters), digest.hexdigest()[:16], tuple(str(d) for d in directories))


@lru_cache(maxsize=8)
def _cached(directories: tuple[Path, ...]) -> ParameterSet:
    return _build(directories)


def load_parameters(extra_dirs: Iterable[str | Path] = (), *, base_dir: str | Path | None = None) -> ParameterSet:
    """Load and validate the parameter files once per process (cached per set of directories).

    ``extra_dirs`` are read after the built-in files and may add parameters or dated values
    (e.g. a future amendment). ``base_dir`` replaces the built-in directory (for tests).
    """
    base = Path(base_dir) if base_dir is not None else BUILTIN_DIR
    directories = (base.resolve(), *(Path(d).resolve() for d in extra_dirs))
    return _cached(directories)


def clear_cache() -> None:
    """Forget loaded parameter sets (after editing files in a running process)."""
    _cached.cache_clear()
