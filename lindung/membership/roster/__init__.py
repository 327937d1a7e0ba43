"""Roster import: a sponsor's list of workers (CSV or XLSX) enrolled into one agreement.

Three streamed passes, so memory stays flat in the number of rows (see docs/roster.md):

1. **read and check** each row on its own (NIK, required fields, dates, sex, region, age, duplicate
   NIK within the file); good rows go to a spool file, problems to an error spool;
2. **classify** the good rows in chunks of ``CHUNK`` NIKs against the database (``nik__in``, one
   query per table per chunk): already enrolled here, active elsewhere, deceased; then quota and
   budget in file order; rows to enrol go to a second spool;
3. **write** in one transaction: KPJ numbers reserved in one block, persons, participants,
   sponsorship periods and status changes inserted set-based (PostgreSQL ``COPY``, SQLite
   ``executemany``), one audit event for the import.

Passes 2 and 3 run in one transaction holding a lock on the agreement, so a crash leaves nothing
half-enrolled and a rerun completes the import; re-importing the same file is a no-op (every row
is ``already_enrolled``).

Modules: ``columns`` (header names, reason codes, templates), ``reading`` (file rows and cells),
``checking`` (pass 1), ``classifying`` (pass 2), ``writing`` (pass 3), ``importing`` (the entry
points), ``usage`` (an agreement's quota and budget), ``spool`` and ``context`` (what the passes
share), ``jobs`` (the ``roster_import`` job handler).
"""

from lindung.membership.roster import jobs  # noqa: F401 - registers the roster_import job handler
from lindung.membership.roster.columns import ERROR_COLUMNS, REASONS, SAMPLE_ROSTER, map_header, template_csv, template_xlsx
from lindung.membership.roster.importing import file_sha256, find_agreement, import_roster, remembered_mapping, start_import_from_upload
from lindung.membership.roster.usage import agreement_usage

__all__ = [
    "ERROR_COLUMNS",
    "REASONS",
    "SAMPLE_ROSTER",
    "agreement_usage",
    "file_sha256",
    "find_agreement",
    "import_roster",
    "map_header",
    "remembered_mapping",
    "start_import_from_upload",
    "template_csv",
    "template_xlsx",
]
