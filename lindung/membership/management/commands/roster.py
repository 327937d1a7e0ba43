import datetime as dt
import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from lindung.core.errors import NotFound, ServiceError
from lindung.core.management.base import LindungCommand
from lindung.membership import roster
from lindung.membership.models import Sponsor


class _Refused(CommandError):
    """A refusal of the command itself (unknown sponsor, user or file), carrying the error shape."""

    def __init__(self, error: ServiceError):
        super().__init__(error.message)
        self.error = error


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        fld, sep, column = pair.partition("=")
        if not sep:
            raise _Refused(ServiceError("bad_mapping", f"--map {pair!r}: expected FIELD=COLUMN.", {"map": "FIELD=COLUMN"}))
        mapping[fld.strip()] = column.strip()
    return mapping


class Command(LindungCommand):
    help = "Sponsor rosters: 'roster import PATH --sponsor CODE' enrols the workers of a CSV/XLSX file into an agreement."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Check and enrol a roster (.xlsx, .xls, .ods, .csv, .tsv).")
        imp.add_argument("path")
        imp.add_argument("--sponsor", required=True, help="Sponsor code")
        imp.add_argument("--agreement", help="Agreement (PKS) number; default: the one in force today, else the latest")
        imp.add_argument("--start", type=dt.date.fromisoformat, help="Cover start (default: agreement start, or the 1st of next month)")
        imp.add_argument("--dry-run", action="store_true", help="Check only; enrol nothing")
        imp.add_argument("--all-or-nothing", action="store_true", help="Enrol nothing when any row fails")
        imp.add_argument("--json", action="store_true", help="Print the summary as JSON")
        imp.add_argument("--sheet", help="The workbook's sheet holding the list (default: the one whose header names the most fields)")
        imp.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Correct a column: FIELD (nik, name, birth_date, ttl, sex, region_code, village, district, regency, address, rt_rw, "
            "occupation, phone, family_card_number) = the column's header, letter or number; FIELD= leaves it unmapped. Repeatable.",
        )

    def handle(self, *args, **o):
        if not o["json"]:
            return self._import(o)
        # --json: a file refused as a whole prints the API's error shape on stdout (and exits 1),
        # so scripts read one JSON object whatever happened.
        try:
            return self._import(o)
        except ServiceError as exc:
            self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            raise CommandError(exc.message) from None
        except _Refused as exc:
            self.stdout.write(json.dumps(exc.error.as_dict(), ensure_ascii=False))
            raise CommandError(exc.error.message) from None

    def _import(self, o):
        try:
            actor = self.actor(o)
        except CommandError as exc:
            raise _Refused(ServiceError("not_found", str(exc), {"as": "no such user"})) from None
        sponsor = Sponsor.objects.filter(code=o["sponsor"]).first()
        if sponsor is None:
            raise _Refused(NotFound(_("No sponsor %(code)s.") % {"code": repr(o["sponsor"])}, {"sponsor": "not found"}))
        agreement = roster.find_agreement(sponsor, o["agreement"])
        given = _mapping(o.get("map") or [])
        try:
            summary = roster.import_roster(
                o["path"],
                agreement=agreement,
                actor=actor,
                dry_run=o["dry_run"],
                all_or_nothing=o["all_or_nothing"],
                start=o["start"],
                sheet=o.get("sheet"),
                # no --map: the sponsor's remembered mapping, where this file has its columns
                mapping=given or None,
                remembered=None if given else roster.remembered_mapping(sponsor.pk),
            )
        except (FileNotFoundError, IsADirectoryError):
            raise _Refused(NotFound(_("No such file: %(path)s") % {"path": o["path"]}, {"path": "no such file"})) from None
        d = summary.as_dict()
        if o["json"]:
            keys = ("rows", "enrolled", "already_enrolled", "rejected", "warnings", "held", "by_reason", "error_file")
            out = {k: d[k] for k in keys}
            out.update(dry_run=d["dry_run"], import_id=d["import_id"], cover_start=d["cover_start"])
            self.stdout.write(json.dumps(out))
            return
        verb = "would be enrolled (dry run)" if summary.dry_run else "enrolled"
        self.stdout.write(
            f"{summary.rows} rows: {summary.enrolled} {verb}, {summary.already_enrolled} already enrolled, "
            f"{summary.rejected} rejected, {summary.warnings} with warnings; cover from {summary.cover_start}."
        )
        for code, n in d["by_reason"].items():
            self.stdout.write(f"  {code}: {n}")
        if summary.held and not summary.dry_run:
            self.stdout.write(f"{summary.held} row(s) held for the branch office's verification: 'lindung verification list'.")
        if summary.all_or_nothing and summary.rejected:
            self.stdout.write(self.style.WARNING("--all-or-nothing: nothing was enrolled because some rows failed."))
        self.stdout.write(f"Error file: {summary.error_file}")
