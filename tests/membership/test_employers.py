import datetime as dt
import io

import pytest

from lindung.core.errors import FileRejected, ServiceError
from lindung.core.models import AuditEvent
from lindung.membership import registration
from lindung.membership.models import Participant, WageReport
from lindung.registry.nik import make_nik

pytestmark = pytest.mark.django_db
START = dt.date(2024, 1, 1)


def worker(serial, wage=4_000_000, **over):
    birth = dt.date(1980 + serial % 20, 1 + serial % 12, 1 + serial % 28)
    return {
        "nik": make_nik("14.72.01", birth, "M", serial),
        "full_name": f"Pekerja {serial}",
        "birth_date": birth,
        "sex": "M",
        "wage": wage,
        "start_date": START,
        **over,
    }


@pytest.fixture
def employer(regions, users):
    return registration.employer_create(
        actor=users["officer"], npp="DMI21001", name="PT Pelabuhan Dumai", risk_class="medium", region="14.72.06.1001"
    )


@pytest.fixture
def workers(employer):
    return registration.register_pu_workers(employer, [worker(i) for i in range(1, 4)], actor=None)


def test_employer_validation(regions):
    with pytest.raises(ServiceError) as err:
        registration.employer_create(actor=None, npp="x", name="", risk_class="extreme")
    assert set(err.value.fields) == {"npp", "name", "risk_class"}
    registration.employer_create(actor=None, npp="abc12345", name="PT A", risk_class="low")
    with pytest.raises(ServiceError) as err:
        registration.employer_create(actor=None, npp="ABC12345", name="PT B", risk_class="low")
    assert err.value.code == "duplicate_npp"


def test_pu_workers_get_kpj_risk_class_and_premium(employer, workers):
    assert [w.segment for w in workers] == ["PU"] * 3
    assert len({w.kpj_number for w in workers}) == 3
    w = Participant.objects.get(pk=workers[0].pk)
    assert (w.risk_class, w.employer, w.programs, w.status) == ("medium", employer, ["JKK", "JKM"], "active")
    premium = registration.participant_premium(w, START)
    assert premium.total == 35_600 + 12_000  # 0.89% and 0.30% of 4,000,000
    assert w.status_changes.count() == 1


def test_pu_workers_all_or_nothing(employer):
    with pytest.raises(ServiceError) as err:
        registration.register_pu_workers(employer, [worker(1), worker(2, wage=0), worker(3, nik="123")], actor=None)
    assert "workers.2.wage" in err.value.fields
    assert not Participant.objects.exists()
    with pytest.raises(ServiceError) as err:
        registration.register_pu_workers(employer, [worker(1), worker(3, nik="123")], actor=None)
    assert "workers.2.nik" in err.value.fields
    assert not Participant.objects.exists()


def test_worker_cannot_be_registered_twice_with_the_same_employer(employer, workers):
    with pytest.raises(ServiceError) as err:
        registration.register_pu_workers(employer, [worker(1)], actor=None)
    assert "workers.1.nik" in err.value.fields


def test_wage_report_upsert_and_current_wage(employer, workers):
    rows = [registration.WageRow(i, w.kpj_number, 4_500_000 + i) for i, w in enumerate(workers, 1)]
    out = registration.record_wages(employer, dt.date(2024, 3, 15), rows, actor=None)
    assert out == {"period": "2024-03-01", "rows": 3, "created": 3, "replaced": 0, "total_wage": 13_500_006}
    again = registration.record_wages(employer, "2024-03-01", [registration.WageRow(1, workers[0].kpj_number, 4_600_000)], actor=None)
    assert again["replaced"] == 1
    assert WageReport.objects.get(participant=workers[0], period=dt.date(2024, 3, 1)).wage == 4_600_000
    registration.record_wages(employer, "2024-02-01", [registration.WageRow(1, workers[0].kpj_number, 1_234_567)], actor=None)
    workers[0].refresh_from_db()
    assert workers[0].wage == 4_600_000  # an older month does not change the current wage
    assert AuditEvent.objects.filter(action="employer.wage_report").count() == 3


def test_wage_report_rejects_every_bad_row_and_writes_nothing(employer, workers, regions):
    other = registration.employer_create(actor=None, npp="OTHER0001", name="PT Lain", risk_class="low")
    (stranger,) = registration.register_pu_workers(other, [worker(9)], actor=None)
    bad_check = workers[0].kpj_number[:-1] + str((int(workers[0].kpj_number[-1]) + 1) % 10)
    rows = [
        registration.WageRow(2, workers[0].kpj_number, 4_000_000),
        registration.WageRow(3, bad_check, 4_000_000),
        registration.WageRow(4, stranger.kpj_number, 4_000_000),
        registration.WageRow(5, workers[0].kpj_number, 4_000_000),
        registration.WageRow(6, workers[1].kpj_number, 0),
        registration.WageRow(7, "24999999990", 1),
    ]
    with pytest.raises(FileRejected) as err:
        registration.record_wages(employer, "2024-03-01", rows, actor=None)
    codes = {(e.row, e.code) for e in err.value.errors}
    assert codes >= {(3, "bad_kpj"), (4, "not_this_employer"), (5, "duplicate_kpj"), (6, "bad_wage")}
    assert not WageReport.objects.exists()
    with pytest.raises(FileRejected) as err:
        registration.record_wages(employer, "2023-12-01", [registration.WageRow(2, workers[0].kpj_number, 1)], actor=None)
    assert err.value.errors[0].code == "before_start"


