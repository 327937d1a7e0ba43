"""Billing prices record the parameter snapshot they were priced with; a changed parameter file
prices the next run against a new snapshot and leaves the earlier prices as they were."""

from __future__ import annotations

import datetime as dt
import shutil

from lindung.contributions import billing
from lindung.contributions.billing import pricing
from lindung.contributions.models import BillingPrice, InvoiceLine
from lindung.core.calculations import snapshot_id_for
from lindung.core.calculations.models import ParameterSnapshot
from lindung.rules.params import BUILTIN_DIR, load_parameters

D = dt.date


def test_prices_point_at_their_snapshot_and_keep_it_when_the_parameters_change(make_agreement, make_workers, monkeypatch, tmp_path):
    make_workers(3, agreement=make_agreement(billing="monthly"))
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    october = list(BillingPrice.objects.filter(month=D(2023, 10, 1)))
    assert {p.program: p.amount for p in october} == {"JKK": 10_000, "JKM": 6_800}
    snapshot = ParameterSnapshot.objects.get()
    assert {p.snapshot_id for p in october} == {snapshot.pk} == {snapshot_id_for(load_parameters())}
    assert snapshot.entry("contribution.bpu.jkm_amount", D(2023, 10, 1))["value"] == 6_800

    # A new regulation raises the BPU JKM premium from November 2023 (a copy of the files).
    changed = tmp_path / "parameters"
    shutil.copytree(BUILTIN_DIR, changed)
    path = changed / "contributions.yaml"
    text = path.read_text()
    old = "      2015-07-01: {value: 6800, reference: PP 44/2015 Pasal 19 ayat (2)}\n"
    assert old in text
    path.write_text(text.replace(old, old + "      2023-11-01: {value: 7000, reference: test amendment}\n"))
    monkeypatch.setattr(pricing, "load_parameters", lambda: load_parameters(base_dir=changed))
    billing.run_billing(period=D(2023, 11, 1), today=D(2023, 11, 1))
    november = BillingPrice.objects.get(month=D(2023, 11, 1), program="JKM")
    assert november.amount == 7_000 and november.reference == "test amendment"
    assert november.snapshot_id != snapshot.pk and ParameterSnapshot.objects.count() == 2
    assert november.snapshot.entry("contribution.bpu.jkm_amount", D(2023, 11, 1))["value"] == 7_000
    assert set(InvoiceLine.objects.filter(period=D(2023, 11, 1), program="JKM").values_list("amount", flat=True)) == {7_000}
    # October's prices and lines are as they were, and so is their snapshot.
    assert [(p.pk, p.amount, p.snapshot_id) for p in BillingPrice.objects.filter(month=D(2023, 10, 1)).order_by("pk")] == [
        (p.pk, p.amount, p.snapshot_id) for p in sorted(october, key=lambda p: p.pk)
    ]
    assert ParameterSnapshot.objects.get(pk=snapshot.pk).entry("contribution.bpu.jkm_amount", D(2023, 11, 1))["value"] == 6_800
