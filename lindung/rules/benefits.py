"""Cash benefits of JKM (death not caused by work) and JKK (work accident / occupational disease)."""

from __future__ import annotations

from decimal import Decimal

from .cases import BenefitCase, ScholarshipCase
from .deadlines import claim_expiry_date
from .money import format_rate as _pct
from .money import format_rupiah as _rp
from .money import to_rupiah
from .params import ParameterSet, ParameterView, load_parameters
from .results import CaseError, Component, Reason, Result, ScholarshipResult
from .scholarship import scholarship_for

__all__ = ["calculate_benefit"]

_HUNDRED = Decimal(100)


def calculate_benefit(case: BenefitCase, params: ParameterSet | None = None) -> Result:
    """Cash benefits as granted by the regulation in force on the event date."""
    parameters = params or load_parameters()
    view = parameters.at(case.event_date)
    _validate(case)
    reasons = _conditions(case, view)
    components: list[Component]
    scholarship: ScholarshipResult | None = None
    if case.program == "JKM":
        components = _jkm(view)
        scholarship = _scholarship(case, view, parameters)
    else:
        components = _jkk(case, view)
        if case.outcome in ("death", "total_disability"):
            scholarship = _scholarship(case, view, parameters)
    return Result.build(
        "benefit",
        view,
        components,
        reasons=reasons,
        scholarship=scholarship if not reasons else None,
        facts={"program": case.program, "outcome": case.outcome or "death"},
    )


def _validate(case: BenefitCase) -> None:
    if case.program == "JKM" and case.outcome not in (None, "death"):
        raise CaseError({"outcome": "JKM pays on death only (use program JKK for a work accident)"})
    if case.program == "JKK" and case.outcome is None:
        raise CaseError({"outcome": "required for JKK"})
    if case.claim_date is not None and case.claim_date < case.event_date:
        raise CaseError({"claim_date": "is before the event date"})
    needs_wage = case.program == "JKK" and (
        case.outcome in ("death", "total_disability", "partial_disability", "temporary_incapacity") or case.incapacity_months
    )
    if needs_wage and (case.wage is None or case.wage <= 0):
        raise CaseError({"wage": "a positive wage (declared income for BPU) is required for this JKK benefit"})
    if case.outcome == "partial_disability" and not case.disabilities:
        raise CaseError({"disabilities": "at least one disability item is required"})
    if case.outcome == "temporary_incapacity" and case.incapacity_months < 1:
        raise CaseError({"incapacity_months": "at least 1 month is required"})
    for index, item in enumerate(case.disabilities):
        if not 1 <= item.function_loss_percent <= 100:
            raise CaseError({f"disabilities.{index}.function_loss_percent": "must be 1–100"})
    for index, trip in enumerate(case.transport):
        if trip.amount < 0:
            raise CaseError({f"transport.{index}.amount": "must not be negative"})
    if case.home_care < 0:
        raise CaseError({"home_care": "must not be negative"})
    if case.medical < 0:
        raise CaseError({"medical": "must not be negative"})
    if case.medical and case.program != "JKK":
        raise CaseError({"medical": "medical care is a JKK benefit"})


def _conditions(case: BenefitCase, view: ParameterView) -> list[Reason]:
    reasons = []
    if not case.membership_active:
        reasons.append(
            Reason(
                "membership_inactive",
                "Peserta tidak dalam masa kepesertaan aktif pada tanggal peristiwa",
                "The participant's membership was not active on the event date",
            )
        )
    if case.claim_date is not None:
        expiry = claim_expiry_date(case.program, case.event_date, view)
        if expiry is not None and case.claim_date > expiry:
            name = f"claim.{case.program.lower()}_expiry_years"
            years = view[name]
            reasons.append(
                Reason(
                    "claim_expired",
                    f"Hak klaim gugur: lewat {years} tahun sejak peristiwa (batas {expiry.isoformat()})",
                    f"The claim lapsed: more than {years} years after the event (deadline {expiry.isoformat()})",
                    view.ref(name),
                )
            )
    return reasons


def _periodic(program: str, view: ParameterView) -> Component:
    p = program.lower()
    monthly, months = view[f"{p}.periodic_monthly"], view[f"{p}.periodic_months"]
    amount = monthly * months
    return Component(
        code="santunan_berkala",
        program=program,
        amount=amount,
        reference=view.ref(f"{p}.periodic_monthly"),
        explanation_id=f"Santunan berkala {months} × {_rp(monthly)}, dibayar sekaligus",
        explanation_en=f"Periodic benefit {months} × {_rp(monthly)}, paid at once",
        detail={"monthly": monthly, "months": months},
    )


