"""Database roles of a deployment (PostgreSQL): an owner that migrates, an application role that
serves.

The owner role owns every table; ``lindung migrate`` and ``lindung audit purge`` run as it. The
application role (the ``DATABASE_URL`` of ``lindung serve`` and the workers) reads and writes data
but owns nothing: it cannot alter tables, disable or drop triggers, change
``session_replication_role`` (a superuser's setting), and on the append-only tables (the audit
trail, decisions) it may only read and insert. See docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

# Tables whose rows are never changed or deleted by the application.
APPEND_ONLY_TABLES = ("core_auditevent", "core_decision")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def grant_app_statements(role: str, *, schema: str = "public") -> list[str]:
    """The SQL that gives ``role`` what the application needs and nothing more. Run it as the
    owner after every ``migrate`` (new tables), or once with the default privileges it sets."""
    r, s = _quote(role), _quote(schema)
    database = _quote(connection.settings_dict["NAME"])
    append_only = ", ".join(f"{s}.{_quote(t)}" for t in APPEND_ONLY_TABLES)
    return [
        f"REVOKE CREATE ON DATABASE {database} FROM {r}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {append_only} FROM {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        # tables and sequences that later migrations create (by the role running this)
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {r}",
    ]


@dataclass
class Finding:
    ok: bool
    what: str


def check_current_role() -> list[Finding]:
    """What the connected role could do to the audit trail; every finding ``ok`` for an
    application role set up by :func:`grant_app_statements`."""
    if connection.vendor != "postgresql":
        return [
            Finding(
                True,
                f"{connection.vendor}: no database roles; the audit trail's purge permit is held by the application process only "
                "(PostgreSQL with a separate owner role is the production set-up, docs/security.md)",
            )
        ]
    findings = []
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, superuser, createrole, _bypass = cur.fetchone()
        findings.append(Finding(not superuser, f"role {user} is {'a superuser' if superuser else 'not a superuser'}"))
        findings.append(Finding(not createrole, f"role {user} {'can' if createrole else 'cannot'} create roles"))
        cur.execute("SELECT has_parameter_privilege(current_user, 'session_replication_role', 'SET')")
        can_replica = bool(cur.fetchone()[0]) or superuser
        findings.append(Finding(not can_replica, f"role {user} {'can' if can_replica else 'cannot'} set session_replication_role"))
        for table in APPEND_ONLY_TABLES:
            cur.execute(
                "SELECT pg_has_role(current_user, c.relowner, 'MEMBER'), "
                "has_table_privilege(current_user, c.oid, 'UPDATE'), has_table_privilege(current_user, c.oid, 'DELETE'), "
                "has_table_privilege(current_user, c.oid, 'TRUNCATE') "
                "FROM pg_class c WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
                [table],
            )
            row = cur.fetchone()
            if row is None:
                findings.append(Finding(False, f"table {table} is missing (run 'lindung migrate' as the owner)"))
                continue
            owner, update, delete, truncate = row
            findings.append(Finding(not owner, f"{table}: role {user} {'owns' if owner else 'does not own'} it (can disable or drop its triggers)"))
            rights = [name for name, held in (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate)) if held]
            findings.append(Finding(not rights, f"{table}: {', '.join(rights) or 'no UPDATE, DELETE or TRUNCATE'}"))
    return findings
