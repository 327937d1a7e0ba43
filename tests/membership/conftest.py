"""Fixtures for the membership tests: Dumai's 2023 agreement and a roster file writer."""

from __future__ import annotations

import csv
import datetime as dt

import pytest


@pytest.fixture
def agreement(sponsors):
    from lindung.membership import services

    return services.agreement_create(
        actor=None,
        sponsor=sponsors["dumai"],
        number="PKS-DUMAI-2023",
        start_date=dt.date(2023, 10, 1),
        end_date=dt.date(2024, 9, 30),
        budget=1_008_000_000,
        quota=5000,
        billing_frequency="quarterly",
    )


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def roster_file(tmp_path, data_dir):
    """``roster_file(rows, header=None, name="roster.csv")`` writes a CSV and returns its path."""
    from bench.roster_gen import HEADER

    counter = {"n": 0}

    def write(rows, header=None, name=None, delimiter=","):
        counter["n"] += 1
        path = tmp_path / (name or f"roster{counter['n']}.csv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=delimiter)
            w.writerow(header or HEADER)
            w.writerows(rows)
        return path

    return write


def person_row(district="14.72.01", birth=dt.date(1990, 3, 10), sex="F", serial=1, village="14.72.01.1003", name="Siti Aminah", **over):
    """One good roster row in the generator's column order."""
    from lindung.registry.nik import make_nik

    row = {
        "nik": make_nik(district, birth, sex, serial),
        "nama": name,
        "tanggal_lahir": birth.isoformat(),
        "jenis_kelamin": "P" if sex == "F" else "L",
        "kode_wilayah": village,
        "alamat": "Jl. Sudirman 1",
        "pekerjaan": "Nelayan",
        "telepon": "081234567890",
        "nomor_kk": "",
    }
    row.update(over)
    return list(row.values())