def _funeral(program: str, view: ParameterView) -> Component:
    name = f"{program.lower()}.funeral"
    amount = view[name]
    return Component(
        code="biaya_pemakaman",
        program=program,
        amount=amount,
        reference=view.ref(name),
        explanation_id=f"Biaya pemakaman {_rp(amount)}",
        explanation_en=f"Funeral cost {_rp(amount)}",
    )


def _jkm(view: ParameterView) -> list[Component]:
    lump = view["jkm.lump_sum"]
    return [
        Component(
            code="santunan_sekaligus",
            program="JKM",
            amount=lump,
            reference=view.ref("jkm.lump_sum"),
            explanation_id=f"Santunan sekaligus JKM {_rp(lump)}",
            explanation_en=f"JKM lump-sum death benefit {_rp(lump)}",
        ),
        _periodic("JKM", view),
        _funeral("JKM", view),
    ]


def _scholarship(case: BenefitCase, view: ParameterView, parameters: ParameterSet) -> ScholarshipResult:
    request = ScholarshipCase(
        event_date=case.event_date,
        children=case.children,
        program=case.program,
        contribution_months=case.contribution_months,
        as_of=case.claim_date,
    )
    return scholarship_for(request, view, parameters)


def _jkk(case: BenefitCase, view: ParameterView) -> list[Component]:
    components: list[Component] = []
    base_months = view["jkk.benefit_base_months"]
    if case.incapacity_months:
        components.append(_stmb(case, view))
    if case.outcome == "death":
        assert case.wage is not None
        percent = view["jkk.death_percent"]
        computed = to_rupiah(case.wage, base_months, percent)
        floor = view["jkm.lump_sum"]
        amount = max(computed, floor)
        floor_id = f"; paling sedikit santunan sekaligus JKM {_rp(floor)}" if amount != computed else ""
        floor_en = f"; raised to the JKM lump sum {_rp(floor)}" if amount != computed else ""
        components.append(
            Component(
                code="santunan_kematian",
                program="JKK",
                amount=amount,
                reference=view.ref("jkk.death_percent"),
                explanation_id=f"Santunan kematian {_pct(percent)} × {base_months} × upah {_rp(case.wage)} = {_rp(computed)}{floor_id}",
                explanation_en=f"Death benefit {_pct(percent)} × {base_months} × wage {_rp(case.wage)} = {_rp(computed)}{floor_en}",
                detail={"wage": case.wage, "percent": percent, "base_months": base_months, "computed": computed, "minimum": floor},
            )
        )
        components.append(_periodic("JKK", view))
        components.append(_funeral("JKK", view))
    elif case.outcome == "total_disability":
        assert case.wage is not None
        percent = view["jkk.total_disability_percent"]
        amount = to_rupiah(case.wage, base_months, percent)
        components.append(
            Component(
                code="santunan_cacat_total_tetap",
                program="JKK",
                amount=amount,
                reference=view.ref("jkk.total_disability_percent"),
                explanation_id=f"Santunan cacat total tetap {_pct(percent)} × {base_months} × upah {_rp(case.wage)}",
                explanation_en=f"Total permanent disability {_pct(percent)} × {base_months} × wage {_rp(case.wage)}",
                detail={"wage": case.wage, "percent": percent, "base_months": base_months},
            )
        )
        components.append(_periodic("JKK", view))
    elif case.outcome == "partial_disability":
        components.extend(_partial(case, view, base_months))
    if case.medical:
        components.append(_medical(case, view))
    components.extend(_transport(case, view))
    if case.home_care:
        components.append(_home_care(case, view))
    return components


def _partial(case: BenefitCase, view: ParameterView, base_months: int) -> list[Component]:
    assert case.wage is not None
    name = "jkk.partial_disability_table"
    rows = {row["item"]: row for row in view[name]}
    components = []
    for index, item in enumerate(case.disabilities):
        row = rows.get(item.item)
        if row is None:
            raise CaseError({f"disabilities.{index}.item": f"unknown disability item {item.item!r}"})
        used = row
        if case.left_handed and row["left_handed_pair"]:
            used = rows[row["left_handed_pair"]]
        if not used["confirmed"]:
            view.unconfirmed_rows.append(f"{name}[{used['item']}]")
        percent = used["percent"]
        function = Decimal(item.function_loss_percent) / _HUNDRED
        amount = to_rupiah(case.wage, base_months, percent, function)
        swap_id = f" (kidal: persentase {used['item']})" if used is not row else ""
        swap_en = f" (left-handed: rate of {used['item']})" if used is not row else ""
        kind_id = "anatomis" if item.function_loss_percent == 100 else f"fungsi, hilang {item.function_loss_percent}%"
        kind_en = "anatomical" if item.function_loss_percent == 100 else f"functional, {item.function_loss_percent}% of function lost"
        components.append(
            Component(
                code="santunan_cacat_sebagian",
                program="JKK",
                amount=amount,
                reference=view.ref(name),
                explanation_id=f"Cacat sebagian {kind_id}: {row['label_id']} {_pct(percent)}{swap_id} × {base_months} × upah {_rp(case.wage)}",
                explanation_en=f"Partial disability, {kind_en}: {row['label_en']} {_pct(percent)}{swap_en} × {base_months} × wage {_rp(case.wage)}",
                detail={
                    "item": item.item,
                    "rate_of": used["item"],
                    "percent": percent,
                    "function_loss_percent": item.function_loss_percent,
                    "confirmed": used["confirmed"],
                    "wage": case.wage,
                },
            )
        )
    return components


