"""The column mapping is remembered per sponsor on every way in: a mapping given on the CLI
(``--map``) or the API (``mapping``) is remembered, and an import given none — CLI, API or web —
is read with the sponsor's remembered mapping where the file has its columns."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from lindung.core.errors import FileRejected
from lindung.membership import roster
from lindung.membership.models import Participant, RosterImport
from tests.membership.conftest import person_row

pytestmark = pytest.mark.django_db
START = dt.date(2023, 10, 1)
HEADER = ["NIK", "NAMA", "LAHIR", "JK", "WILAYAH", "KETERANGAN"]  # LAHIR and WILAYAH are not found alone


def _rows(serial):
    good = person_row(serial=serial)
    return [[good[0], good[1], good[2], good[3], good[4], "Nelayan"]]


def _cli(path, *extra):
    out = StringIO()
    call_command("roster", "import", str(path), "--sponsor", "PEMKO-DUMAI", "--start", "2023-10-01", "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def _api(client, path, **fields):
    with open(path, "rb") as fh:
        return client.post("/api/v1/roster-imports", {"file": fh, "sponsor": "PEMKO-DUMAI", "start": "2023-10-01", **fields})


def test_cli_remembers_a_given_mapping_and_uses_it_when_none_is_given(agreement, data_dir, roster_file):
    first = roster_file(_rows(1), header=HEADER)
    with pytest.raises(FileRejected):  # nothing remembered yet: the columns are missing
        roster.import_roster(first, agreement=agreement, start=START)
    assert _cli(first, "--map", "birth_date=LAHIR", "--map", "region_code=E")["enrolled"] == 1
    assert roster.remembered_mapping(agreement.sponsor_id) == {
        "nik": "NIK",
        "name": "NAMA",
        "birth_date": "LAHIR",
        "sex": "JK",
        "region_code": "WILAYAH",
    }  # the columns by their header labels, not the letters given
    second = roster_file(_rows(2), header=HEADER)
    assert _cli(second)["enrolled"] == 1  # no --map: read with the remembered mapping
    assert Participant.objects.count() == 2
    # a given mapping wins over the remembered one and is remembered in its place
    third = roster_file(_rows(3), header=HEADER)
    assert _cli(third, "--map", "birth_date=LAHIR", "--map", "region_code=WILAYAH", "--map", "occupation=KETERANGAN")["enrolled"] == 1
    assert roster.remembered_mapping(agreement.sponsor_id)["occupation"] == "KETERANGAN"
    assert Participant.objects.filter(person__occupation="Nelayan").count() == 1


def test_api_remembers_a_given_mapping_and_uses_the_remembered_one(agreement, data_dir, roster_file, users, api_client):
    client = api_client(users["sponsor"])
    first = roster_file(_rows(1), header=HEADER)
    refused = _api(client, first)
    assert refused.status_code == 422, refused.content  # nothing remembered yet
    given = _api(client, first, mapping=json.dumps({"birth_date": "LAHIR", "region_code": "WILAYAH"}))
    assert given.status_code == 201 and given.json()["summary"]["enrolled"] == 1, given.content
    second = roster_file(_rows(2), header=HEADER)
    remembered = _api(client, second)
    assert remembered.status_code == 201 and remembered.json()["summary"]["enrolled"] == 1, remembered.content
    job = RosterImport.objects.latest("pk").job
    assert job.params["mapping"] is None and job.params["remembered"]["birth_date"] == "LAHIR"
    # one memory per sponsor whatever the way in: the CLI reads what the API remembered
    assert _cli(roster_file(_rows(3), header=HEADER))["enrolled"] == 1


def test_a_remembered_mapping_never_refuses_a_file_without_its_columns(agreement, data_dir, roster_file, users, api_client):
    assert _cli(roster_file(_rows(1), header=HEADER), "--map", "birth_date=LAHIR", "--map", "region_code=WILAYAH")["enrolled"] == 1
    standard = roster_file([person_row(serial=5)])  # nik, nama, tanggal_lahir, … : no LAHIR, no WILAYAH
    assert _cli(standard)["enrolled"] == 1
    other = roster_file([person_row(serial=6)])
    assert _api(api_client(users["sponsor"]), other).status_code == 201


def test_web_upload_uses_the_mapping_remembered_from_the_cli(agreement, data_dir, roster_file, users, client):
    _cli(roster_file(_rows(1), header=HEADER), "--map", "birth_date=LAHIR", "--map", "region_code=WILAYAH")
    client.force_login(users["sponsor"])
    with open(roster_file(_rows(2), header=HEADER), "rb") as fh:
        r = client.post("/sponsors/PEMKO-DUMAI/roster/", {"agreement": "PKS-DUMAI-2023", "file": fh, "start": "2023-10-01"})
    latest = RosterImport.objects.latest("pk")
    assert r["Location"] == f"/roster/imports/{latest.pk}/"  # no mapping step: the columns are known
    assert latest.status == "done" and latest.summary["enrolled"] == 1
