"""Issue 10 item 8: the audit trail cannot be purged by the application's own SQL; purging is an
explicit, audited command run as the owner."""

import datetime as dt
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from lindung.core import audit
from lindung.core.db_roles import check_current_role, grant_app_statements
from lindung.core.models import AuditEvent

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif("os.environ.get('DATABASE_URL', '').startswith('postgres') is False", reason="PostgreSQL roles")


def _refused(sql, params=None, role=None):
    """True when the database refuses ``sql`` (run in a savepoint, as ``role`` when given)."""
    try:
        with transaction.atomic(), connection.cursor() as cur:
            if role:
                cur.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
            for statement in sql if isinstance(sql, list) else [sql]:
                cur.execute(statement, params)
    except DatabaseError:
        return True
    return False


def _event(n=1):
    return audit.record(actor=None, action="test.kept", object_type="x", object_id=n)


# --- SQLite ------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite permit")
def test_sqlite_a_permit_row_no_longer_opens_the_trail():
    event = _event()
    # The bypass of the probe: insert a permit row, then delete.
    assert _refused(["INSERT INTO core_audit_purge_permit (granted) VALUES (1)", f"DELETE FROM core_auditevent WHERE id = {event.pk}"])
    assert _refused(f"DELETE FROM core_auditevent WHERE id = {event.pk}")
    assert _refused("UPDATE core_auditevent SET action = 'x'")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_sqlite_another_program_cannot_delete(tmp_path):
    """A connection that is not Lindung's (the sqlite3 shell) lacks the permit function: refused.
    (The trigger of migration 0008 on a scratch file.)"""
    import importlib
    import sqlite3

    migration = importlib.import_module("lindung.core.migrations.0008_audit_purge_by_owner_only")
    trigger = next(sql for sql in migration.SQLITE_UP if "CREATE TRIGGER core_auditevent_no_delete" in sql)
    raw = sqlite3.connect(tmp_path / "scratch.sqlite3")
    raw.execute("CREATE TABLE core_auditevent (id INTEGER PRIMARY KEY)")
    raw.execute(trigger)
    raw.execute("INSERT INTO core_auditevent (id) VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="lindung_audit_purge_permitted"):
        raw.execute("DELETE FROM core_auditevent")
    raw.create_function("lindung_audit_purge_permitted", 0, lambda: 0)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM core_auditevent")
    raw.close()


# --- the purge command -------------------------------------------------------------------------


def test_purge_command_deletes_old_events_and_records_itself(users):
    kept = _event(2)
    before = timezone.localdate() + dt.timedelta(days=1)
    out = StringIO()
    call_command("audit", "purge", "--before", before.isoformat(), "--dry-run", stdout=out)
    assert "would be deleted" in out.getvalue()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    call_command("audit", "purge", "--before", before.isoformat(), "--as", users["admin"].username, stdout=out)
    assert not AuditEvent.objects.filter(pk=kept.pk).exists()
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.source == "cli" and purge.actor_username == users["admin"].username
    assert purge.changes["deleted"] >= 1 and purge.changes["before"] == before.isoformat()
    with pytest.raises(CommandError):
        call_command("audit", "purge", "--before", "yesterday")


def test_check_on_this_database_reports():
    findings = check_current_role()
    assert findings and all(f.what for f in findings)


# --- PostgreSQL: a non-superuser application role ----------------------------------------------


@pytest.fixture
def app_role():
    role = f"lindung_app_test_{os.getpid()}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE ROLE {role} NOLOGIN")
        for sql in grant_app_statements(role):
            cur.execute(sql)
    return role


@postgres_only
def test_postgres_the_application_role_cannot_purge_or_disable_triggers(app_role, sponsors):
    event = _event()
    pk = event.pk
    refusals = {
        "purge setting then delete": ["SET LOCAL lindung.audit_purge = 'on'", f"DELETE FROM core_auditevent WHERE id = {pk}"],
        "delete": f"DELETE FROM core_auditevent WHERE id = {pk}",
        "update": f"UPDATE core_auditevent SET action = 'x' WHERE id = {pk}",
        "truncate": "TRUNCATE core_auditevent",
        "disable triggers": "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        "drop trigger": "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
        "replace the trigger function": "CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
        "replica mode": "SET session_replication_role = replica",
        "delete a decision": "DELETE FROM core_decision",
        "create a table": "CREATE TABLE lindung_sneaky (id int)",
    }
    for what, sql in refusals.items():
        assert _refused(sql, role=app_role), what
    assert AuditEvent.objects.filter(pk=pk).exists()
    # What the application does still works.
    assert not _refused(
        [
            "INSERT INTO core_auditevent (at, actor_username, source, action, object_type, object_id, object_repr, changes, summary) "
            "VALUES (now(), '', 'system', 'test.app', '', '', '', '{}', '')",
            "SELECT count(*) FROM core_auditevent",
            f"UPDATE membership_sponsor SET name = name WHERE id = {sponsors['dumai'].pk}",
        ],
        role=app_role,
    )


@postgres_only
def test_postgres_even_a_mistaken_delete_grant_does_not_open_the_trail(app_role):
    """The permit counts only for the owner: a role granted DELETE by mistake is still refused."""
    event = _event()
    with connection.cursor() as cur:
        cur.execute(f"GRANT DELETE ON core_auditevent TO {app_role}")
    assert _refused(["SET LOCAL lindung.audit_purge = 'on'", f"DELETE FROM core_auditevent WHERE id = {event.pk}"], role=app_role)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@postgres_only
def test_postgres_check_and_purge_as_the_application_role(app_role):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL ROLE {app_role}")
        findings = check_current_role()
        assert all(f.ok for f in findings), [f.what for f in findings if not f.ok]
        with pytest.raises(Exception) as exc:
            audit.purge(before=timezone.localdate() + dt.timedelta(days=1))
        assert getattr(exc.value, "code", None) == "purge_refused"
        cur.execute("RESET ROLE")
    # The suite's own role is a superuser: the check says so.
    assert not all(f.ok for f in check_current_role())


@postgres_only
def test_postgres_grant_app_prints_the_statements(app_role):
    out = StringIO()
    call_command("database", "grant-app", "lindung_app", stdout=out)
    text = out.getvalue()
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "lindung_app"' in text
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in text and '"core_auditevent"' in text
