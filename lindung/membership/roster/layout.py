"""Where a roster's list is: the sheet, the header row(s) and the columns, and where the list ends.

Offices' lists have title rows ("DAFTAR PEKERJA RENTAN ... TAHUN 2024"), blank rows, a "NO"
column, merged two-level headers ("TEMPAT, TANGGAL LAHIR" over "TEMPAT" and "TANGGAL"), a row of
column numbers under the header, and a signature block, totals or notes under the list. The header
is found, not demanded:

- every row among the first ``SCAN_ROWS`` (merged cells repeated by the reader) is scored by the
  number of fields its cells name (``ALIASES``: the column names offices write, with their
  variants); a row combined with the row under it (two-level header) competes too; the best wins;
- the sheet is the one whose best header scores highest (or the one asked for);
- under the header, a row of column numbers ("1", "2", "(3)" ...) is skipped;
- a line under the data whose NIK cell is empty and that has at most two filled cells, or that
  begins like a signature, a total or a note ("Dumai, 15 Januari 2024", "Kepala Dinas ...",
  "NIP. ...", "JUMLAH", "Keterangan: ..."), is an *ignored line*, reported as such, never a
  rejected worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lindung.core import tabular

SCAN_ROWS = 30

# Field -> header names (normalised: lower case, every run of non-letters/digits one space).
ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no ktp", "nomor ktp", "no nik", "nomor nik", "nik ktp", "no induk kependudukan", "nomor induk kependudukan"),
    "name": ("nama", "name", "nama lengkap", "nama peserta", "nama pekerja", "nama tenaga kerja", "full name", "nama sesuai ktp"),
    "birth_date": ("tanggal lahir", "tgl lahir", "tgl lhr", "birth date", "tanggal lahir dd mm yyyy", "tgl lahir dd mm yyyy"),
    "birth_place": ("tempat lahir", "birth place"),
    "ttl": ("tempat tanggal lahir", "tempat tgl lahir", "tempat dan tanggal lahir", "ttl", "tempat tgl lhr"),
    "sex": ("jenis kelamin", "jk", "l p", "sex", "kelamin", "gender", "lk pr", "laki laki perempuan"),
    "region_code": ("kode wilayah", "region code", "kode desa", "kode kelurahan", "kode desa kelurahan", "kode kel desa"),
    "village": ("kelurahan", "desa", "kel", "kelurahan desa", "desa kelurahan", "kel desa", "desa kel", "village"),
    "district": ("kecamatan", "kec", "district"),
    "regency": ("kabupaten", "kota", "kabupaten kota", "kab kota", "kab", "regency"),
    "address": ("alamat", "address", "alamat lengkap", "alamat domisili", "alamat rumah"),
    "rt_rw": ("rt rw", "rt", "rw"),
    "occupation": ("pekerjaan", "occupation", "jenis pekerjaan", "profesi"),
    "phone": ("telepon", "phone", "no hp", "nomor hp", "hp", "no telp", "telp", "no telepon", "wa", "no wa", "whatsapp", "no hp wa", "hp wa"),
    "family_card_number": ("nomor kk", "family card number", "no kk", "nomor kartu keluarga", "no kartu keluarga"),
}
_BY_ALIAS = {alias: fld for fld, names in ALIASES.items() for alias in names}
# Under a "TEMPAT, TANGGAL LAHIR" cell, the two sub-columns.
_TTL_PARTS = {
    "tempat": "birth_place",
    "tempat lahir": "birth_place",
    "tanggal": "birth_date",
    "tgl": "birth_date",
    **dict.fromkeys(ALIASES["birth_date"], "birth_date"),
}
# Columns a roster needs: NIK, name, a birth date (or TTL), sex and a village (code or name).
NEEDED = (("nik",), ("name",), ("birth_date", "ttl"), ("sex",), ("region_code", "village"))

_FOOTER = re.compile(
    r"^(jumlah|total|sub ?total|keterangan|catatan|ket\b|mengetahui|menyetujui|disetujui|dibuat oleh|kepala|sekretaris|"
    r"camat|lurah|bupati|walikota|wali kota|plt\b|plh\b|a\.?n\.?\s|nip\b|nip\.|nrp\b|pembina|penata|ttd|tanda tangan|"
    r"[a-z .]+,\s*\d{1,2}\s+[a-z]+\s+\d{4}$|[a-z .]+,\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$)",
    re.IGNORECASE,
)
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def normalise(text) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", tabular.text(text).lower()).split())


def field_of(label) -> str | None:
    return _BY_ALIAS.get(normalise(label))


@dataclass
class Layout:
    header_row: int  # the (last) header row's number
    first_header_row: int
    labels: list[str]  # one label per column (the header as written; two levels joined)
    index: dict[str, int]  # field -> column
    score: int = 0
    missing: list[tuple[str, ...]] = field(default_factory=list)
    sheet: str = ""

    @property
    def width(self) -> int:
        return len(self.labels)


def _match(upper: list, lower: list | None) -> tuple[dict[str, int], list[str]]:
    index: dict[str, int] = {}
    labels: list[str] = []
    width = max(len(upper), len(lower or []))
    for col in range(width):
        up = tabular.text(upper[col]).strip() if col < len(upper) else ""
        low = tabular.text(lower[col]).strip() if lower is not None and col < len(lower) else ""
        fld = None
        label = up
        if low and normalise(low) != normalise(up):
            label = f"{up} / {low}" if up else low
            if field_of(up) == "ttl" and normalise(low) in _TTL_PARTS:
                fld = _TTL_PARTS[normalise(low)]
            else:
                fld = field_of(low) or field_of(up)
        else:
            fld = field_of(up)
        labels.append(label)
        if fld and fld not in index:
            index[fld] = col
    if "birth_date" in index:
        index.pop("ttl", None)  # a TTL cell split into two sub-columns: the date is its own
    return index, labels


def match_columns(header: list) -> tuple[dict[str, int], list[str]]:
    """Field -> column of a one-row header, and the header's labels."""
    return _match(header, None)


