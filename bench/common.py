"""The set-up the PostgreSQL benchmarks share (``bench_billing``, ``bench_claims``,
``bench_payouts``, ``bench_status``): a throw-away database, Django on it, the reference data, a
sponsor with its agreement, workers written by set-based SQL, their paid history, the machine's load,
and the replacement of a section of ``docs/benchmarks.md``.

    from common import bench_database, base_setup, insert_workers

    with bench_database(args.database_url, keep=args.keep):
        ref = base_setup(participants=n, branch=True, roles=("officer",))
        with connection.cursor() as cur:
            insert_workers(cur, ref, n)
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

START = dt.date(2023, 4, 1)
PASSWORD = "bench-password-0123"
# the two programmes of a sponsored worker and their monthly price at a declared income of 1,000,000
PRICES = "(VALUES ('JKK', 10000), ('JKM', 6800)) v(program, amount)"


def admin_sql(url: str, *statements: str) -> None:
    """Statements run on the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg

    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = dt.date(m.year + (m.month // 12), m.month % 12 + 1, 1)
    return out


def load() -> str:
    """The machine's load average (1, 5, 15 min) and core count, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def database_name(url: str) -> str:
    name = urlparse(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or "bench" not in name:
        raise SystemExit("the benchmark database name must contain 'bench' (it is dropped)")
    return name


@contextmanager
def bench_database(url: str, *, keep: bool = False, reuse: bool = False, **env: str):
    """A fresh database (dropped afterwards unless ``keep``; ``reuse`` keeps one made before) and
    Django set up on it with production settings; ``env`` adds settings (``ALLOWED_HOSTS=…``)."""
    name = database_name(url)
    if not reuse:
        admin_sql(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="lindung.settings",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        **env,
    )
    import django

    django.setup()
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            admin_sql(url, f"DROP DATABASE IF EXISTS {name}")


@dataclass
class Reference:
    sponsor: object
    agreement: object | None
    branch: object | None
    users: dict = field(default_factory=dict)
    start: dt.date = START  # the agreement's first day, the workers' start


def base_setup(
    *,
    participants: int | None = None,
    branch: bool = False,
    roles: tuple[str, ...] = (),
    billing: str = "monthly",
    users: dict | None = None,
    start: dt.date = START,
) -> Reference:
    """Migrate, load the bundled regions, and make the sponsor ``BENCH`` (with the Dumai branch if
    asked), its agreement ``PKS-BENCH`` for ``participants`` workers (none if ``None``) and a user
    ``bench-<role>`` per role (or ``users``: username → role)."""
    from django.core.management import call_command

    from lindung.accounts import services as accounts
    from lindung.accounts.models import Branch
    from lindung.membership import services
    from lindung.registry.models import Region
    from lindung.registry.services import import_bundled_regions

    call_command("migrate", verbosity=0)
    import_bundled_regions()
    office = Branch.objects.create(code="DUMAI", name="Kantor Cabang Dumai", region=Region.objects.get(code="14.72")) if branch else None
    sponsor = services.sponsor_create(actor=None, code="BENCH", name="Bench sponsor", type="city", region_code="14.72", branch=office)
    agreement = None
    if participants is not None:
        agreement = services.agreement_create(
            actor=None,
            sponsor=sponsor,
            number="PKS-BENCH",
            start_date=start,
            end_date=dt.date(2024, 12, 31),
            budget=16_800 * 24 * participants,
            quota=participants,
            billing_frequency=billing,
        )
    named = dict(users or {}) | {f"bench-{role}": role for role in roles}
    made = {
        (role if username == f"bench-{role}" else username): accounts.user_create(
            actor=None, username=username, password=PASSWORD, roles=[role], branch=office, full_name=username
        )
        for username, role in named.items()
    }
    return Reference(sponsor=sponsor, agreement=agreement, branch=office, users=made, start=start)


def insert_workers(cur, ref: Reference, n: int, *, nik_prefix: str = "1472") -> None:
    """``n`` persons, their sponsored BPU memberships under ``ref.agreement`` (in ``ref.branch``)
    and sponsorship periods, each by one ``INSERT … SELECT``. NIKs are 16 digits, unique (the
    serial digits carry the number); KPJ numbers ``23`` + the participant's id."""
    digits = 16 - len(nik_prefix)
    cur.execute(
        f"""INSERT INTO registry_person (nik, full_name, birth_date, sex, address, phone, occupation, family_card_number, bank_name,
               bank_account_number, bank_account_holder, nik_warnings, created_at, updated_at)
           SELECT %s || LPAD(g::text, {digits}, '0'), 'Pekerja ' || g, DATE '1980-01-01', 'M', '', '', '', '', '', '', '', '[]', now(), now()
           FROM generate_series(1, %s) g""",
        [nik_prefix, n],
    )
    branch_id = ref.branch.pk if ref.branch is not None else None
    cur.execute(
        """INSERT INTO membership_participant (kpj_number, person_id, segment, programs, wage, risk_class, agreement_id, sponsor_id, branch_id,
               start_date, status, exit_reason, created_at, updated_at)
           SELECT '23' || LPAD(p.id::text, 9, '0'), p.id, 'BPU', '["JKK", "JKM"]'::jsonb, 1000000, '', %s, %s, %s, %s, 'active', '', now(), now()
           FROM registry_person p""",
        [ref.agreement.pk, ref.sponsor.pk, branch_id, ref.start],
    )
    cur.execute(
        "INSERT INTO membership_sponsorshipperiod (participant_id, agreement_id, sponsor_id, start_date, end_reason) "
        "SELECT id, %s, %s, %s, '' FROM membership_participant",
        [ref.agreement.pk, ref.sponsor.pk, ref.start],
    )


def history_invoice(ref: Reference, number: str, first: dt.date, last: dt.date, *, total: int = 0):
    """A paid sponsor invoice of ``ref.agreement`` for the months ``first``–``last``."""
    from lindung.contributions.models import Invoice

    return Invoice.objects.create(
        number=number,
        payer_type="sponsor",
        payer_key=f"sponsor:{ref.agreement.pk}",
        sponsor=ref.sponsor,
        agreement=ref.agreement,
        segment="BPU",
        period_start=first,
        period_end=last,
        issue_date=first,
        due_date=first.replace(day=15),
        total=total,
        paid_amount=total,
        status="paid",
    )


def insert_paid_lines(cur, invoice_id: int, periods: list[dt.date], *, up_to_participant: int | None = None) -> None:
    """Paid JKK and JKM lines of ``invoice_id`` for every participant (or those with an id up to
    ``up_to_participant``) and each month of ``periods``, in one ``INSERT … SELECT``."""
    values = ", ".join(f"(DATE '{p.isoformat()}')" for p in periods)
    where = "WHERE p.id <= %s" if up_to_participant is not None else ""
    cur.execute(
        f"""INSERT INTO contributions_invoiceline (invoice_id, participant_id, program, period, amount, paid_amount, kind)
           SELECT %s, p.id, v.program, m.period, v.amount, v.amount, 'regular'
           FROM membership_participant p CROSS JOIN {PRICES} CROSS JOIN (VALUES {values}) m(period) {where}""",
        [invoice_id] + ([up_to_participant] if up_to_participant is not None else []),
    )


def replace_section(section: str, text: str) -> None:
    """Put ``text`` in place of the section headed ``section`` of docs/benchmarks.md (or append it)."""
    path = ROOT / "docs" / "benchmarks.md"
    doc = path.read_text()
    pattern = re.compile(re.escape(section) + r".*?(?=\n## |\Z)", re.S)
    doc = pattern.sub(lambda _m: text.rstrip() + "\n", doc) if section in doc else doc.rstrip() + "\n\n" + text.rstrip() + "\n"
    path.write_text(doc)