def _stmb(case: BenefitCase, view: ParameterView) -> Component:
    assert case.wage is not None
    name = "jkk.stmb_tiers"
    exact_parts = []
    for row in view[name]:
        last = row["to_month"] if row["to_month"] is not None else case.incapacity_months
        count = max(0, min(last, case.incapacity_months) - row["from_month"] + 1)
        if count:
            exact_parts.append((count, row["percent"]))
    amount = to_rupiah(case.wage, sum((Decimal(n) * p for n, p in exact_parts), Decimal(0)))
    parts = " + ".join(f"{n} × {_pct(p)}" for n, p in exact_parts)
    return Component(
        code="santunan_stmb",
        program="JKK",
        amount=amount,
        reference=view.ref(name),
        explanation_id=f"Santunan sementara tidak mampu bekerja: ({parts}) × upah {_rp(case.wage)}",
        explanation_en=f"Temporary incapacity: ({parts}) × wage {_rp(case.wage)}",
        detail={"months": case.incapacity_months, "wage": case.wage, "tiers": [{"months": n, "percent": p} for n, p in exact_parts]},
    )


def _transport(case: BenefitCase, view: ParameterView) -> list[Component]:
    if not case.transport:
        return []
    name = "jkk.transport_caps"
    caps = {row["mode"]: row["cap"] for row in view[name]}
    spent: dict[str, int] = {}
    for index, trip in enumerate(case.transport):
        if trip.mode not in caps:
            raise CaseError({f"transport.{index}.mode": f"not one of {', '.join(caps)}"})
        spent[trip.mode] = spent.get(trip.mode, 0) + trip.amount
    components = []
    for mode, claimed in spent.items():
        amount = min(claimed, caps[mode])
        capped_id = f", dibatasi {_rp(caps[mode])}" if amount < claimed else ""
        capped_en = f", capped at {_rp(caps[mode])}" if amount < claimed else ""
        components.append(
            Component(
                code="biaya_transportasi",
                program="JKK",
                amount=amount,
                reference=view.ref(name),
                explanation_id=f"Biaya transportasi {mode}: klaim {_rp(claimed)}{capped_id}",
                explanation_en=f"Transport ({mode}): claimed {_rp(claimed)}{capped_en}",
                detail={"mode": mode, "claimed": claimed, "cap": caps[mode]},
            )
        )
    return components


def _medical(case: BenefitCase, view: ParameterView) -> Component:
    name = "jkk.medical_care_cap"
    cap = view[name]
    amount = case.medical if cap is None else min(case.medical, cap)
    capped_id = f", dibatasi {_rp(cap)}" if amount < case.medical else ""
    capped_en = f", capped at {_rp(cap)}" if amount < case.medical else ""
    return Component(
        code="biaya_perawatan",
        program="JKK",
        amount=amount,
        reference=view.ref(name),
        explanation_id=f"Biaya perawatan dan pengobatan sesuai kebutuhan medis: klaim {_rp(case.medical)}{capped_id}",
        explanation_en=f"Medical care as medically needed: claimed {_rp(case.medical)}{capped_en}",
        detail={"claimed": case.medical, "cap": cap},
    )


def _home_care(case: BenefitCase, view: ParameterView) -> Component:
    name = "jkk.home_care_cap"
    cap = view[name]
    if cap is None:
        raise CaseError({"home_care": f"home care is not a JKK benefit for events on {case.event_date.isoformat()}"})
    amount = min(case.home_care, cap)
    capped_id = f", dibatasi {_rp(cap)}" if amount < case.home_care else ""
    capped_en = f", capped at {_rp(cap)}" if amount < case.home_care else ""
    return Component(
        code="perawatan_di_rumah",
        program="JKK",
        amount=amount,
        reference=view.ref(name),
        explanation_id=f"Perawatan di rumah: klaim {_rp(case.home_care)}{capped_id}",
        explanation_en=f"Home care: claimed {_rp(case.home_care)}{capped_en}",
        detail={"claimed": case.home_care, "cap": cap},
    )
