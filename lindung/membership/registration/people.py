"""The person behind a new membership (existing, found by NIK, or created), the branch it belongs
to, the checks before a new BPU membership, the first entry of its status history, and the
enrolment of a batch of new memberships."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lindung.core.errors import Conflict, ServiceError
from lindung.membership.kpj import reserve_kpj_numbers
from lindung.membership.models import Participant, Segment, StatusChange
from lindung.registry import services as registry_services
from lindung.registry.models import Person


def branch_of(actor, branch=None):
    return branch if branch is not None else getattr(actor, "branch", None)


def person_for(person_or_data, *, actor, errors: dict[str, str], prefix: str = "") -> Person | None:
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


def bpu_enrol_refusal(death_date, open_bpu: Participant | None) -> ServiceError | None:
    """Why a person cannot take a new BPU membership, or None: recorded as deceased
    (``person_deceased``), or already holding an open BPU membership (``bpu_already_open``, 409;
    ``open_bpu`` needs only its ``kpj_number`` and ``status``). The one check of a sponsored
    enrolment (``sponsored``), a self-paying registration (``self_paying``) and a list's rows
    (``lists``, fed by its set-based look-ups)."""
    if death_date:
        return ServiceError("person_deceased", _("This person is recorded as deceased."), {"person": "deceased"})
    if open_bpu is not None:
        return Conflict(
            "bpu_already_open",
            _("This person already has an open BPU membership (KPJ %(kpj)s, %(status)s); end it before registering again.")
            % {"kpj": open_bpu.kpj_number, "status": Participant.Status(open_bpu.status).label},
            {"person": f"open BPU membership {open_bpu.kpj_number}"},
        )
    return None


def check_bpu_enrol(person: Person) -> None:
    """Raise ``bpu_enrol_refusal`` for ``person`` (its open BPU membership looked up), if any."""
    open_bpu = Participant.objects.filter(person=person, segment=Segment.BPU).exclude(status=Participant.Status.ENDED).first()
    refusal = bpu_enrol_refusal(person.death_date, open_bpu)
    if refusal is not None:
        raise refusal


def bpu_open_race() -> Conflict:
    """The answer when the database's one-open-BPU-membership constraint stops an insert (another
    registration of the same person committed in between)."""
    return Conflict("bpu_already_open", _("This person already has an open BPU membership."), {"person": "open BPU membership"})


def initial_status(participants: list[Participant], *, actor, reason: str) -> None:
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


def enrol(participants: list[Participant], *, actor, year: int | None = None, reason: str = "registered") -> None:
    """Give new (unsaved) memberships their KPJ numbers (reserved in one block per year of issue:
    ``year``, or each one's start year), insert them in one statement and write their first status
    entry (``reason``). Call inside the registering transaction."""
    by_year: dict[int, list[Participant]] = {}
    for p in participants:
        by_year.setdefault(year or p.start_date.year, []).append(p)
    for issued, group in by_year.items():
        for p, kpj in zip(group, reserve_kpj_numbers(len(group), issued), strict=True):
            p.kpj_number = kpj
    Participant.objects.bulk_create(participants)
    if not all(p.pk for p in participants):  # SQLite before returning-support: fetch the ids back
        ids = dict(Participant.objects.filter(kpj_number__in=[p.kpj_number for p in participants]).values_list("kpj_number", "pk"))
        for p in participants:
            p.pk = ids[p.kpj_number]
    initial_status(participants, actor=actor, reason=reason)
