"""The rejected rows of a roster import on the result page and in the API (streamed from the error
file, NIKs masked, filtered by reason, scoped per sponsor)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.masking import mask_nik
from lindung.membership import roster, selectors
from tests.membership.conftest import person_row

pytestmark = pytest.mark.django_db
START = dt.date(2023, 10, 1)
BAD_SEX, UNKNOWN_REGION = 230, 5


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def big_import(agreement, data_dir, roster_file):
    """An import with 2 good rows, 230 rows of sex ``X`` and 5 of an unknown village: 235 error lines."""
    rows = [person_row(serial=1, name="Baik Satu"), person_row(serial=2, name="Baik Dua")]
    rows += [person_row(serial=100 + i, name=f"Pekerja {i}", jenis_kelamin="X") for i in range(BAD_SEX)]
    rows += [person_row(serial=500 + i, name=f"Desa {i}", kode_wilayah="14.72.01.9999") for i in range(UNKNOWN_REGION)]
    summary = roster.import_roster(roster_file(rows), agreement=agreement, start=START)
    assert summary.by_reason == {"bad_sex": BAD_SEX, "region_unknown": UNKNOWN_REGION}
    return summary, rows


def test_result_page_lists_the_first_200_problems_with_masked_niks(users, big_import):
    summary, rows = big_import
    url = reverse("membership:roster_import_detail", kwargs={"pk": summary.import_id})
    page = login(users["sponsor"]).get(url).content.decode()
    assert page.count("<tr data-row=") == 200
    assert "Menampilkan 200 dari 235 — unduh berkas kesalahan untuk semuanya." in page  # Indonesian by default
    first_bad = rows[2]  # file row 4 (the header is row 1)
    assert '<tr data-row="4" data-code="bad_sex">' in page
    assert mask_nik(first_bad[0]) in page and first_bad[0] not in page
    assert "Pekerja 0" in page and "Jenis kelamin harus L/P" in page
    # The reason table links to the filter.
    assert f"{url}?reason=bad_sex#rejected" in page and f"{url}?reason=region_unknown#rejected" in page


def test_lists_mask_niks_for_staff_too(users, big_import):
    summary, rows = big_import
    page = login(users["officer"]).get(reverse("membership:roster_import_detail", kwargs={"pk": summary.import_id})).content.decode()
    assert mask_nik(rows[2][0]) in page and rows[2][0] not in page


def test_result_page_filters_by_reason(users, big_import):
    summary, _rows = big_import
    url = reverse("membership:roster_import_detail", kwargs={"pk": summary.import_id})
    client = login(users["sponsor"])
    page = client.get(url, {"reason": "region_unknown"}).content.decode()
    assert page.count("<tr data-row=") == UNKNOWN_REGION == page.count('data-code="region_unknown"')
    assert "Menampilkan" not in page and 'id="rejected-all"' in page and "Desa 0" in page and "Pekerja 0" not in page
    # An unknown code shows every line; a code without lines says so.
    assert client.get(url, {"reason": "nonsense"}).content.decode().count("<tr data-row=") == 200
    page = client.get(url, {"reason": "deceased"}).content.decode()
    assert page.count("<tr data-row=") == 0 and "Tidak ada baris dengan alasan ini." in page


def test_result_page_in_english(users, big_import):
    summary, _ = big_import
    client = login(users["sponsor"])
    url = reverse("membership:roster_import_detail", kwargs={"pk": summary.import_id})
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    page = client.get(url).content.decode()
    assert "Problems by row" in page and "Showing 200 of 235 — download the error file for all." in page


def test_few_problems_show_no_more_note(users, agreement, data_dir, roster_file):
    rows = [person_row(serial=1), person_row(serial=2, nik="123")]
    summary = roster.import_roster(roster_file(rows), agreement=agreement, start=START)
    page = login(users["sponsor"]).get(reverse("membership:roster_import_detail", kwargs={"pk": summary.import_id})).content.decode()
    assert page.count("<tr data-row=") == 1 and 'data-code="nik_format"' in page and "Menampilkan" not in page
    assert "<code>***</code>" in page  # a short NIK is masked whole


def test_explanations_do_not_repeat_the_nik_digits_the_mask_hides(users, agreement, data_dir, roster_file):
    bad_date = "1472013602900007"  # digits 7-12 (360290) are no date: day 36
    summary = roster.import_roster(roster_file([person_row(serial=1), person_row(serial=2, nik=bad_date)]), agreement=agreement, start=START)
    page = login(users["sponsor"]).get(reverse("membership:roster_import_detail", kwargs={"pk": summary.import_id})).content.decode()
    assert 'data-code="nik_date"' in page and mask_nik(bad_date) in page
    assert bad_date[6:12] not in page
    assert [r.message for r in selectors.roster_import_rejected(user=users["sponsor"], pk=summary.import_id)] == [
        "Digit 7-12 NIK bukan tanggal lahir yang sah. (kolom nik)"
    ]


def test_selector_streams_pages_and_counts_from_the_summary(users, big_import):
    summary, _rows = big_import
    lines = selectors.roster_import_rejected(user=users["sponsor"], pk=summary.import_id)
    assert lines.count() == 235
    page = lines[227:232]  # rows 4-233 are bad_sex, 234-238 region_unknown
    assert [r.row for r in page] == [231, 232, 233, 234, 235] and [r.code for r in page] == ["bad_sex"] * 3 + ["region_unknown"] * 2
    only = selectors.roster_import_rejected(user=users["sponsor"], pk=summary.import_id, reason="region_unknown")
    assert only.count() == 5 and [r.name for r in only[:2]] == ["Desa 0", "Desa 1"]
    with pytest.raises(selectors.NotFound):
        selectors.roster_import_rejected(user=users["sponsor_riau"], pk=summary.import_id)


def test_api_rejected_rows_paginated_filtered_and_scoped(users, api_client, big_import):
    summary, rows = big_import
    url = f"/api/v1/roster-imports/{summary.import_id}/rejected"
    client = api_client(users["sponsor"])
    body = client.get(url).json()
    assert body["count"] == 235 and body["pages"] == 5 and len(body["items"]) == 50
    first = body["items"][0]
    assert first == {"row": 4, "nik": mask_nik(rows[2][0]), "name": "Pekerja 0", "code": "bad_sex", "message": first["message"]}
    assert first["message"].startswith("Jenis kelamin harus L/P")
    last = client.get(url, {"page": 5}).json()
    assert len(last["items"]) == 35 and last["items"][-1]["row"] == 238
    only = client.get(url, {"reason": "region_unknown", "page_size": 2}).json()
    assert only["count"] == 5 and only["pages"] == 3 and {i["code"] for i in only["items"]} == {"region_unknown"}
    bad = client.get(url, {"reason": "nonsense"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_reason" and "reason" in bad.json()["error"]["fields"]
    other = api_client(users["sponsor_riau"]).get(url)
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert api_client(users["sponsor_riau"]).get(f"/api/v1/roster-imports/{summary.import_id}/errors").status_code == 404
