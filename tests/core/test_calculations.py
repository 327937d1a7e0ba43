"""Frozen calculations: a calculation stored with the parameter snapshot it was made with keeps its
figures and references when the parameter files change; a new calculation uses the new values."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from django.db import transaction

from lindung.core.calculations import calculate_and_freeze, canonical_digest, redisplay, serialise, snapshot_for, snapshot_id_for
from lindung.core.calculations import service as calc_service
from lindung.core.calculations.models import CalculationRecord, ParameterSnapshot
from lindung.core.errors import ServiceError
from lindung.rules.params import BUILTIN_DIR, load_parameters

JKM_DEATH = {"program": "JKM", "event_date": "2024-02-10", "outcome": "death", "contribution_months": 12}


@pytest.fixture
def changed_parameters(tmp_path):
    """The parameter files with a different JKM lump sum from 2019-12-02 (20,000,000 → 30,000,000)."""
    target = tmp_path / "parameters"
    shutil.copytree(BUILTIN_DIR, target)
    jkm = target / "jkm.yaml"
    text = jkm.read_text()
    assert "2019-12-02: {value: 20000000," in text
    jkm.write_text(text.replace("2019-12-02: {value: 20000000,", "2019-12-02: {value: 30000000,"))
    return load_parameters(base_dir=target)


def test_a_calculation_is_stored_with_its_inputs_result_date_and_snapshot(db, users):
    record = calculate_and_freeze("benefit", JKM_DEATH, actor=users["officer"])
    record = CalculationRecord.objects.get(pk=record.pk)
    assert record.kind == "benefit" and record.computed_for == dt.date(2024, 2, 10) and record.created_by == users["officer"]
    assert record.total == 42_000_000 == record.result["total"]
    assert record.inputs["program"] == "JKM" and record.inputs["children"] == []  # the validated, complete input
    lump = next(c for c in record.result["components"] if c["amount"] == 20_000_000)
    assert "PP 82/2019" in lump["reference"]
    snap = record.snapshot
    assert snap.content == serialise(load_parameters()) and snap.digest == canonical_digest(snap.content) and len(snap.digest) == 64
    assert snap.entry("jkm.lump_sum", dt.date(2024, 2, 10))["value"] == 20_000_000


def test_one_snapshot_per_distinct_content(db, changed_parameters):
    a = calculate_and_freeze("benefit", JKM_DEATH)
    b = calculate_and_freeze("contribution", {"segment": "BPU", "date": "2024-03-01", "wage": 1_000_000})
    assert a.snapshot_id == b.snapshot_id and ParameterSnapshot.objects.count() == 1
    assert b.total == 16_800 and b.computed_for == dt.date(2024, 3, 1)
    c = calculate_and_freeze("benefit", JKM_DEATH, params=changed_parameters)
    assert c.snapshot_id != a.snapshot_id and ParameterSnapshot.objects.count() == 2


def test_a_decided_amount_survives_a_parameter_change_unchanged(db, changed_parameters, monkeypatch):
    decided = calculate_and_freeze("benefit", JKM_DEATH)
    shown_before = redisplay(CalculationRecord.objects.get(pk=decided.pk))
    # The parameter file changes: every later calculation loads the new files.
    monkeypatch.setattr(calc_service, "load_parameters", lambda: changed_parameters)
    fresh = calculate_and_freeze("benefit", JKM_DEATH)
    assert fresh.total == 52_000_000
    new_lump = next(p for p in redisplay(fresh)["parameters_used"] if p["name"] == "jkm.lump_sum")
    assert new_lump["value"] == 30_000_000
    # The decided one is shown from what was stored: the original figures and references.
    shown = redisplay(CalculationRecord.objects.get(pk=decided.pk))
    assert shown == shown_before
    assert shown["total"] == 42_000_000 and shown["result"]["total"] == 42_000_000
    old_lump = next(p for p in shown["parameters_used"] if p["name"] == "jkm.lump_sum")
    assert old_lump == {
        "name": "jkm.lump_sum",
        "effective": "2019-12-02",
        "reference": "PP 82/2019 (Pasal 34 ayat (1) huruf a PP 44/2015 as amended)",
        "unconfirmed": False,
        "value": 20_000_000,
    }
    assert [c["amount"] for c in shown["result"]["components"]].count(20_000_000) == 1
    assert shown["snapshot"]["digest"] != redisplay(fresh)["snapshot"]["digest"]


def test_invalid_input_is_refused_with_the_fields_named(db):
    with pytest.raises(ServiceError) as exc:
        calculate_and_freeze("benefit", {"program": "JKM", "event_date": "not a date"})
    assert exc.value.code == "invalid_input" and "event_date" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        calculate_and_freeze("pension", {})
    assert exc.value.code == "invalid_input"
    assert not CalculationRecord.objects.exists()


def test_records_and_snapshots_never_change(db):
    record = calculate_and_freeze("benefit", JKM_DEATH)
    record.total = 1
    with pytest.raises(PermissionError):
        record.save()
    snap = record.snapshot
    snap.content = {}
    with pytest.raises(PermissionError):
        snap.save()


def test_a_snapshot_written_in_a_rolled_back_transaction_is_not_cached(db):
    params = load_parameters()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        snapshot_id_for(params)
        raise Boom
    assert not ParameterSnapshot.objects.exists()
    snap = snapshot_for(params)
    assert ParameterSnapshot.objects.get() == snap
    assert json.loads(json.dumps(snap.content)) == snap.content