def _score(index: dict[str, int]) -> int:
    needed = sum(1 for group in NEEDED if any(f in index for f in group))
    return needed * 10 + len(index)


def find_layout(rows: list[tabular.Row]) -> Layout | None:
    """The best header among ``rows`` (the first rows of a sheet), or ``None`` if none names two
    fields."""
    best: Layout | None = None
    for i, row in enumerate(rows):
        if tabular.is_blank(row.cells):
            continue
        candidates = [(row, None)]
        if i + 1 < len(rows) and not tabular.is_blank(rows[i + 1].cells):
            candidates.append((row, rows[i + 1]))
        for top, bottom in candidates:
            index, labels = _match(top.cells, bottom.cells if bottom else None)
            score = _score(index)
            if len(index) < 2:
                continue
            if best is None or score > best.score:
                last = bottom.number if bottom else top.number
                missing = [g for g in NEEDED if not any(f in index for f in g)]
                best = Layout(last, top.number, labels, index, score, missing)
    return best


def is_column_numbers(cells: list) -> bool:
    """A row of column numbers under a header ("1", "2", "3" or "(1)", "(2)" ...)."""
    filled = [tabular.text(c).strip() for c in cells if tabular.text(c).strip()]
    return len(filled) >= 3 and all(_COLUMN_NUMBER.match(v) for v in filled)


def ignored_line(cells: list, layout: Layout) -> str | None:
    """The text of a line under the list that is not a worker (signature, total, note), else None."""
    nik_col = layout.index.get("nik")
    nik = tabular.text(cells[nik_col]).strip() if nik_col is not None and nik_col < len(cells) else ""
    filled = [tabular.text(c).strip() for c in cells if tabular.text(c).strip()]
    if not filled:
        return None
    text = " ".join(filled)[:120]
    if _FOOTER.match(filled[0]) and not (nik and nik.replace(" ", "").isdigit() and len(nik.replace(" ", "")) >= 10):
        return text
    if not nik and len(filled) <= 2:
        return text
    return None


def column_ref(ref, labels: list[str]) -> int | None:
    """A column named by the user: its header label (as written or normalised), its letter
    ("C") or its 1-based number ("3"); ``None`` when no column is meant."""
    if isinstance(ref, int):
        return ref - 1 if 1 <= ref <= len(labels) else None
    text = str(ref or "").strip()
    if not text:
        return None
    wanted = normalise(text)
    for i, label in enumerate(labels):
        if normalise(label) == wanted or normalise(label.rpartition(" / ")[2]) == wanted:
            return i
    if text.isdigit():
        n = int(text)
        return n - 1 if 1 <= n <= len(labels) else None
    if re.fullmatch(r"[A-Za-z]{1,3}", text):
        n = 0
        for ch in text.upper():
            n = n * 26 + ord(ch) - 64
        return n - 1 if n <= len(labels) else None
    return None


def apply_mapping(found: Layout, mapping: dict) -> list[str]:
    """Change ``found``'s columns as the user mapped them: ``{field: column}`` (a label, letter or
    number; empty to leave the field unmapped). Returns the problems (unknown field or column),
    empty when every entry applied."""
    problems = []
    for fld, ref in (mapping or {}).items():
        if fld not in ALIASES:
            problems.append(f"{fld}: ?")
            continue
        if ref in (None, ""):
            found.index.pop(fld, None)
            continue
        col = column_ref(ref, found.labels)
        if col is None:
            problems.append(f"{fld}: {ref!r}")
            continue
        for other, c in list(found.index.items()):
            if c == col and other != fld:
                del found.index[other]
        found.index[fld] = col
    if "birth_date" in found.index:
        found.index.pop("ttl", None)
    found.missing = [g for g in NEEDED if not any(f in found.index for f in g)]
    return problems


def split_ttl(value) -> tuple[str, object]:
    """A "TEMPAT, TANGGAL LAHIR" cell as (place, date part): ``"Dumai, 12-05-1980"`` ->
    ``("Dumai", "12-05-1980")``; a date cell stays a date."""
    if not isinstance(value, str):
        return "", value
    text = value.strip()
    if "," in text:
        place, _sep, rest = text.rpartition(",")
        return place.strip(), rest.strip()
    m = re.search(r"(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}|\d{4}-\d{1,2}-\d{1,2})$", text)
    if m:
        return text[: m.start()].strip(" /-"), m.group(1)
    return "", text


def choose(sheets: dict[str, list[tabular.Row]]) -> tuple[str, Layout | None]:
    """The sheet whose header scores best (first of equals)."""
    best_name, best = next(iter(sheets)), None
    for name, rows in sheets.items():
        layout = find_layout(rows)
        if layout is not None and (best is None or layout.score > best.score):
            best_name, best = name, layout
    return best_name, best


def rows_after(rows: Iterator[tabular.Row], layout: Layout) -> Iterator[tabular.Row]:
    """The rows under the header (a row of column numbers right under it skipped)."""
    first = True
    for row in rows:
        if row.number <= layout.header_row:
            continue
        if first:
            first = False
            if is_column_numbers(row.cells):
                continue
        yield row
