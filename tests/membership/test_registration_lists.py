"""The set-based registration of a worker list (``registration.lists``): an employer's wage
earners, a project's workers, self-paying BPU workers. Bad rows are named by row and field and
nothing is written; a rerun of the same list registers nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.core.errors import FileRejected
from lindung.core.models import AuditEvent
from lindung.membership import registration
from lindung.membership.bulk import BulkWriter
from lindung.membership.kpj import is_valid_kpj
from lindung.membership.models import KpjSequence, Participant, StatusChange
from lindung.membership.registration import lists
from lindung.membership.registration.sponsored import enrol_sponsored
from lindung.registry import services as registry_services
from lindung.registry.models import Person
from lindung.registry.nik import make_nik

pytestmark = pytest.mark.django_db
START = dt.date(2024, 2, 1)


def person(serial, sex="M", **over):
    birth = dt.date(1975 + serial % 25, 1 + serial % 12, 1 + serial % 28)
    return {
        "nik": make_nik("14.72.06", birth, sex, serial),
        "full_name": f"Pekerja {serial}",
        "birth_date": birth,
        "sex": sex,
        "region": "14.72.06.1001",
        "occupation": "Operator",
        **over,
    }


def wage_earner(serial, **over):
    return {**person(serial), "wage": 4_000_000 + serial * 1_000, "start_date": START, **over}


def self_payer(serial, **over):
    return {**person(serial), "declared_income": 1_500_000, "start_date": START, **over}


@pytest.fixture
def employer(regions, users):
    return registration.employer_create(actor=users["officer"], npp="WILMARDMI", name="PT Wilmar Nabati Dumai", risk_class="high")


def written():
    """What a list can write, counted."""
    return (
        Person.objects.count(),
        Participant.objects.count(),
        StatusChange.objects.count(),
        AuditEvent.objects.filter(action__in=["employer.register_workers", "participant.register_bpu_list", "project.add_workers"]).count(),
        list(KpjSequence.objects.values_list("year", "next_serial")),
    )


def test_an_employers_list_is_registered_set_based_with_one_audit_event(employer, users, django_assert_max_num_queries):
    known = registry_services.person_create(actor=None, **person(1))
    rows = [wage_earner(i) for i in range(1, 301)]
    with django_assert_max_num_queries(40):  # not per row: 300 workers, a few statements
        summary = lists.register_pu_list(employer, rows, actor=users["officer"])
    assert (summary.rows, summary.registered, summary.already_registered, summary.persons_created) == (300, 300, 0, 299)
    workers = Participant.objects.filter(employer=employer).order_by("kpj_number")
    assert workers.count() == 300 and all(is_valid_kpj(p.kpj_number) and p.kpj_number.startswith("24") for p in workers)
    first = workers.get(person=known)  # the register's person, used as it is
    assert (first.segment, first.programs, first.wage, first.risk_class, first.status, first.start_date) == (
        "PU",
        ["JKK", "JKM"],
        4_001_000,
        "high",
        "active",
        START,
    )
    assert first.branch == users["officer"].branch and first.status_changes.get().reason == "registered"
    new = Person.objects.get(nik=rows[1]["nik"])
    assert (new.full_name, new.region_id, new.occupation, new.nik_warnings) == ("Pekerja 2", "14.72.06.1001", "Operator", [])
    event = AuditEvent.objects.get(action="employer.register_workers")
    assert event.changes["count"] == 300 and event.changes["persons_created"] == 299 and event.actor == users["officer"]
    # the premium the rules engine gives the new participant
    assert registration.participant_premium(first, START).total > 0
    # the participant ids in row order
    assert summary.participant_ids == list(Participant.objects.filter(employer=employer).order_by("pk").values_list("pk", flat=True))


def test_bad_rows_are_named_by_row_and_field_and_nothing_is_written(employer):
    before = written()
    rows = [
        wage_earner(1),
        wage_earner(2, wage=0),
        wage_earner(3, nik="123"),
        wage_earner(4, birth_date="1990-02-30"),
        wage_earner(5, region="14.72.99.9999"),
        wage_earner(1),  # the same NIK as row 1
        wage_earner(7, start_date=""),
        wage_earner(8, full_name=" "),
        {**wage_earner(9), "row": 42},  # the row number of the employer's file
        wage_earner(10),
    ]
    rows[8]["sex"] = "X"
    with pytest.raises(FileRejected) as err:
        lists.register_pu_list(employer, rows, actor=None)
    found = {(e.row, e.field) for e in err.value.errors}
    assert found == {
        (2, "wage"),
        (3, "nik"),
        (4, "birth_date"),
        (5, "region"),
        (6, "nik"),
        (7, "start_date"),
        (8, "full_name"),
        (42, "sex"),
    }
    codes = {e.row: e.code for e in err.value.errors}
    assert codes[6] == "duplicate_in_list" and "first on row 1" in next(e.message for e in err.value.errors if e.row == 6)
    assert "baris 2, kolom wage" in err.value.message  # the message is in the language of the request (Indonesian first)
    assert written() == before


def test_a_rerun_registers_nothing_twice_and_only_the_new_rows(employer):
    rows = [wage_earner(i) for i in range(1, 21)]
    lists.register_pu_list(employer, rows, actor=None)
    after_first = written()
    again = lists.register_pu_list(employer, rows, actor=None)
    assert (again.registered, again.already_registered, again.persons_created) == (0, 20, 0)
    assert written()[:3] == after_first[:3] and written()[4] == after_first[4]  # no person, participant, status or KPJ
    more = lists.register_pu_list(employer, [*rows, wage_earner(21)], actor=None)
    assert (more.registered, more.already_registered, more.persons_created) == (1, 20, 1)
    assert Participant.objects.filter(employer=employer).count() == 21
    # the single-worker path refuses the same worker instead
    with pytest.raises(FileRejected) as err:
        lists.register_pu_list(employer, [wage_earner(3)], actor=None, if_registered=lists.REFUSE)
    assert [(e.row, e.field, e.code) for e in err.value.errors] == [(1, "nik", "already_registered")]


def test_a_failure_while_writing_leaves_nothing_half_written(employer, monkeypatch):
    before = written()
    original = BulkWriter.insert

    def crash(self, table, columns, rows):
        if table == StatusChange._meta.db_table:
            raise RuntimeError("disk full")
        return original(self, table, columns, rows)

    monkeypatch.setattr(BulkWriter, "insert", crash)
    with pytest.raises(RuntimeError):
        lists.register_pu_list(employer, [wage_earner(i) for i in range(1, 11)], actor=None)
    monkeypatch.setattr(BulkWriter, "insert", original)
    assert written() == before
    assert lists.register_pu_list(employer, [wage_earner(i) for i in range(1, 11)], actor=None).registered == 10


def test_self_paying_workers_in_bulk_with_the_enrol_checks_of_register_bpu(regions, users, agreement):
    dead = registry_services.person_create(actor=None, **person(3))
    registry_services.record_death(dead, actor=None, death_date=dt.date(2024, 1, 5))
    sponsored = registry_services.person_create(actor=None, **person(4))
    enrol_sponsored(actor=None, person=sponsored, agreement=agreement, start_date=dt.date(2023, 10, 1))
    before = written()
    rows = [self_payer(1), self_payer(2, declared_income=999_999), self_payer(3), self_payer(4), self_payer(5, programs=["JKK"])]
    with pytest.raises(FileRejected) as err:
        lists.register_bpu_list(rows, actor=users["officer"])
    assert {(e.row, e.field, e.code) for e in err.value.errors} == {
        (2, "declared_income", "invalid"),
        (3, "nik", "person_deceased"),
        (4, "nik", "bpu_already_open"),
        (5, "programs", "invalid"),
    }
    assert written() == before
    good = [self_payer(1), self_payer(2, declared_income=2_000_000, programs=["JKK", "JKM", "JHT"]), self_payer(6, start_date="2024-03-01")]
    summary = lists.register_bpu_list(good, actor=users["officer"])
    assert (summary.registered, summary.persons_created) == (3, 3)
    made = {p.person.nik: p for p in Participant.objects.filter(pk__in=summary.participant_ids).select_related("person")}
    second = made[good[1]["nik"]]
    assert (second.segment, second.programs, second.wage, second.agreement, second.employer, second.status) == (
        "BPU",
        ["JKK", "JKM", "JHT"],
        2_000_000,
        None,
        None,
        "active",
    )
    assert registration.participant_premium(made[good[0]["nik"]], START).total == 16_800 + 5_000  # JKK 1% + JKM 6,800
    assert AuditEvent.objects.get(action="participant.register_bpu_list").changes["count"] == 3
    # a rerun: every row's self-paying membership is open already
    again = lists.register_bpu_list(good, actor=users["officer"])
    assert (again.registered, again.already_registered) == (0, 3)
    # the single-worker service refuses the same person by the same check
    with pytest.raises(Exception) as single:
        registration.register_bpu(actor=None, person=made[good[0]["nik"]].person, declared_income=1_000_000, start_date=START)
    assert single.value.code == "bpu_already_open"


def test_a_projects_workers_in_bulk(regions):
    contractor = registration.employer_create(actor=None, npp="WIKADUMAI", name="PT Wijaya Karya", risk_class="very_high")
    project = registration.register_project(
        actor=None,
        contractor=contractor,
        number="JK-DMI-2401",
        name="Jalan Lingkar Pelintung",
        contract_value=48_000_000_000,
        start_date=START,
        end_date=dt.date(2025, 1, 31),
    )
    with pytest.raises(FileRejected) as err:
        lists.register_project_list(project, [person(1), {**person(2), "start_date": "2026-01-01"}], actor=None)
    assert [(e.row, e.field) for e in err.value.errors] == [(2, "start_date")]
    assert not Participant.objects.exists()
    summary = lists.register_project_list(project, [person(1), {**person(2), "start_date": "2024-03-01"}], actor=None)
    workers = Participant.objects.filter(project=project).order_by("pk")
    assert summary.registered == 2 and [(w.segment, w.start_date) for w in workers] == [("JAKON", START), ("JAKON", dt.date(2024, 3, 1))]
    assert lists.register_project_list(project, [person(1)], actor=None).already_registered == 1


def test_an_empty_list_is_refused(employer):
    with pytest.raises(Exception) as err:
        lists.register_pu_list(employer, [], actor=None)
    assert err.value.fields == {"workers": "empty"}
