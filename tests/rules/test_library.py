"""The rules engine as a library: pure Python, policies configurable through parameter files."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from lindung.rules import (
    ContributionCase,
    LateFineCase,
    LatePaymentCase,
    bpu_cover,
    calculate_contribution,
    contribution_due_date,
    late_payment_compensation,
    load_parameters,
    pu_late_fine,
)

ROOT = Path(__file__).resolve().parents[2]


def test_rules_package_imports_no_django() -> None:
    code = "import sys, lindung.rules, lindung.rules.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == "[]"


def test_rules_sources_import_nothing_from_django_or_the_apps() -> None:
    # Also catches imports inside functions, which the sys.modules check above would miss.
    import ast

    package = ROOT / "lindung" / "rules"
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")
                assert top[0] != "django", f"{path.name}:{node.lineno} imports {name}"
                if top[0] == "lindung":
                    assert top[:2] == ["lindung", "rules"], f"{path.name}:{node.lineno} imports {name}"


def test_contribution_due_dates() -> None:
    assert contribution_due_date("PU", 2024, 1) == date(2024, 2, 15)
    assert contribution_due_date("PU", 2023, 12) == date(2024, 1, 15)
    assert contribution_due_date("BPU", 2024, 3) == date(2024, 3, 15)


def test_bpu_grace_window_default_policy() -> None:
    paid_through = date(2024, 3, 31)
    inside = bpu_cover(date(2024, 3, 31), paid_through, arrears_paid=False)
    assert inside.covered and inside.payable
    grace = bpu_cover(date(2024, 5, 10), paid_through, arrears_paid=False)
    assert grace.covered and not grace.payable
    assert [r.code for r in grace.reasons] == ["arrears_unpaid"]
    assert bpu_cover(date(2024, 5, 10), paid_through, arrears_paid=True).payable
    # 3 months after 31 March is 30 June; an event on 1 July falls after membership ended.
    assert grace.grace_ends == date(2024, 6, 30)
    ended = bpu_cover(date(2024, 7, 1), paid_through, arrears_paid=True)
    assert not ended.covered and [r.code for r in ended.reasons] == ["membership_ended"]


def test_bpu_grace_policy_is_configurable(tmp_path: Path) -> None:
    extra = tmp_path / "policy"
    extra.mkdir()
    (extra / "grace.yaml").write_text(
        "parameters:\n  contribution.bpu.grace_event_policy:\n    values:\n"
        "      2024-01-01: {value: not_covered, reference: Local policy (test), unconfirmed: true, note: test}\n"
    )
    strict = load_parameters([extra])
    decision = bpu_cover(date(2024, 5, 10), date(2024, 3, 31), arrears_paid=True, params=strict)
    assert not decision.covered and [r.code for r in decision.reasons] == ["not_covered_in_grace_window"]


def test_bpu_income_brackets_can_be_configured(tmp_path: Path) -> None:
    extra = tmp_path / "brackets"
    extra.mkdir()
    (extra / "brackets.yaml").write_text(
        "parameters:\n  contribution.bpu.income_brackets:\n    values:\n      2030-01-01:\n"
        "        reference: Official bracket table (test)\n        value:\n"
        "          - {income_from: 1000000, income_to: 1499999, nominal_income: 1000000}\n"
        "          - {income_from: 1500000, income_to: 1999999, nominal_income: 1500000}\n"
    )
    params = load_parameters([extra])
    # 1,700,000 falls in the 1,500,000 bracket: JKK 1% × 1,500,000 = 15,000 + JKM 6,800 = 21,800
    case = ContributionCase(segment="BPU", on=date(2030, 2, 1), wage=1_700_000)
    assert calculate_contribution(case, params).total == 21_800
    # Before the table takes effect the declared income is used as given: 17,000 + 6,800 = 23,800
    before = ContributionCase(segment="BPU", on=date(2029, 12, 1), wage=1_700_000)
    assert calculate_contribution(before, params).total == 23_800


def test_late_days_may_be_counted_in_working_days(tmp_path: Path) -> None:
    extra = tmp_path / "days"
    extra.mkdir()
    (extra / "days.yaml").write_text(
        "parameters:\n  payment.late_day_count:\n    values:\n"
        "      2024-01-01: {value: working, reference: Local reading (test), unconfirmed: true, note: test}\n"
    )
    params = load_parameters([extra])
    # application Monday 2024-02-19 → deadline Thursday 2024-02-22; paid Monday 2024-02-26: Fri 23 and Mon 26
    # are 2 working days late (4 calendar days by default). 1% × 2 × 42,000,000 = 840,000
    case = LatePaymentCase("JKM", 42_000_000, date(2024, 2, 19), date(2024, 2, 26))
    assert late_payment_compensation(case, params).total == 840_000
    assert late_payment_compensation(case).total == 1_680_000
    # Counted in working days, a public holiday after the deadline is not a day late: deadline Thursday 2024-03-07,
    # paid Monday 2024-03-11 (Nyepi) → only Friday 8 March counts; 1% × 42,000,000 = 420,000 (4 calendar days: 1,680,000)
    over_nyepi = LatePaymentCase("JKM", 42_000_000, date(2024, 3, 4), date(2024, 3, 11))
    assert late_payment_compensation(over_nyepi, params).total == 420_000
    assert late_payment_compensation(over_nyepi).total == 1_680_000


def test_results_record_parameters_and_version() -> None:
    result = calculate_contribution(ContributionCase(segment="BPU", on=date(2023, 10, 1), wage=1_000_000))
    used = {p.name: p.effective for p in result.parameters}
    assert used["contribution.bpu.jkm_amount"] == date(2015, 7, 1)
    assert result.parameter_version == load_parameters().version
    data = result.to_dict()
    assert data["parameter_version"] == result.parameter_version
    assert data["components"][0]["explanation_id"].startswith("Iuran JKK BPU 1%")


def test_pu_late_fine_may_count_whole_months_only(tmp_path: Path) -> None:
    extra = tmp_path / "fine"
    extra.mkdir()
    (extra / "fine.yaml").write_text(
        "parameters:\n  contribution.pu.late_fine_started_month_counts:\n    values:\n"
        "      2020-01-01: {value: false, reference: Local reading (test), unconfirmed: true, note: test}\n"
    )
    params = load_parameters([extra])
    # January 2024 is due 2024-02-15. Whole months of delay only: 10 March is 24 days late (0 months),
    # 15 March one month (2% × 1,000,000 = 20,000), 20 April two months (40,000).
    fines = {
        paid: pu_late_fine(LateFineCase("PU", 1_000_000, 2024, 1, paid), params).total
        for paid in (date(2024, 3, 10), date(2024, 3, 15), date(2024, 4, 14), date(2024, 4, 20))
    }
    assert fines == {date(2024, 3, 10): 0, date(2024, 3, 15): 20_000, date(2024, 4, 14): 20_000, date(2024, 4, 20): 40_000}
    # The default counts every started month: 10 March is one month (20,000), 20 April three (60,000).
    assert pu_late_fine(LateFineCase("PU", 1_000_000, 2024, 1, date(2024, 3, 10))).total == 20_000
    assert pu_late_fine(LateFineCase("PU", 1_000_000, 2024, 1, date(2024, 4, 20))).total == 60_000


def test_jkk_death_at_1_800_000_and_jkm_death_amounts() -> None:
    from lindung.rules import BenefitCase, calculate_benefit

    jkk = calculate_benefit(BenefitCase(program="JKK", outcome="death", event_date=date(2023, 12, 5), wage=1_800_000))
    # 48 × 1,800,000 = 86,400,000 + periodic 12,000,000 + funeral 10,000,000
    assert [(c.code, c.amount) for c in jkk.components] == [
        ("santunan_kematian", 86_400_000),
        ("santunan_berkala", 12_000_000),
        ("biaya_pemakaman", 10_000_000),
    ]
    assert jkk.total == 108_400_000
    assert calculate_benefit(BenefitCase(program="JKM", event_date=date(2024, 2, 1))).total == 42_000_000


def test_benefit_allocation_with_and_without_heirs() -> None:
    from lindung.rules import BenefitCase, HeirsCase, Relative, allocate_benefit, calculate_benefit, determine_heirs

    jkm = calculate_benefit(BenefitCase(program="JKM", event_date=date(2024, 2, 1)))
    with_heirs = determine_heirs(HeirsCase((Relative("w", "spouse"), Relative("m", "parent"))))
    assert {a.to for a in allocate_benefit(jkm.components, with_heirs)} == {"heirs"}
    none = determine_heirs(HeirsCase((), funeral_arranger="rt-head"))
    allocation = {a.component: (a.to, a.amount) for a in allocate_benefit(jkm.components, none)}
    assert allocation == {
        "santunan_sekaligus": ("social_security_fund", 20_000_000),
        "santunan_berkala": ("social_security_fund", 12_000_000),
        "biaya_pemakaman": ("funeral_arranger", 10_000_000),
    }
    nobody = determine_heirs(HeirsCase(()))
    assert {a.to for a in allocate_benefit(jkm.components, nobody)} == {"social_security_fund"}
    disability = calculate_benefit(BenefitCase(program="JKK", outcome="total_disability", event_date=date(2024, 2, 1), wage=3_000_000))
    assert {a.to for a in allocate_benefit(disability.components, None)} == {"participant"}


def test_accident_report_timeliness() -> None:
    from datetime import datetime

    from lindung.rules import accident_report_timeliness

    accident = datetime(2025, 3, 3, 8, 0)
    on_time = accident_report_timeliness(accident, datetime(2025, 3, 5, 8, 0), "PU")  # exactly 48 hours
    assert not on_time.late and not on_time.employer_pays_first and on_time.reasons == ()
    late = accident_report_timeliness(accident, datetime(2025, 3, 5, 9, 0), "PU")  # 49 hours
    assert late.late and late.employer_pays_first
    assert [r.code for r in late.reasons] == ["accident_reported_late", "employer_pays_first"]
    assert late.reasons[1].reference.startswith("Permenaker 1/2025")
    # a BPU worker has no employer; before Permenaker 1/2025 a late report did not shift the benefit
    assert not accident_report_timeliness(accident, datetime(2025, 3, 6), "BPU").employer_pays_first
    before = accident_report_timeliness(datetime(2024, 3, 3, 8, 0), datetime(2024, 3, 6), "PU")
    assert before.late and not before.employer_pays_first
