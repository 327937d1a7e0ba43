"""Issue 10 item 4: a sponsor cannot read the register through a roster."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.membership import roster, selectors, services
from lindung.membership.models import Participant
from lindung.registry.models import FamilyMember, Person
from tests.membership.conftest import person_row

pytestmark = pytest.mark.django_db

START = dt.date(2023, 10, 1)
REGISTERED = {"full_name": "Rahmat Hidayat", "birth_date": dt.date(1985, 6, 1), "sex": "M", "phone": "081111111111", "address": "Jl. Asli 7"}


@pytest.fixture
def riau_agreement(sponsors):
    return services.agreement_create(
        actor=None, sponsor=sponsors["riau"], number="PKS-RIAU", start_date=START, end_date=dt.date(2024, 9, 30), budget=10**9, quota=10
    )


@pytest.fixture
def dumai_worker(agreement, roster_file, regions):
    """A Dumai worker, enrolled from Dumai's roster, with a family; the membership ended."""
    row = person_row(
        district="14.72.01",
        birth=REGISTERED["birth_date"],
        sex="M",
        serial=7,
        name=REGISTERED["full_name"],
        telepon=REGISTERED["phone"],
        alamat=REGISTERED["address"],
    )
    roster.import_roster(roster_file([row]), agreement=agreement, start=START)
    person = Person.objects.get(nik=row[0])
    FamilyMember.objects.create(person=person, relation="spouse", full_name="Istri Rahasia", birth_date=dt.date(1987, 1, 1))
    return person


def _riau_row(nik, **over):
    row = person_row(birth=dt.date(1990, 3, 10), sex="M", name="Nama Karangan", telepon="089999999999", alamat="Jl. Palsu 1", **over)
    row[0] = nik
    return row


def test_a_made_up_name_and_birth_date_is_held_not_enrolled(dumai_worker, riau_agreement, roster_file, users):
    participant = dumai_worker.participants.get()
    participant.status = Participant.Status.ENDED
    participant.end_date = dt.date(2023, 12, 31)
    participant.save()
    summary = roster.import_roster(roster_file([_riau_row(dumai_worker.nik)]), agreement=riau_agreement, start=START)
    assert summary.enrolled == 0 and summary.by_reason == {"verification_needed": 1}
    assert not Participant.objects.filter(agreement=riau_agreement).exists()
    dumai_worker.refresh_from_db()
    assert (dumai_worker.full_name, dumai_worker.phone, dumai_worker.address) == (REGISTERED["full_name"], REGISTERED["phone"], REGISTERED["address"])
    # The row's answer shows the file's own values, nothing of the register.
    lines = selectors.roster_import_rejected(user=users["sponsor_riau"], pk=summary.import_id)
    assert [(line.name, line.code) for line in lines] == [("Nama Karangan", "verification_needed")]
    text = " ".join(f"{line.name} {line.message} {line.nik}" for line in lines)
    assert "Rahmat" not in text and "1985" not in text and "081111111111" not in text


def test_a_dry_run_does_not_say_a_nik_is_enrolled_elsewhere(dumai_worker, riau_agreement, roster_file):
    """``already_active`` told Riau that the NIK is a Dumai participant."""
    row = _riau_row(dumai_worker.nik, nama=REGISTERED["full_name"], tanggal_lahir=REGISTERED["birth_date"].isoformat())
    summary = roster.import_roster(roster_file([row]), agreement=riau_agreement, start=START, dry_run=True)
    assert summary.by_reason == {"verification_needed": 1}
    assert "already_active" not in summary.by_reason
    mismatch = roster.import_roster(roster_file([_riau_row(dumai_worker.nik)]), agreement=riau_agreement, start=START, dry_run=True)
    assert mismatch.by_reason == {"verification_needed": 1}  # the same answer, whatever the reason
    from lindung.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="roster.dry_run", sponsor_id_ref=riau_agreement.sponsor_id).count() == 2


def test_a_matching_row_fills_blanks_and_never_overwrites(agreement, roster_file, regions):
    nik = person_row(serial=9)[0]
    person = Person.objects.create(nik=nik, full_name="Siti Aminah", birth_date=dt.date(1990, 3, 10), sex="F", phone="081200000000", address="")
    row = person_row(serial=9, name="SITI AMINAH", telepon="089999999999", alamat="Jl. Baru 2")
    summary = roster.import_roster(roster_file([row]), agreement=agreement, start=START)
    assert summary.enrolled == 1
    person.refresh_from_db()
    assert person.phone == "081200000000"  # kept
    assert person.address == "Jl. Baru 2"  # a blank filled in
    assert person.full_name == "Siti Aminah"


def test_a_sponsor_sees_its_workers_identity_not_their_family(dumai_worker, api_client, users, client):
    kpj = dumai_worker.participants.get().kpj_number
    body = api_client(users["sponsor"]).get(f"/api/v1/participants/{kpj}").json()
    assert body["person"]["full_name"] == REGISTERED["full_name"]
    assert body["family"] == []
    staff = api_client(users["officer"]).get(f"/api/v1/participants/{kpj}").json()
    assert [f["full_name"] for f in staff["family"]] == ["Istri Rahasia"]
    client.force_login(users["sponsor"])
    page = client.get(f"/participants/{kpj}/").content.decode()
    assert "Istri Rahasia" not in page and 'data-testid="family"' not in page


def test_a_nul_character_in_a_row_is_a_row_error(agreement, roster_file, regions, monkeypatch):
    """A CSV with NUL bytes is refused whole by the upload check; a cell read from another format
    can still carry one: the row is refused, the rest enrolled."""
    monkeypatch.setattr("lindung.membership.roster.importing.check_upload", lambda fh, kind: None)
    good = person_row(serial=11)
    bad = person_row(serial=12, name="Siti\x00Aminah")
    summary = roster.import_roster(roster_file([good, bad]), agreement=agreement, start=START)
    assert summary.enrolled == 1 and summary.by_reason == {"nul_character": 1}
    assert not Person.objects.filter(nik=bad[0]).exists()


def test_a_csv_with_nul_bytes_is_refused_with_a_clear_message(agreement, roster_file, regions):
    from lindung.core.files.checks import UploadRefused

    with pytest.raises(UploadRefused):
        roster.import_roster(roster_file([person_row(serial=13, name="Siti\x00Aminah")]), agreement=agreement, start=START)
    assert not Person.objects.exists()
