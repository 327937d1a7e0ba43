"""The audit trail's purge permit can no longer be taken by any SQL the application runs.

PostgreSQL: the permit (``lindung.audit_purge = on``) now counts only for the tables' owner (or a
superuser); the application's own role, which is not the owner (``lindung database grant-app``),
is refused even with the setting on and even if it was granted DELETE by mistake.

SQLite: the permit was a row any connection could insert (``core_audit_purge_permit``). It is now a
function the application registers on its own connections (``lindung_audit_purge_permitted()``,
see ``lindung.core.audit``), which only ``purge_permitted()`` turns on; SQL cannot, and another
program opening the file is refused for want of the function.
"""

from django.db import migrations

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS core_decision_no_delete;",
    "DROP TABLE IF EXISTS core_audit_purge_permit;",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       WHEN NOT lindung_audit_purge_permitted()
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER core_decision_no_delete BEFORE DELETE ON core_decision
       WHEN NOT lindung_audit_purge_permitted()
       BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS core_decision_no_delete;",
    "CREATE TABLE core_audit_purge_permit (granted INTEGER NOT NULL);",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM core_audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER core_decision_no_delete BEFORE DELETE ON core_decision
       WHEN NOT EXISTS (SELECT 1 FROM core_audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;""",
]

PG_FUNCTION = """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
   BEGIN
     IF TG_OP IN ('DELETE', 'TRUNCATE')
        AND coalesce(current_setting('lindung.audit_purge', true), '') = 'on'
        AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
       IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
       RETURN NULL;
     END IF;
     RAISE EXCEPTION 'audit events are append-only';
   END; $$ LANGUAGE plpgsql;"""
PG_FUNCTION_BEFORE = """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
   BEGIN
     IF TG_OP IN ('DELETE', 'TRUNCATE') AND coalesce(current_setting('lindung.audit_purge', true), '') = 'on' THEN
       IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
       RETURN NULL;
     END IF;
     RAISE EXCEPTION 'audit events are append-only';
   END; $$ LANGUAGE plpgsql;"""


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0007_job_heartbeat_retry")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": [PG_FUNCTION]}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": [PG_FUNCTION_BEFORE]}),
        )
    ]
