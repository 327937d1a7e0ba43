"""The programme report: its figures (set-based), periods, scope (404 for another sponsor),
downloads (XLSX through the safe writer, PDF, audited), API, CLI and the page's query count."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.core.errors import NotFound, ServiceError
from lindung.core.models import AuditEvent
from lindung.reports import selectors
from lindung.reports.periods import parse_period
from tests.factories import SponsoredParticipantFactory

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/reports/sponsors/PEMKO-DUMAI/"


def report(user, period, code="PEMKO-DUMAI"):
    return selectors.programme_report(user=user, code=code, period=parse_period(period))


# ---------------------------------------------------------------------------------------- periods
def test_periods_are_months_quarters_and_years():
    q = parse_period("2023-Q4")
    assert (q.kind, q.start, q.end, q.code, q.last_month) == ("quarter", D(2023, 10, 1), D(2023, 12, 31), "2023-Q4", D(2023, 12, 1))
    assert parse_period("2024-02").end == D(2024, 2, 29) and parse_period("2024-2").code == "2024-02"
    assert (parse_period("2024").start, parse_period("2024").end) == (D(2024, 1, 1), D(2024, 12, 31))
    assert q.next.code == "2024-Q1" and q.previous.code == "2023-Q3" and parse_period("2024-01").previous.code == "2023-12"
    assert parse_period(None, today=D(2024, 3, 21)).code == "2024-Q1"
    assert str(parse_period("2024-Q1").label) == "Triwulan I 2024"
    for bad in ("2024-13", "2024-Q5", "24", "2024-03-01", "abc"):
        with pytest.raises(ServiceError) as err:
            parse_period(bad)
        assert err.value.code == "invalid_period"


# ---------------------------------------------------------------------------------------- figures
def test_the_first_quarter(programme, users):
    r = report(users["sponsor"], "2023-Q4")
    m, c = r.membership, r.contributions
    assert (m.new, m.enrolled_at_end, m.ended, m.ended_by_reason) == (5, 4, 1, {"ended_by_sponsor": 1})
    assert c.billed == programme["q4"].total == 5 * 16_800 * 3 and c.worker_months == 15
    assert (c.paid, c.outstanding, c.received, c.arrears_at_end, c.invoices_in_arrears) == (c.billed, 0, c.billed, 0, 0)
    # the December lines are paid for the four still enrolled (the one who left was billed for the quarter too)
    assert m.covered_at_end == 4
    jkm = {f.program: f for f in r.claims}["JKM"]
    assert (jkm.reported, jkm.reported_to_date, jkm.decided, jkm.paid) == (1, 1, 0, 0)
    assert r.handovers == [] and r.scholarships.paid == 0


def test_the_next_quarter_decides_pays_hands_over_and_falls_in_arrears(programme, users):
    from lindung.contributions.billing import run_billing

    run_billing(period=D(2024, 1, 1), sponsor=programme["dumai"], today=D(2024, 1, 1))  # never paid
    r = report(users["sponsor"], "2024-Q1")
    jkm = {f.program: f for f in r.claims}["JKM"]
    assert (jkm.reported, jkm.reported_to_date, jkm.decided, jkm.decided_amount, jkm.paid, jkm.paid_amount) == (1, 2, 1, 42_000_000, 1, 42_000_000)
    assert {f.program: f for f in r.claims}["JKK"].reported_to_date == 0
    assert r.cases_to_date == 2  # Riau's death is Riau's
    assert [(h.date, h.cases, h.paid, h.total) for h in r.handovers] == [(D(2024, 3, 21), 2, 1, 84_000_000)]
    c = r.contributions
    assert c.billed > 0 and c.paid == 0 and c.received == 0
    assert c.arrears_at_end == c.billed and c.invoices_in_arrears == 1
    assert r.membership.covered_at_end == 0 and r.membership.new == 0


def test_a_whole_year_and_a_month(programme, users):
    assert report(users["admin"], "2023").contributions.billed == programme["q4"].total
    october = report(users["admin"], "2023-10")
    assert october.contributions.billed == 5 * 16_800 and october.contributions.received == programme["q4"].total
    assert october.membership.new == 5 and report(users["admin"], "2023-11").membership.new == 0


def test_a_rejected_claim_counts_in_the_period_of_its_decision(programme, users):
    from lindung.core.workflow.models import Decision
    from tests.factories import ClaimFactory

    claim = ClaimFactory(participant=programme["workers"][2], program="JKK", event_date=D(2024, 1, 5), status="rejected")
    Decision.objects.create(workflow="claims.claim", transition="reject", object_type="claims.claim", object_id=str(claim.pk), to_state="rejected")
    today = dt.date.today()
    jkk = {f.program: f for f in report(users["admin"], f"{today:%Y-%m}").claims}["JKK"]
    assert jkk.rejected == 1 and jkk.decided == 0


# ---------------------------------------------------------------------------------------- scope
def test_each_user_sees_the_reports_of_their_scope(programme, users, make_user, other_branch):
    codes = lambda u: sorted(s.code for s in selectors.report_sponsors(user=u))  # noqa: E731
    assert codes(users["sponsor"]) == ["PEMKO-DUMAI"] and codes(users["sponsor_riau"]) == ["PEMPROV-RIAU"]
    assert codes(users["officer"]) == codes(users["auditor"]) == ["PEMKO-DUMAI", "PEMPROV-RIAU"]
    outsider = make_user("branch_head", "kepala-pekanbaru", user_branch=other_branch)
    assert codes(outsider) == []
    for user in (users["sponsor_riau"], outsider):
        with pytest.raises(NotFound):
            report(user, "2023-Q4")


def test_another_sponsors_report_answers_404_on_the_page_the_downloads_and_the_api(programme, users, client, api_client):
    client.force_login(users["sponsor_riau"])
    for path in (URL, URL + "download.xlsx", URL + "download.pdf"):
        assert client.get(path + "?period=2023-Q4").status_code == 404, path
    api = api_client(users["sponsor_riau"])
    for path in ("", "/xlsx", "/pdf"):
        resp = api.get(f"/api/v1/reports/sponsors/PEMKO-DUMAI{path}?period=2023-Q4")
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found", path
    assert not AuditEvent.objects.filter(action="file.download").exists()
    # a user without the report's permission is refused (403), a sponsor user goes to its own report
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/")["Location"] == "/reports/sponsors/PEMPROV-RIAU/"


def test_the_page_shows_aggregates_and_no_person(programme, users, client):
    client.force_login(users["sponsor"])
    resp = client.get(URL + "?period=2024-Q1")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Triwulan I 2024" in html and "Rp 84.000.000" in html and "Penyerahan santunan" in html
    for w in programme["workers"]:
        assert w.person.full_name not in html and w.kpj_number not in html and w.person.nik not in html
    assert "Ahli Waris" not in html
    # a wrong period is said, and the current quarter shown
    bad = client.get(URL + "?period=2024-Q7")
    assert bad.status_code == 200 and "Triwulan" in bad.content.decode() and 'role="alert"' in bad.content.decode()


def test_the_auditor_reads_every_report_and_branch_staff_their_branch(programme, users, client):
    for role in ("auditor", "officer", "branch_head", "finance", "verifier", "admin"):
        client.force_login(users[role])
        assert client.get(URL + "?period=2023-Q4").status_code == 200, role
        assert client.get("/reports/").status_code == 200, role


def test_the_navigation_and_the_home_page_link_the_reports(programme, users, client):
    for role in ("sponsor", "branch_head", "auditor"):
        client.force_login(users[role])
        html = client.get("/").content.decode()
        assert 'data-testid="nav-reports"' in html, role
        assert ("/reports/sponsors/PEMKO-DUMAI/" if role == "sponsor" else 'href="/reports/"') in html, role


# ---------------------------------------------------------------------------------------- downloads
def test_the_workbook_holds_numbers_and_neutralises_text(programme, users, client):
    from openpyxl import load_workbook

    programme["dumai"].__class__.objects.filter(pk=programme["dumai"].pk).update(name='=HYPERLINK("http://x")')
    client.force_login(users["sponsor"])
    resp = client.get(URL + "download.xlsx?period=2023-Q4")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="laporan-pemko-dumai-2023-q4.xlsx"' in resp["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0].startswith("Laporan program: '=HYPERLINK") or rows[0][0].startswith("Laporan program")
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in rows for v in row)
    billed = next(r for r in rows if r[0] == "Ditagih untuk bulan-bulan periode")
    assert billed[1] == 5 * 16_800 * 3 and isinstance(billed[1], int)
    event = AuditEvent.objects.get(action="file.download")
    assert event.actor == users["sponsor"] and event.source == "web" and event.changes["kind"] == "programme_report_xlsx"
    assert event.changes["name"] == "laporan-pemko-dumai-2023-q4.xlsx" and event.sponsor_id_ref == programme["dumai"].pk
    assert event.object_type == "reports.sponsorreport" and event.object_id == str(programme["dumai"].pk)


def test_the_pdf_and_its_english(programme, users, client):
    client.force_login(users["branch_head"])
    resp = client.get(URL + "download.pdf?period=2024-Q1")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF") and resp["Content-Type"] == "application/pdf"
    client.cookies["lindung_language"] = "en"
    page = client.get(URL + "?period=2024-Q1").content.decode()
    assert "Programme report" in page and "Quarter I 2024" in page and "Rp 84,000,000" in page
    assert AuditEvent.objects.filter(action="file.download", changes__kind="programme_report_pdf").count() == 1
    assert client.get(URL + "download.csv?period=2024-Q1").status_code == 404


# ---------------------------------------------------------------------------------------- API, CLI
def test_the_api_report(programme, users, api_client):
    api = api_client(users["sponsor"])
    assert api.get("/api/v1/reports/sponsors").json() == [{"code": "PEMKO-DUMAI", "name": "Pemerintah Kota Dumai"}]
    body = api.get("/api/v1/reports/sponsors/PEMKO-DUMAI?period=2023-Q4").json()
    assert body["period"] == {"code": "2023-Q4", "kind": "quarter", "start": "2023-10-01", "end": "2023-12-31"}
    assert body["membership"]["new"] == 5 and body["contributions"]["billed"] == 252_000
    assert [c["program"] for c in body["claims"]] == ["JKM", "JKK"]
    bad = api.get("/api/v1/reports/sponsors/PEMKO-DUMAI?period=2023-Q9")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_period"
    pdf = api.get("/api/v1/reports/sponsors/PEMKO-DUMAI/pdf?period=2024-Q1")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(action="file.download").source == "api"
    # every operation declares its answers in the schema
    schema = api.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/reports/sponsors/{code}", "/api/v1/reports/sponsors/{code}/xlsx", "/api/v1/reports/sponsors/{code}/pdf"):
        assert {"200", "400", "403", "404"} <= set(schema[path]["get"]["responses"]), path


def test_the_command(programme, users, capsys, tmp_path):
    call_command("report", "programme", "--sponsor", "PEMKO-DUMAI", "--period", "2023-Q4", "--format", "json")
    body = json.loads(capsys.readouterr().out)
    assert body["contributions"]["billed"] == 252_000 and body["membership"]["enrolled_at_end"] == 4
    call_command("report", "programme", "--sponsor", "PEMKO-DUMAI", "--period", "2024-Q1")
    text = capsys.readouterr().out
    assert "Penyerahan santunan" in text and "Rp 84.000.000" in text
    out = tmp_path / "r.xlsx"
    call_command("report", "programme", "--sponsor", "PEMKO-DUMAI", "--period", "2024", "--format", "xlsx", "--out", str(out), "--as", "auditor-user")
    assert out.read_bytes()[:2] == b"PK" and AuditEvent.objects.get(action="file.download").source == "cli"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="scope"):
        call_command("report", "programme", "--sponsor", "PEMKO-DUMAI", "--as", "disnaker-riau")


# ---------------------------------------------------------------------------------------- cost
def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL + "?period=2023-Q4").status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_more_workers(programme, users, client):
    from lindung.contributions.billing import run_billing

    client.force_login(users["sponsor"])
    few = _queries(client)
    agreement = programme["workers"][0].agreement
    SponsoredParticipantFactory.create_batch(12, agreement=agreement, start_date=D(2023, 11, 1))
    run_billing(period=D(2023, 11, 1), sponsor=programme["dumai"], today=D(2023, 11, 1))
    assert _queries(client) == few <= 25
