"""Pass 1 of an import: every row checked on its own (NIK, required fields, dates, sex, region,
age, duplicate NIK within the file); good rows to a spool, problems to the error spool."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from lindung.core.tabular import Row
from lindung.core.tabular_write import formula_like
from lindung.membership.models import SponsorAgreement
from lindung.membership.roster.columns import MAX_LEN, SEX
from lindung.membership.roster.context import ImportContext, reject
from lindung.membership.roster.layout import ignored_line, split_ttl
from lindung.membership.roster.reading import NumberCell, bad_date_note, number_cell_unsafe, parse_date
from lindung.membership.roster.regions import RegionNames
from lindung.membership.roster.spool import Spool
from lindung.registry.models import Region
from lindung.registry.nik import NikError, nik_warnings, parse_nik


def _age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check_rows(rows: Iterator[Row], ctx: ImportContext, good: Spool, progress: Callable | None) -> None:
    """Pass 1: check every row on its own; good rows to ``good`` as
    ``row_no, nik, name, birth, sex, region, address, occupation, phone, kk, warnings``."""
    idx = ctx.index
    width = len(ctx.header)
    i_nik, i_name, i_sex = idx["nik"], idx["name"], idx["sex"]
    i_birth, i_ttl, i_region = idx.get("birth_date"), idx.get("ttl"), idx.get("region_code")
    i_village, i_district, i_regency = idx.get("village"), idx.get("district"), idx.get("regency")
    i_addr, i_occ, i_phone, i_kk, i_rtrw = (
        idx.get("address"),
        idx.get("occupation"),
        idx.get("phone"),
        idx.get("family_card_number"),
        idx.get("rt_rw"),
    )
    names = RegionNames(ctx.agreement.eligible_region_id or ctx.agreement.sponsor.region_id) if i_village is not None else None
    birth_label = "tanggal_lahir" if i_birth is not None else "ttl"
    region_label = "kode_wilayah" if i_region is not None else "kelurahan"
    seen: set[int] = set()
    villages = ctx.villages
    min_age, max_age, on = ctx.agreement.min_age, ctx.agreement.max_age, ctx.cover_start
    summary = ctx.summary
    all_villages = _all_villages()
    region_root = ctx.agreement.eligible_region_id or ctx.agreement.sponsor.region_id
    layout = ctx.layout
    for row in rows:
        row_no, raw = row.number, row.cells
        if len(raw) < width:
            raw = raw + [""] * (width - len(raw))
        if not any(c.strip() for c in raw):
            continue  # blank lines are not rows
        if layout is not None and not raw[i_nik].strip() and (text := ignored_line(raw, layout)) is not None:
            summary.ignore(row_no, text)
            continue
        summary.rows += 1
        nul = [ctx.header[i] if i < len(ctx.header) else str(i + 1) for i, cell in enumerate(raw) if "\x00" in cell]
        if nul:  # a NUL character cannot be stored (PostgreSQL): the row is refused, the import goes on
            summary.rejected += 1
            reject(ctx, ctx.errors, row_no, "nul_character", [cell.replace("\x00", "") for cell in raw], ", ".join(nul))
            continue
        problems: list[tuple[str, str]] = []
        nik = raw[i_nik].strip().lstrip("'").replace(" ", "")
        name = " ".join(raw[i_name].split())
        birth_text = raw[i_birth] if i_birth is not None else split_ttl(raw[i_ttl])[1]
        sex_text = "".join(raw[i_sex].split()).upper()
        region = raw[i_region].strip() if i_region is not None else ""
        region_note = ""
        if not region and names is not None:
            village = raw[i_village].strip()
            if village:
                code, why, note = names.resolve(
                    village, raw[i_district] if i_district is not None else "", raw[i_regency] if i_regency is not None else ""
                )
                if code:
                    region = code
                else:
                    region_note = (why, f"kelurahan: {village!r}" + (f"; mungkin: {note}" if note else ""))
        address = " ".join(raw[i_addr].split()) if i_addr is not None else ""
        if i_rtrw is not None and raw[i_rtrw].strip():
            address = f"{address} RT/RW {raw[i_rtrw].strip()}".strip()
        occupation = raw[i_occ].strip() if i_occ is not None else ""
        phone = raw[i_phone].strip().replace(" ", "").replace("-", "") if i_phone is not None else ""
        if phone[:1] == "8" and isinstance(raw[i_phone], NumberCell):
            phone = "0" + phone  # a number cell drops the leading 0 of 08xx
        kk = raw[i_kk].strip().lstrip("'") if i_kk is not None else ""
        info = None
        if not nik:
            problems.append(("missing_field", "nik"))
        elif number_cell_unsafe(raw[i_nik]):
            problems.append(("nik_numeric", "nik"))
        else:
            try:
                info = parse_nik(nik)
            except NikError as exc:
                problems.append((exc.code, _nik_note(nik, exc)))
        if region_note:
            problems.append(region_note)
        for value, fld in ((name, "nama"), (birth_text.strip(), birth_label), (sex_text, "jenis_kelamin"), (region or region_note, region_label)):
            if not value:
                problems.append(("missing_field", fld))
        birth = None
        if birth_text.strip():
            birth = parse_date(birth_text)
            if birth is None:
                problems.append(("bad_date", f"{birth_label}: {bad_date_note(birth_text)}"))
        sex = None
        if sex_text:
            sex = SEX.get(sex_text)
            if sex is None:
                problems.append(("bad_sex", "jenis_kelamin"))
        if formula_like(raw[i_name]):
            problems.append(("formula_like", "nama"))
        if len(name) > MAX_LEN["name"]:
            problems.append(("too_long", "nama"))
        if len(address) > MAX_LEN["address"]:
            problems.append(("too_long", "alamat"))
        if len(occupation) > MAX_LEN["occupation"]:
            problems.append(("too_long", "pekerjaan"))
        if kk and i_kk is not None and number_cell_unsafe(raw[i_kk]):
            problems.append(("bad_family_card", "nomor_kk: tersimpan sebagai angka di Excel, format kolom sebagai teks"))
        elif kk and not (len(kk) == 16 and kk.isdigit()):
            problems.append(("bad_family_card", "nomor_kk"))
        if phone and (len(phone) > 20 or not phone.lstrip("+").isdigit()):
            problems.append(("bad_phone", "telepon"))
        if region and region not in villages:
            if region in all_villages:
                problems.append(("region_outside", f"kode_wilayah: {region} di luar {region_root}"))
            else:
                problems.append(("region_unknown", f"kode_wilayah: {region!r}"[:80]))
        if birth is not None:
            age = _age_on(birth, on)
            if not (min_age <= age <= max_age):
                problems.append(("age_out_of_range", f"tanggal_lahir: usia {age} tahun pada {on:%d-%m-%Y}, batas {min_age}-{max_age}"))
        if info is not None:
            key = int(nik)
            if key in seen:
                problems.append(("duplicate_in_file", "nik"))
            elif not problems:
                seen.add(key)
        if problems:
            summary.rejected += 1
            for code, fld in problems:
                reject(ctx, ctx.errors, row_no, code, raw, fld)
        else:
            warnings = nik_warnings(info, birth, sex)
            good.write([row_no, nik, name, birth.isoformat(), sex, region, address, occupation, phone, kk, ",".join(warnings)])
        if progress and summary.rows % 5000 == 0:
            progress(summary.rows, None, "checking rows")


def _nik_note(nik: str, exc: NikError) -> str:
    """The NIK column plus what is wrong with it (Indonesian, for the error file). The note is also
    listed beside the masked NIK (result page, API), so it repeats no digit the mask hides."""
    if exc.code == "nik_format":
        if "E+" in nik.upper():
            return "nik: notasi ilmiah Excel; format kolom NIK sebagai teks"
        if len(nik) == 16 and nik.isdigit():
            return "nik: 4 digit terakhir tidak boleh 0000"
        return f"nik: {len(nik)} karakter" if nik.isdigit() else "nik: bukan angka"
    if exc.code == "nik_province":
        return f"nik: {nik[:2]} bukan kode provinsi"
    return "nik"  # nik_date: digits 7-12 are the birth date, which the mask hides


def _all_villages() -> frozenset[str]:
    return frozenset(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))


def eligible_villages(agreement: SponsorAgreement) -> frozenset[str]:
    root = agreement.eligible_region_id or agreement.sponsor.region_id
    qs = Region.objects.filter(level=Region.Level.VILLAGE)
    return frozenset(c for c in qs.filter(code__startswith=root).values_list("code", flat=True) if c == root or c.startswith(root + "."))