def test_wage_csv_parsing():
    rows = registration.parse_wage_file(io.BytesIO(b'\xef\xbb\xbfKPJ,Upah\n24000000010,"4.500.000"\n\n24000000028,4100000\n'))
    assert [(r.row, r.kpj, r.wage) for r in rows] == [(2, "24000000010", 4_500_000), (4, "24000000028", 4_100_000)]
    with pytest.raises(FileRejected) as err:
        registration.parse_wage_file("kpj,wage\n1,abc\n2\n")
    assert [(e.row, e.code) for e in err.value.errors] == [(2, "bad_wage"), (3, "wrong_column_count")]
    with pytest.raises(FileRejected):
        registration.parse_wage_file("nik,salary\n")


def test_employer_api(regions, users, api_client):
    api = api_client(users["officer"])
    resp = api.post("/api/v1/employers", data={"npp": "DMI21001", "name": "PT Pelabuhan", "risk_class": "medium"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    w = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in worker(1).items()}
    resp = api.post(
        "/api/v1/employers/DMI21001/workers",
        data={"workers": [w, {**w, "nik": make_nik("14.72.01", dt.date(1990, 1, 1), "M", 2), "full_name": "B"}]},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    kpjs = [r["kpj_number"] for r in resp.json()]
    assert resp.json()[0]["monthly_premium"]["total"] == 47_600
    resp = api.post(
        "/api/v1/employers/DMI21001/wages",
        data={"period": "2024-02-01", "rows": [{"kpj": k, "wage": 5_000_000} for k in kpjs]},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["total_wage"] == 10_000_000
    bad = api.post(
        "/api/v1/employers/DMI21001/wages",
        data={"period": "2024-03-01", "rows": [{"kpj": kpjs[0], "wage": 1}, {"kpj": "12345678901", "wage": 1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "file_rejected" and "row 2" in bad.json()["error"]["fields"]
    csv_body = "kpj,wage\n" + "\n".join(f"{k},5100000" for k in kpjs)
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = api.post("/api/v1/employers/DMI21001/wages/csv?period=2024-03-01", data={"file": SimpleUploadedFile("w.csv", csv_body.encode())})
    assert resp.status_code == 200, resp.content
    assert resp.json()["rows"] == 2
    assert api.post("/api/v1/employers/NOPE1/wages", data={"period": "2024-03-01", "rows": []}, content_type="application/json").status_code == 404
    assert api_client(users["sponsor"]).get("/api/v1/employers/DMI21001").status_code == 403  # staff-only: the role has no employer permission


def test_employer_web_pages_and_wage_entry(employer, workers, users, client):
    client.force_login(users["officer"])
    assert client.get("/employers/").status_code == 200
    page = client.get(f"/employers/{employer.npp}/")
    assert page.status_code == 200 and workers[0].kpj_number in page.content.decode()
    form = {"period": "2024-02-01", **{f"wage_{w.kpj_number}": "4200000" for w in workers}}
    form[f"wage_{workers[1].kpj_number}"] = "abc"
    resp = client.post(f"/employers/{employer.npp}/wages/", form)
    assert resp.status_code == 200 and 'data-testid="row-errors"' in resp.content.decode()
    assert not WageReport.objects.exists()
    form[f"wage_{workers[1].kpj_number}"] = "4300000"
    assert client.post(f"/employers/{employer.npp}/wages/", form).status_code == 302
    assert WageReport.objects.count() == 3
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("w.csv", f"kpj,wage\n{workers[0].kpj_number},4400000\n".encode())
    assert client.post(f"/employers/{employer.npp}/wages/", {"period": "2024-03-01", "file": upload}).status_code == 302
    resp = client.post("/employers/new/", {"npp": "NEW00001", "name": "PT Baru", "risk_class": "low", "region": ""})
    assert resp.status_code == 302
    resp = client.post(
        "/employers/NEW00001/workers/add/",
        {
            **{k: v for k, v in worker(7).items() if k != "start_date"},
            "start_date": "2024-01-01",
            "birth_date": worker(7)["birth_date"].isoformat(),
            "region": "",
        },
    )
    assert resp.status_code == 302 and Participant.objects.filter(employer__npp="NEW00001").count() == 1
    client.force_login(users["auditor"])
    assert client.get(f"/employers/{employer.npp}/").status_code == 200
    assert client.get(f"/employers/{employer.npp}/wages/").status_code == 403


def test_wage_file_as_a_workbook_and_as_utf16(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["KPJ", "UPAH"])
    ws.append([24000000010, 4500000])
    ws.append(["24000000028", "4.100.000"])
    buf = io.BytesIO()
    wb.save(buf)
    rows = registration.parse_wage_file(buf.getvalue(), name="upah.xlsx")
    assert [(r.row, r.kpj, r.wage) for r in rows] == [(2, "24000000010", 4_500_000), (3, "24000000028", 4_100_000)]
    rows = registration.parse_wage_file("kpj\twage\r\n24000000010\t4500000\r\n".encode("utf-16"), name="upah.csv")
    assert [(r.kpj, r.wage) for r in rows] == [("24000000010", 4_500_000)]
    with pytest.raises(ServiceError) as exc:
        registration.parse_wage_file(b"kpj,wage\n", name="upah.txt")
    assert exc.value.code == "unsupported_file"
