"""Issue 10 item 4: rows held for verification and changes a roster proposes, decided by the
branch office through the workflow kernel; the sponsor never reads the register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from lindung.core.errors import ServiceError
from lindung.core.models import AuditEvent
from lindung.core.workflow import WorkflowError
from lindung.core.workflow.models import Decision
from lindung.membership import held, roster, services
from lindung.membership.held import selectors as held_selectors
from lindung.membership.models import ChangeProposal, HeldRow, Participant, SponsorshipPeriod, Verdict
from tests.factories import PersonFactory
from tests.membership.conftest import person_row

pytestmark = pytest.mark.django_db

# An agreement in force today: a row accepted now is enrolled from the first of next month.
TODAY = dt.date.today()
START = (TODAY.replace(day=1) - dt.timedelta(days=60)).replace(day=1)
END = dt.date(START.year + 1, START.month, 1) + dt.timedelta(days=120)
REGISTERED = {"full_name": "Rahmat Hidayat", "birth_date": dt.date(1985, 6, 1), "sex": "M", "phone": "081111111111", "address": "Jl. Asli 7"}
SECRETS = ("Rahmat", "Hidayat", "1985", "081111111111", "Jl. Asli 7")


@pytest.fixture
def agreement(sponsors):
    return services.agreement_create(
        actor=None, sponsor=sponsors["dumai"], number="PKS-DUMAI-NOW", start_date=START, end_date=END, budget=10**9, quota=100
    )


@pytest.fixture
def registered(regions):
    """A person on the register (no membership)."""
    from lindung.registry.nik import make_nik

    return PersonFactory(nik=make_nik("14.72.01", REGISTERED["birth_date"], "M", 7), region_id="14.72.01.1003", **REGISTERED)


def held_row_file(nik, **over):
    row = person_row(birth=dt.date(1990, 3, 10), sex="M", name="Nama Karangan", telepon="089999999999", alamat="Jl. Palsu 1", **over)
    row[0] = nik
    return row


@pytest.fixture
def held_import(registered, agreement, roster_file, users):
    summary = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START, actor=users["sponsor"])
    return summary


def test_a_held_row_is_recorded_by_the_import_and_counted_for_the_sponsor(held_import, registered, agreement):
    assert held_import.by_reason == {"verification_needed": 1} and held_import.held == 1
    row = HeldRow.objects.get()
    assert (row.nik, row.full_name, row.birth_date, row.phone, row.person_id) == (
        registered.nik,
        "Nama Karangan",
        dt.date(1990, 3, 10),
        "089999999999",
        registered.pk,
    )
    assert row.status == Verdict.PENDING and row.agreement == agreement and row.cover_start == START
    event = AuditEvent.objects.get(action="roster.import")
    assert event.changes["held_recorded"] == 1


def test_a_dry_run_and_a_blocked_import_record_nothing(registered, agreement, roster_file):
    dry = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START, dry_run=True)
    assert dry.held == 1
    blocked = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START, all_or_nothing=True)
    assert blocked.by_reason == {"verification_needed": 1}
    assert not HeldRow.objects.exists()


def test_the_same_file_twice_holds_the_row_once(held_import, registered, agreement, roster_file):
    again = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START)
    assert again.by_reason == {"verification_needed": 1}
    assert HeldRow.objects.count() == 1


def test_accept_enrols_exactly_once_against_the_registered_person(held_import, registered, agreement, users):
    row = HeldRow.objects.get()
    outcome = held.accept_held_row(row, actor=users["verifier"], note="KTP checked")
    row.refresh_from_db()
    participant = Participant.objects.get(person=registered)
    assert row.status == Verdict.ACCEPTED and row.participant == participant and row.decided_by == users["verifier"]
    assert participant.agreement == agreement and participant.sponsor == agreement.sponsor and participant.status == "active"
    period = SponsorshipPeriod.objects.get(participant=participant)
    assert period.import_batch_id == held_import.import_id and period.start_date >= START
    assert participant.status_changes.get().reason == "roster_import"
    assert outcome.decision.workflow == "membership.held_row" and outcome.decision.transition == "accept"
    assert AuditEvent.objects.filter(action="roster.held_row.accept").count() == 1
    assert AuditEvent.objects.filter(action="participant.enrol").count() == 1
    registered.refresh_from_db()
    assert registered.full_name == REGISTERED["full_name"] and registered.phone == REGISTERED["phone"]  # the register kept
    # Decided once: a second accept (or a reject) is refused, nothing more is written.
    with pytest.raises(WorkflowError) as exc:
        held.accept_held_row(row, actor=users["officer"])
    assert exc.value.code == "transition_not_allowed"
    stale = HeldRow.objects.get(pk=row.pk)
    stale.status = Verdict.PENDING  # what a page loaded before the decision saw
    with pytest.raises(WorkflowError) as exc:
        held.reject_held_row(stale, actor=users["officer"], reason="other")
    assert exc.value.code == "stale_state"
    assert Participant.objects.filter(person=registered).count() == 1
    assert Decision.objects.filter(workflow="membership.held_row").count() == 1


def test_the_database_refuses_a_second_decision(held_import, users):
    row = HeldRow.objects.get()
    held.reject_held_row(row, actor=users["officer"], reason="identity_not_confirmed")
    with pytest.raises(IntegrityError), transaction.atomic():
        HeldRow.objects.filter(pk=row.pk).update(status=Verdict.PENDING, decided_at=None, reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        HeldRow.objects.filter(pk=row.pk).update(status=Verdict.ACCEPTED)


def test_reject_leaves_nothing_and_the_sponsor_reads_the_reason_in_words(held_import, registered, users):
    row = HeldRow.objects.get()
    with pytest.raises(WorkflowError) as exc:
        held.reject_held_row(row, actor=users["officer"], reason="")
    assert exc.value.code == "reason_required"
    held.reject_held_row(row, actor=users["officer"], reason="identity_not_confirmed", note="Rahmat Hidayat lahir 1985")
    row.refresh_from_db()
    assert row.status == Verdict.REJECTED and row.reason == "identity_not_confirmed" and row.participant is None
    assert not Participant.objects.filter(person=registered).exists()
    assert not SponsorshipPeriod.objects.exists()
    lines = held_selectors.import_held_rows(user=users["sponsor"], import_pk=held_import.import_id)
    assert [(line.name, line.status, line.reason) for line in lines] == [("Nama Karangan", "rejected", "identity_not_confirmed")]
    text = " ".join(str(v) for line in lines for v in vars(line).values())
    assert "KTP" in text  # the words, in Indonesian by default… or English: either way not a code only
    assert not any(s in text for s in SECRETS)


def _row_errors(user, import_id):
    from lindung.membership.selectors import roster_import_rejected

    return [(r.row, r.code, r.message) for r in roster_import_rejected(user=user, pk=import_id)]


def test_a_rejected_row_sent_again_unchanged_is_answered_with_the_rejection_and_not_held_again(
    held_import, registered, agreement, roster_file, users
):
    from django.utils import timezone, translation

    from lindung.core import formatting
    from lindung.membership.held.reasons import row_reason_text

    row = HeldRow.objects.get()
    held.reject_held_row(row, actor=users["officer"], reason="identity_not_confirmed", note="lahir 1985")
    row.refresh_from_db()
    # the same row again (the name typed in capitals is the same name): a row error, nothing held
    capitals = held_row_file(registered.nik)
    capitals[1] = "NAMA  KARANGAN"
    again = roster.import_roster(roster_file([capitals]), agreement=agreement, start=START, actor=users["sponsor"])
    assert again.by_reason == {"rejected_earlier": 1} and again.held == 0 and again.rejected == 1 and again.enrolled == 0
    assert HeldRow.objects.count() == 1 and HeldRow.objects.get().status == Verdict.REJECTED
    ((line, code, message),) = _row_errors(users["sponsor"], again.import_id)
    with translation.override("id"):
        when, why = formatting.date(timezone.localdate(row.decided_at)), row_reason_text("identity_not_confirmed").rstrip(".")
    assert (line, code) == (2, "rejected_earlier")
    assert message.startswith(f"Sudah ditolak kantor cabang pada {when}, alasan: {why}. ") and "perbaiki" in message
    assert not any(s in message for s in SECRETS) and "lahir 1985" not in message  # the reason's words, never the note
    # a dry run answers the same
    dry = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START, dry_run=True)
    assert dry.by_reason == {"rejected_earlier": 1} and dry.held == 0
    # a corrected row is held anew for the branch office
    corrected = held_row_file(registered.nik)
    corrected[7] = "082222222222"  # telepon
    changed = roster.import_roster(roster_file([corrected]), agreement=agreement, start=START, actor=users["sponsor"])
    assert changed.by_reason == {"verification_needed": 1} and changed.held == 1
    assert list(HeldRow.objects.order_by("id").values_list("status", "phone")) == [
        (Verdict.REJECTED, "089999999999"),
        (Verdict.PENDING, "082222222222"),
    ]


def test_a_rejection_of_another_agreement_does_not_answer_this_one(held_import, registered, sponsors, roster_file, users):
    held.reject_held_row(HeldRow.objects.get(), actor=users["officer"], reason="not_eligible")
    other = services.agreement_create(
        actor=None, sponsor=sponsors["dumai"], number="PKS-DUMAI-LAIN", start_date=START, end_date=END, budget=10**9, quota=100
    )
    summary = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=other, start=START, actor=users["sponsor"])
    assert summary.by_reason == {"verification_needed": 1} and summary.held == 1


@pytest.mark.parametrize("role", ["auditor", "finance", "sponsor", "branch_head"])
def test_only_officers_and_verifiers_decide(held_import, users, role):
    row = HeldRow.objects.get()
    for act in (lambda: held.accept_held_row(row, actor=users[role]), lambda: held.reject_held_row(row, actor=users[role], reason="other")):
        with pytest.raises(WorkflowError) as exc:
            act()
        assert exc.value.code == "permission_denied"
    assert HeldRow.objects.get().status == Verdict.PENDING


def test_another_branch_cannot_decide(held_import, make_user, other_branch):
    stranger = make_user("officer", "officer-pekanbaru", user_branch=other_branch)
    row = HeldRow.objects.get()
    with pytest.raises(WorkflowError) as exc:
        held.accept_held_row(row, actor=stranger)
    assert exc.value.code == "not_found"
    assert not held_selectors.held_rows(user=stranger).exists()


def test_the_uploader_does_not_verify_its_own_rows(registered, agreement, roster_file, users):
    roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START, actor=users["officer"])
    with pytest.raises(WorkflowError) as exc:
        held.accept_held_row(HeldRow.objects.get(), actor=users["officer"])
    assert exc.value.code == "maker_checker"
    held.accept_held_row(HeldRow.objects.get(), actor=users["verifier"])


def test_accept_is_refused_while_the_person_has_an_open_membership_elsewhere(registered, agreement, sponsors, roster_file, users):
    riau = services.agreement_create(actor=None, sponsor=sponsors["riau"], number="PKS-RIAU", start_date=START, end_date=END, budget=10**9, quota=10)
    same = person_row(birth=REGISTERED["birth_date"], sex="M", name=REGISTERED["full_name"])
    same[0] = registered.nik
    roster.import_roster(roster_file([same]), agreement=riau, start=START)
    roster.import_roster(roster_file([same]), agreement=agreement, start=START)
    row = HeldRow.objects.get()
    with pytest.raises(ServiceError) as exc:
        held.accept_held_row(row, actor=users["verifier"])
    assert exc.value.code == "bpu_already_open" and exc.value.status == 409
    assert HeldRow.objects.get().status == Verdict.PENDING and Participant.objects.filter(person=registered).count() == 1


def test_after_acceptance_the_row_is_already_enrolled(held_import, registered, agreement, roster_file, users):
    held.accept_held_row(HeldRow.objects.get(), actor=users["verifier"])
    again = roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START)
    assert again.already_enrolled == 1 and again.by_reason == {} and HeldRow.objects.count() == 1


# ---------------------------------------------------------------- change proposals


@pytest.fixture
def proposed(registered, agreement, roster_file):
    """A row naming the registered person (same name and birth date) with a new phone and address."""
    row = person_row(birth=REGISTERED["birth_date"], sex="M", name=REGISTERED["full_name"], telepon="089999999999", alamat="Jl. Baru 2")
    row[0] = registered.nik
    summary = roster.import_roster(roster_file([row]), agreement=agreement, start=START)
    assert summary.enrolled == 1
    return summary


def test_a_differing_value_becomes_a_proposal_not_an_overwrite(proposed, registered):
    registered.refresh_from_db()
    assert (registered.phone, registered.address) == (REGISTERED["phone"], REGISTERED["address"])
    got = {(p.field, p.current_value, p.proposed_value) for p in ChangeProposal.objects.all()}
    assert got == {("phone", REGISTERED["phone"], "089999999999"), ("address", REGISTERED["address"], "Jl. Baru 2")}
    assert "held" in proposed.as_dict() and "change_proposals" not in proposed.as_dict()  # the sponsor is not told


def test_a_proposal_accepted_updates_the_person_rejected_does_not(proposed, registered, users):
    phone = ChangeProposal.objects.get(field="phone")
    address = ChangeProposal.objects.get(field="address")
    held.accept_proposal(phone, actor=users["officer"])
    held.reject_proposal(address, actor=users["verifier"], reason="register_newer")
    registered.refresh_from_db()
    assert registered.phone == "089999999999" and registered.address == REGISTERED["address"]
    assert AuditEvent.objects.filter(action="person.update").count() == 1
    assert AuditEvent.objects.filter(action="roster.change_proposal.accept").count() == 1
    assert AuditEvent.objects.filter(action="roster.change_proposal.reject").count() == 1
    with pytest.raises(WorkflowError):
        held.accept_proposal(address, actor=users["officer"])


def test_a_rejected_change_is_not_proposed_again_by_the_same_file(proposed, registered, agreement, roster_file, users):
    held.reject_proposal(ChangeProposal.objects.get(field="phone"), actor=users["officer"], reason="not_confirmed")
    row = person_row(birth=REGISTERED["birth_date"], sex="M", name=REGISTERED["full_name"], telepon="089999999999", alamat="Jl. Baru 2")
    row[0] = registered.nik
    again = roster.import_roster(roster_file([row]), agreement=agreement, start=START)
    assert again.already_enrolled == 1
    assert ChangeProposal.objects.count() == 2  # the pending address is not repeated, the rejected phone not proposed again


@pytest.mark.parametrize("role", ["auditor", "finance", "sponsor"])
def test_only_staff_who_decide_may_decide_a_proposal(proposed, users, role):
    with pytest.raises(WorkflowError) as exc:
        held.accept_proposal(ChangeProposal.objects.get(field="phone"), actor=users[role])
    assert exc.value.code == "permission_denied"


# ---------------------------------------------------------------- two people at once (PostgreSQL)

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections holding row locks (SELECT … FOR UPDATE)")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_accept_and_reject_at_the_same_moment_exactly_one_wins(registered, agreement, roster_file, users):
    import threading

    roster.import_roster(roster_file([held_row_file(registered.nik)]), agreement=agreement, start=START)
    pk = HeldRow.objects.get().pk
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(name, decide):
        from django.db import connection as conn

        try:
            seen = HeldRow.objects.get(pk=pk)  # both see the row pending
            barrier.wait(5)
            decide(seen)
            results[name] = "won"
        except WorkflowError as exc:
            results[name] = exc
        finally:
            conn.close()

    threads = [
        threading.Thread(target=act, args=("accept", lambda r: held.accept_held_row(r, actor=users["verifier"]))),
        threading.Thread(target=act, args=("reject", lambda r: held.reject_held_row(r, actor=users["officer"], reason="other"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [k for k, v in results.items() if v == "won"]
    assert len(won) == 1, results
    lost = next(v for k, v in results.items() if k not in won)
    assert isinstance(lost, WorkflowError) and lost.code == "stale_state"
    row = HeldRow.objects.get(pk=pk)
    assert Decision.objects.filter(workflow="membership.held_row").count() == 1
    if won == ["accept"]:
        assert row.status == Verdict.ACCEPTED and Participant.objects.filter(person=registered).count() == 1
    else:
        assert row.status == Verdict.REJECTED and not Participant.objects.filter(person=registered).exists()


# ---------------------------------------------------------------- web, API, CLI


def _page(client, user, url, **kw):
    client.force_login(user)
    return client.get(url, **kw)


def test_the_sponsor_never_reads_the_register_through_web_or_api(held_import, users, client, api_client):
    row = HeldRow.objects.get()
    sponsor = users["sponsor"]
    # its import page: the count and the row as its file gave it
    page = _page(client, sponsor, f"/roster/imports/{held_import.import_id}/").content.decode()
    assert 'data-testid="held-rows"' in page and "Nama Karangan" in page
    assert not any(s in page for s in SECRETS)
    # the queue and the row's page are not the sponsor's
    assert _page(client, sponsor, "/verification/").status_code == 403
    assert _page(client, sponsor, f"/verification/rows/{row.pk}/").status_code == 403
    api = api_client(sponsor)
    for url in (f"/api/v1/held-rows/{row.pk}", "/api/v1/held-rows", "/api/v1/change-proposals"):
        response = api.get(url)
        assert response.status_code == 403 and not any(s in response.content.decode() for s in SECRETS)
    body = api.get(f"/api/v1/roster-imports/{held_import.import_id}/held").json()
    assert [i["name"] for i in body["items"]] == ["Nama Karangan"] and body["items"][0]["status"] == "pending"
    for url in (f"/api/v1/roster-imports/{held_import.import_id}", f"/api/v1/roster-imports/{held_import.import_id}/held"):
        assert not any(s in api.get(url).content.decode() for s in SECRETS)
    assert api.post(f"/api/v1/held-rows/{row.pk}/accept", {}, content_type="application/json").status_code == 403
    # another sponsor does not see the import at all
    assert api_client(users["sponsor_riau"]).get(f"/api/v1/roster-imports/{held_import.import_id}/held").status_code == 404
    # after a rejection the sponsor reads the reason in words, still nothing of the register
    held.reject_held_row(row, actor=users["officer"], reason="identity_not_confirmed", note="lahir 1985, Rahmat")
    page = _page(client, sponsor, f"/roster/imports/{held_import.import_id}/").content.decode()
    assert "KTP" in page and not any(s in page for s in SECRETS)
    assert not any(s in api.get(f"/api/v1/roster-imports/{held_import.import_id}/held").content.decode() for s in SECRETS)


def test_the_sponsor_reads_its_held_rows_a_page_at_a_time_from_the_database(held_import, users, api_client):
    """The API answers with the selector's own ``SponsorHeldRow`` and asks the database for one
    page only (a ``LIMIT``), not for every held row of the import."""
    from django.test.utils import CaptureQueriesContext

    first = HeldRow.objects.get()
    HeldRow.objects.bulk_create(
        [
            HeldRow(
                roster_import_id=first.roster_import_id,
                agreement_id=first.agreement_id,
                sponsor_id=first.sponsor_id,
                row_number=first.row_number + n,
                nik=f"{int(first.nik) + n:016d}",
                full_name=f"Pekerja {n}",
                birth_date=first.birth_date,
                sex=first.sex,
                cover_start=first.cover_start,
                person_id=first.person_id,
            )
            for n in range(1, 30)
        ]
    )
    api = api_client(users["sponsor"])
    table = HeldRow._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(f"/api/v1/roster-imports/{held_import.import_id}/held?page=2&page_size=5").json()
    assert (body["count"], body["pages"], body["page"]) == (30, 6, 2)
    assert [i["name"] for i in body["items"]] == [f"Pekerja {n}" for n in range(5, 10)]
    assert set(body["items"][0]) == {"row", "nik", "name", "birth_date", "status", "status_label", "reason", "reason_text", "kpj"}
    assert "*" in body["items"][0]["nik"] and body["items"][0]["kpj"] == ""
    reads = [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"] and "COUNT(" not in q["sql"].upper()]
    assert len(reads) == 1 and "LIMIT 5" in reads[0] and "OFFSET 5" in reads[0], reads


def test_staff_compare_and_decide_on_the_web(held_import, registered, users, client):
    row = HeldRow.objects.get()
    queue = _page(client, users["verifier"], "/verification/")
    assert queue.status_code == 200 and f'data-held="{row.pk}"' in queue.content.decode()
    page = _page(client, users["verifier"], f"/verification/rows/{row.pk}/").content.decode()
    assert "Rahmat Hidayat" in page and "Nama Karangan" in page and 'data-testid="accept"' in page
    response = client.post(f"/verification/rows/{row.pk}/", {"decision": "accept", "note": "KTP checked"})
    assert response.status_code == 302
    assert HeldRow.objects.get().status == Verdict.ACCEPTED and Participant.objects.filter(person=registered).count() == 1
    # the auditor reads the page, without the buttons, and cannot post
    page = _page(client, users["auditor"], f"/verification/rows/{row.pk}/")
    assert page.status_code == 200 and 'data-testid="decide-form"' not in page.content.decode()


@pytest.mark.parametrize("role", ["auditor", "finance", "branch_head"])
def test_view_only_roles_cannot_decide_on_the_web_or_api(held_import, users, client, api_client, role):
    row = HeldRow.objects.get()
    client.force_login(users[role])
    response = client.post(f"/verification/rows/{row.pk}/", {"decision": "reject", "reason": "other"})
    assert response.status_code in (403, 404)
    api = api_client(users[role])
    assert api.post(f"/api/v1/held-rows/{row.pk}/reject", {"reason": "other"}, content_type="application/json").status_code == 403
    assert HeldRow.objects.get().status == Verdict.PENDING


def test_the_api_accepts_and_a_second_decision_is_a_conflict(held_import, registered, users, api_client):
    row = HeldRow.objects.get()
    api = api_client(users["officer"])
    detail = api.get(f"/api/v1/held-rows/{row.pk}").json()
    assert {c["field"]: c["registered"] for c in detail["comparison"]}["full_name"] == "Rahmat Hidayat"
    response = api.post(f"/api/v1/held-rows/{row.pk}/accept", {"note": "ok"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted" and response.json()["kpj"]
    again = api.post(f"/api/v1/held-rows/{row.pk}/reject", {"reason": "other"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "transition_not_allowed"
    assert api.post(f"/api/v1/held-rows/{row.pk}/reject", {"reason": "nonsense"}, content_type="application/json").status_code == 409
    assert Participant.objects.filter(person=registered).count() == 1


def test_proposals_through_the_api_and_the_web(proposed, registered, users, api_client, client):
    api = api_client(users["verifier"])
    items = api.get("/api/v1/change-proposals").json()["items"]
    phone = next(i for i in items if i["field"] == "phone")
    address = next(i for i in items if i["field"] == "address")
    assert api.post(f"/api/v1/change-proposals/{phone['id']}/accept", {}, content_type="application/json").status_code == 200
    bad = api.post(f"/api/v1/change-proposals/{address['id']}/reject", {"reason": "nonsense"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_reason"
    client.force_login(users["officer"])
    assert 'data-testid="proposal-table"' in client.get("/verification/?tab=proposals").content.decode()
    assert client.post(f"/verification/changes/{address['id']}/", {"decision": "reject", "reason": "register_newer"}).status_code == 302
    registered.refresh_from_db()
    assert registered.phone == "089999999999" and registered.address == REGISTERED["address"]
    assert api_client(users["sponsor"]).get(f"/api/v1/change-proposals/{phone['id']}").status_code == 403


def test_the_cli_lists_accepts_and_rejects(held_import, registered, users, proposed):
    import json as _json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("verification", "list", "--json", "--as", users["officer"].username, stdout=out)
    (item,) = _json.loads(out.getvalue())
    assert item["full_name"] == "Nama Karangan" and "*" in item["nik"]
    with pytest.raises(CommandError):
        call_command("verification", "accept", str(item["id"]), "--as", users["auditor"].username, stdout=StringIO())
    out = StringIO()
    call_command("verification", "reject", str(item["id"]), "--reason", "identity_not_confirmed", "--as", users["verifier"].username, stdout=out)
    assert HeldRow.objects.get().status == Verdict.REJECTED
    out = StringIO()
    call_command("verification", "proposals", "--json", "--as", users["officer"].username, stdout=out)
    first = _json.loads(out.getvalue())[0]
    call_command("verification", "accept-proposal", str(first["id"]), "--as", users["officer"].username, stdout=StringIO())
    assert ChangeProposal.objects.get(pk=first["id"]).status == Verdict.ACCEPTED
