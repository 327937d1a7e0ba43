"""The catalogue of file kinds: what each kind of stored file may contain, how large an upload
of it may be, who may download it and whether a download is audited.

The catalogue lives in the kernel as data (permission names are strings), so the kernel imports
no context; a context names its kind when it stores or checks a file. Size limits can be changed
per deployment with the ``LINDUNG_UPLOAD_LIMITS`` setting (``{kind: bytes}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024

SPREADSHEETS = frozenset({"csv", "xlsx", "xls", "ods"})
DOCUMENTS = frozenset({"pdf", "jpeg", "png"})


@dataclass(frozen=True)
class SheetLimits:
    """What a real roster or statement can hold: more is refused before the file is read."""

    max_rows: int = 1_048_576  # Excel's own limit
    max_columns: int = 64
    max_cells: int = 40_000_000  # declared rows × columns of one sheet
    max_sheets: int = 32
    max_entries: int = 2_000  # members of the zip container (XLSX, ODS)
    max_uncompressed: int = 1024 * MB  # sum of the members' declared sizes
    max_ratio: int = 200  # uncompressed ÷ compressed size of one member above 1 MB


@dataclass(frozen=True)
class FileKind:
    name: str
    label: str
    types: frozenset[str]  # detected types accepted on upload (empty: generated files only)
    max_bytes: int
    # Downloading needs this permission, besides seeing the file's owner (its scope).
    permission: str
    personal_data: bool = True  # a download writes an audit event
    staff_only: bool = False  # never served to sponsor users, whatever the owner
    sheet: SheetLimits | None = field(default=None)

    @property
    def limit(self) -> int:
        """The upload size limit in bytes (the setting overrides the catalogue)."""
        return int((getattr(settings, "LINDUNG_UPLOAD_LIMITS", None) or {}).get(self.name, self.max_bytes))


KINDS: dict[str, FileKind] = {
    k.name: k
    for k in (
        FileKind("roster", _("roster"), SPREADSHEETS, 100 * MB, "membership.view_rosterimport", sheet=SheetLimits(max_columns=64)),
        FileKind("roster_errors", _("roster error file"), frozenset(), 0, "membership.view_rosterimport"),
        FileKind("membership_cards", _("membership cards"), frozenset(), 0, "membership.view_participant"),
        FileKind(
            "bank_statement",
            _("bank statement"),
            SPREADSHEETS,
            50 * MB,
            "contributions.view_contributionpayment",
            sheet=SheetLimits(max_columns=64),
        ),
        FileKind("wage_report", _("wage report"), SPREADSHEETS, 50 * MB, "membership.view_participant", sheet=SheetLimits(max_columns=64)),
        FileKind("death_file", _("death file"), SPREADSHEETS, 50 * MB, "claims.view_claim", staff_only=True, sheet=SheetLimits(max_columns=32)),
        FileKind("bank_answer", _("bank answer"), SPREADSHEETS | {"xml"}, 50 * MB, "payouts.view_paymentbatch", sheet=SheetLimits()),
        FileKind("claim_document", _("claim document"), DOCUMENTS, 10 * MB, "claims.view_claimdocument", staff_only=True),
        FileKind("decision_letter", _("decision letter"), frozenset({"pdf"}), 0, "claims.view_claim", staff_only=True),
        # Made for the bank from a payment batch (account numbers and names of the payees).
        FileKind("bank_file", _("bank transfer file"), frozenset(), 0, "payouts.export_paymentbatch", staff_only=True),
        FileKind("scholarship_proof", _("proof of enrolment"), DOCUMENTS, 10 * MB, "payouts.view_scholarshipyear", staff_only=True),
    )
}


def get_kind(name: str) -> FileKind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"Unknown file kind {name!r}; add it to lindung.core.files.kinds.KINDS") from None
