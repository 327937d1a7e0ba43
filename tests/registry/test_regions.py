import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lindung.core.errors import FileRejected
from lindung.core.models import AuditEvent
from lindung.registry.models import Region
from lindung.registry.services import import_bundled_regions, import_regions

pytestmark = pytest.mark.django_db

# The national list stays outside the repository: beside the checkout (../shared/data/) or where
# LINDUNG_REGIONS_FILE points. With LINDUNG_REQUIRE_SHARED_DATA=1 (set by .ci/run) a missing file fails.
SHARED_REGIONS = Path(
    os.environ.get("LINDUNG_REGIONS_FILE") or Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wilayah-kepmendagri-2025.csv"
)


def csv_file(text: str) -> io.StringIO:
    return io.StringIO(text, newline="")


def test_bundled_dumai_regions():
    result = import_bundled_regions()
    assert result.rows == 45
    assert result.by_level == {1: 1, 2: 1, 3: 7, 4: 36}
    assert Region.objects.get(code="14.72").name == "Kota Dumai"
    assert Region.objects.get(code="14.72.01.1003").name == "Pangkalan Sesai"
    assert Region.objects.get(code="14.72.01.1003").parent.parent.parent.code == "14"
    assert Region.objects.filter(parent_id="14.72").count() == 7
    assert Region.objects.filter(level=4, code__startswith="14.72.").count() == 36


def test_import_is_idempotent_and_updates_changed_names():
    first = import_bundled_regions()
    assert first.created == 45
    second = import_bundled_regions()
    assert (second.created, second.updated, second.unchanged) == (0, 0, 45)
    renamed = import_regions(csv_file("kode,nama\n14,Riau\n14.72,Kota Dumai (baru)\n"))
    assert (renamed.created, renamed.updated, renamed.unchanged) == (0, 1, 1)
    assert Region.objects.get(code="14.72").name == "Kota Dumai (baru)"
    assert Region.objects.count() == 45


@pytest.mark.parametrize(
    "bad_line, code",
    [
        ("14.72.01.10X3,Pangkalan Sesai", "bad_code"),
        ("14.7,Kota", "bad_code"),
        ("14.72.08,", "missing_name"),
        ("14.72.08,Nama,extra", "wrong_column_count"),
        ("14.72,Kota Dumai Lagi", "duplicate_code"),
        ("14.99.01,Kecamatan Yatim", "unknown_parent"),
    ],
)
def test_malformed_row_rejects_the_whole_file_with_row_number(bad_line, code):
    text = "kode,nama\n14,Riau\n14.72,Kota Dumai\n14.72.01,Dumai Barat\n" + bad_line + "\n14.72.02,Dumai Timur\n"
    with pytest.raises(FileRejected) as info:
        import_regions(csv_file(text))
    errors = info.value.errors
    assert [(e.row, e.code) for e in errors] == [(5, code)]
    assert "baris 5" in info.value.message
    assert Region.objects.count() == 0
    assert not AuditEvent.objects.filter(action="regions.import").exists()


def test_bad_header_and_empty_file():
    with pytest.raises(FileRejected) as info:
        import_regions(csv_file("code;name\n14;Riau\n"))
    assert info.value.errors[0].code == "bad_header" and info.value.errors[0].row == 1
    with pytest.raises(FileRejected) as info:
        import_regions(csv_file(""))
    assert info.value.errors[0].code == "empty_file"
    with pytest.raises(FileRejected) as info:
        import_regions(csv_file("kode,nama\n"))
    assert info.value.errors[0].code == "no_rows"


def test_all_errors_are_reported_not_just_the_first():
    text = "kode,nama\n14,Riau\nxx,Bad\n14.72,\n14.72.01,Dumai Barat\n"
    with pytest.raises(FileRejected) as info:
        import_regions(csv_file(text))
    assert [(e.row, e.code) for e in info.value.errors] == [(3, "bad_code"), (4, "missing_name"), (5, "unknown_parent")]


def test_command_reports_rows_and_exits_nonzero(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,nama\n14,Riau\n14.72.0X,Salah\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("regions", "import", str(bad), stderr=err)
    assert "baris 3" in err.getvalue() and "bad_code" in err.getvalue()
    assert "1 masalah" in str(info.value)
    assert Region.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text("\ufeffkode,nama\n14,Riau\n14.72,Kota Dumai\n", encoding="utf-8")
    out = io.StringIO()
    call_command("regions", "import", str(good), "--json", stdout=out)
    assert '"created": 2' in out.getvalue()
    with pytest.raises(CommandError, match="No such file"):
        call_command("regions", "import", str(tmp_path / "missing.csv"))


@pytest.mark.skipif(
    not SHARED_REGIONS.exists() and os.environ.get("LINDUNG_REQUIRE_SHARED_DATA") != "1",
    reason="the shared Kepmendagri list is not beside this checkout (set LINDUNG_REGIONS_FILE)",
)
def test_full_kepmendagri_list_loads_fast_and_idempotently():
    assert SHARED_REGIONS.exists(), f"LINDUNG_REQUIRE_SHARED_DATA=1 but {SHARED_REGIONS.name} is not beside this checkout"
    started = time.perf_counter()
    result = import_regions(SHARED_REGIONS)
    elapsed = time.perf_counter() - started
    assert result.rows == 91599
    assert Region.objects.count() == 91599
    assert Region.objects.filter(level=1).count() == 38
    assert Region.objects.get(code="14.72.07.1005").name == "Bumi Ayu"
    if os.environ.get("DATABASE_URL", "").startswith("postgres") is False:
        assert elapsed < 10, f"import took {elapsed:.1f}s on SQLite"
    again = import_regions(SHARED_REGIONS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 91599)


def test_region_api_and_web(api_client, client, users):
    c = api_client(users["sponsor"])
    data = c.get("/api/v1/regions?parent=14.72").json()
    assert data["count"] == 7
    assert [r["code"] for r in data["items"]][:2] == ["14.72.01", "14.72.02"]
    assert c.get("/api/v1/regions/14.72.01.1003").json()["name"] == "Pangkalan Sesai"
    assert c.get("/api/v1/regions/99").status_code == 404
    client.force_login(users["officer"])
    body = client.get("/regions/?parent=14.72").content.decode()
    assert "Dumai Barat" in body and "Medang Kampai" in body
