"""Monthly contributions (iuran): PU, BPU and construction (JAKON, per project)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .cases import ContributionCase
from .money import format_rate as _pct
from .money import format_rupiah as _rp
from .money import round_rupiah, to_rupiah
from .params import ParameterSet, ParameterView, load_parameters
from .results import CaseError, Component, Result

__all__ = ["calculate_contribution"]

_PROGRAMS = {"PU": {"JKK", "JKM"}, "BPU": {"JKK", "JKM", "JHT"}, "JAKON": {"JKK", "JKM"}}


def calculate_contribution(case: ContributionCase, params: ParameterSet | None = None) -> Result:
    """Monthly contribution per programme (per project for JAKON), as in force on ``case.on``."""
    view = (params or load_parameters()).at(case.on)
    allowed = _PROGRAMS[case.segment]
    programs = tuple(dict.fromkeys(case.programs))
    bad = [p for p in programs if p not in allowed]
    if bad or not programs:
        raise CaseError({"programs": f"{case.segment} takes {', '.join(sorted(allowed))} (got {', '.join(bad) or 'none'})"})
    if case.jkp and case.segment != "PU":
        raise CaseError({"jkp": "the JKP re-allocation applies to PU only"})
    if case.segment == "PU":
        components = _pu(case, programs, view)
    elif case.segment == "BPU":
        components = _bpu(case, programs, view)
    else:
        components = _jakon(case, programs, view)
    return Result.build("contribution", view, components, facts={"segment": case.segment, "monthly": case.segment != "JAKON"})


def _require_wage(case: ContributionCase, label: str = "wage") -> int:
    if case.wage is None:
        raise CaseError({"wage": f"required for {case.segment} ({label})"})
    if case.wage <= 0:
        raise CaseError({"wage": "must be positive"})
    return case.wage


def _pu(case: ContributionCase, programs: tuple[str, ...], view: ParameterView) -> list[Component]:
    wage = _require_wage(case)
    if case.contract_value is not None:
        raise CaseError({"contract_value": "only for JAKON"})
    components: list[Component] = []
    jkp_parts: list[tuple[int, str]] = []
    if "JKK" in programs:
        if case.risk_class is None:
            raise CaseError({"risk_class": "required for PU JKK"})
        name = "contribution.pu.jkk_risk_classes"
        rows = {row["risk_class"]: row["rate"] for row in view[name]}
        if case.risk_class not in rows:
            raise CaseError({"risk_class": f"not one of {', '.join(rows)}"})
        rate = rows[case.risk_class]
        amount = to_rupiah(wage, rate)
        detail: dict[str, object] = {"wage": wage, "rate": rate, "risk_class": case.risk_class}
        if case.jkp:
            part = to_rupiah(wage, view["contribution.pu.jkp_reallocation_jkk"])
            if part:
                jkp_parts.append((part, view.ref("contribution.pu.jkp_reallocation_jkk")))
                amount -= part
                detail["reallocated_to_jkp"] = part
        components.append(
            Component(
                code="iuran_jkk",
                program="JKK",
                amount=amount,
                reference=view.ref(name),
                explanation_id=f"Iuran JKK {_pct(rate)} × upah {_rp(wage)} (kelompok risiko {case.risk_class})",
                explanation_en=f"JKK contribution {_pct(rate)} × wage {_rp(wage)} (risk class {case.risk_class})",
                detail=detail,
            )
        )
    if "JKM" in programs:
        name = "contribution.pu.jkm_rate"
        rate = view[name]
        amount = to_rupiah(wage, rate)
        detail = {"wage": wage, "rate": rate}
        if case.jkp:
            part = to_rupiah(wage, view["contribution.pu.jkp_reallocation_jkm"])
            if part:
                jkp_parts.append((part, view.ref("contribution.pu.jkp_reallocation_jkm")))
                amount -= part
                detail["reallocated_to_jkp"] = part
        components.append(
            Component(
                code="iuran_jkm",
                program="JKM",
                amount=amount,
                reference=view.ref(name),
                explanation_id=f"Iuran JKM {_pct(rate)} × upah {_rp(wage)}",
                explanation_en=f"JKM contribution {_pct(rate)} × wage {_rp(wage)}",
                detail=detail,
            )
        )
    if jkp_parts:
        amount = sum(part for part, _ in jkp_parts)
        components.append(
            Component(
                code="iuran_jkp_realokasi",
                program="JKP",
                amount=amount,
                reference=jkp_parts[0][1],
                explanation_id=f"Bagian iuran JKK/JKM yang direalokasi ke JKP ({_rp(amount)}); total biaya pemberi kerja tetap",
                explanation_en=f"Part of the JKK/JKM contribution re-allocated to JKP ({_rp(amount)}); the employer's total is unchanged",
                detail={"parts": [part for part, _ in jkp_parts]},
            )
        )
    return components


def _bpu_income(case: ContributionCase, view: ParameterView) -> int:
    income = _require_wage(case, "declared income")
    brackets = view["contribution.bpu.income_brackets"]
    if not brackets:
        return income
    for row in brackets:
        if row["income_from"] <= income <= row["income_to"]:
            return int(row["nominal_income"])
    raise CaseError({"wage": "declared income is outside the configured BPU income brackets"})


def _bpu(case: ContributionCase, programs: tuple[str, ...], view: ParameterView) -> list[Component]:
    if case.contract_value is not None:
        raise CaseError({"contract_value": "only for JAKON"})
    income = _bpu_income(case, view)
    components: list[Component] = []
    if "JKK" in programs:
        rate = view["contribution.bpu.jkk_rate"]
        low, high = view["contribution.bpu.jkk_min"], view["contribution.bpu.jkk_max"]
        exact = to_rupiah(income, rate)
        amount = min(max(exact, low), high)
        bound = "" if amount == exact else (" (minimum)" if amount == low else " (maximum)")
        bound_id = "" if amount == exact else (" (minimum)" if amount == low else " (maksimum)")
        components.append(
            Component(
                code="iuran_jkk",
                program="JKK",
                amount=amount,
                reference=view.ref("contribution.bpu.jkk_rate"),
                explanation_id=f"Iuran JKK BPU {_pct(rate)} × penghasilan {_rp(income)}, antara {_rp(low)} dan {_rp(high)}{bound_id}",
                explanation_en=f"BPU JKK contribution {_pct(rate)} × declared income {_rp(income)}, between {_rp(low)} and {_rp(high)}{bound}",
                detail={"declared_income": income, "rate": rate, "minimum": low, "maximum": high},
            )
        )
    if "JKM" in programs:
        amount = view["contribution.bpu.jkm_amount"]
        components.append(
            Component(
                code="iuran_jkm",
                program="JKM",
                amount=amount,
                reference=view.ref("contribution.bpu.jkm_amount"),
                explanation_id=f"Iuran JKM BPU tetap {_rp(amount)} per bulan",
                explanation_en=f"Flat BPU JKM contribution {_rp(amount)} per month",
            )
        )
    if "JHT" in programs:
        rate = view["contribution.bpu.jht_rate"]
        amount = to_rupiah(income, rate)
        components.append(
            Component(
                code="iuran_jht",
                program="JHT",
                amount=amount,
                reference=view.ref("contribution.bpu.jht_rate"),
                explanation_id=f"Iuran JHT BPU (pilihan) {_pct(rate)} × penghasilan {_rp(income)}",
                explanation_en=f"Optional BPU JHT contribution {_pct(rate)} × declared income {_rp(income)}",
                detail={"declared_income": income, "rate": rate},
            )
        )
    return components


def jakon_slices(contract_value: int, brackets: Sequence[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """Split a contract value into the marginal slices of the bracket table."""
    slices = []
    lower = 0
    for row in brackets:
        upper = row["up_to"]
        top = contract_value if upper is None else min(contract_value, upper)
        if top > lower:
            slices.append((top - lower, row))
        if upper is None or contract_value <= upper:
            break
        lower = upper
    return slices


def _jakon(case: ContributionCase, programs: tuple[str, ...], view: ParameterView) -> list[Component]:
    if case.wage is not None and case.contract_value is not None:
        raise CaseError({"contract_value": "give either contract_value (wages unknown) or wage (wages known), not both"})
    if case.wage is not None:
        wage = _require_wage(case)
        components = []
        for program in programs:
            name = f"contribution.jakon.wage_{program.lower()}_rate"
            rate = view[name]
            components.append(
                Component(
                    code=f"iuran_{program.lower()}",
                    program=program,
                    amount=to_rupiah(wage, rate),
                    reference=view.ref(name),
                    explanation_id=f"Iuran {program} jasa konstruksi {_pct(rate)} × upah {_rp(wage)}",
                    explanation_en=f"Construction {program} contribution {_pct(rate)} × wage {_rp(wage)}",
                    detail={"wage": wage, "rate": rate},
                )
            )
        return components
    value = case.contract_value
    if value is None:
        raise CaseError({"contract_value": "required for JAKON (or give wage when the wages are known)"})
    if value <= 0:
        raise CaseError({"contract_value": "must be positive"})
    name = "contribution.jakon.brackets"
    slices = jakon_slices(value, view[name])
    components = []
    for program in programs:
        column = f"{program.lower()}_rate"
        exact = sum((Decimal(width) * row[column] for width, row in slices), Decimal(0))
        if program == "JKM":
            for _, row in slices:
                if not row["jkm_confirmed"]:
                    view.unconfirmed_rows.append(f"{name}[up_to={row['up_to']}].jkm_rate")
        parts = " + ".join(f"{_pct(row[column])} × {_rp(width)}" for width, row in slices)
        components.append(
            Component(
                code=f"iuran_{program.lower()}",
                program=program,
                amount=round_rupiah(exact),
                reference=view.ref(name),
                explanation_id=f"Iuran {program} proyek konstruksi, tarif bertingkat atas nilai kontrak {_rp(value)}: {parts}",
                explanation_en=f"Construction {program} contribution, marginal rates on contract value {_rp(value)}: {parts}",
                detail={
                    "contract_value": value,
                    "slices": [{"amount": width, "rate": row[column], "up_to": row["up_to"]} for width, row in slices],
                },
            )
        )
    return components
