"""Demo step: Dumai's sponsor agreements and a roster of its workers, enrolled through the roster
import service (the way a sponsor does it). Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from lindung.demo.base import DUMAI_SPONSOR
from lindung.membership import roster, services
from lindung.membership.models import RosterImport, SponsorAgreement

DEMO_ROWS = 300
AGREEMENTS = [
    # number, start, end, budget, quota, billing
    ("PKS-DUMAI-2023", dt.date(2023, 10, 1), dt.date(2024, 9, 30), 1_008_000_000, 5_000, SponsorAgreement.Billing.QUARTERLY),
    ("PKS-DUMAI-2024", dt.date(2024, 10, 1), dt.date(2025, 9, 30), 2_016_000_000, 10_000, SponsorAgreement.Billing.QUARTERLY),
]


def load(context: dict) -> dict:
    sponsor = context["sponsors"][DUMAI_SPONSOR]
    agreements = {}
    for number, start, end, budget, quota, billing in AGREEMENTS:
        agreements[number] = SponsorAgreement.objects.filter(sponsor=sponsor, number=number).first() or services.agreement_create(
            actor=None, sponsor=sponsor, number=number, start_date=start, end_date=end, budget=budget, quota=quota, billing_frequency=billing
        )
    first = agreements["PKS-DUMAI-2023"]
    path = Path(settings.DATA_DIR) / "roster" / "demo" / "roster-dumai-2023.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_demo_roster(path)
    sha = roster.file_sha256(path)
    done = RosterImport.objects.filter(agreement=first, file_sha256=sha, status=RosterImport.Status.DONE, dry_run=False).first()
    if done is None:
        summary = roster.import_roster(path, agreement=first, start=first.start_date, file_name=path.name).as_dict()
    else:
        summary = done.summary
    return {"agreements": list(agreements), "roster_import": summary.get("import_id"), "enrolled": summary.get("enrolled", 0)}


def _write_demo_roster(path: Path) -> None:
    """~300 realistic Dumai workers (a few with NIK warnings, a handful of bad rows to show the
    error file); deterministic, so the same file each run."""
    from lindung.membership.roster_gen import write_roster

    write_roster(path, DEMO_ROWS, seed=2023, bad_share=0.02)
