"""Billing runs as ``contributions.billing_run`` jobs (web form, API, CLI): progress, summary, and
sponsor / employer codes that are unknown or out of scope refused with nothing billed."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lindung.contributions import billing
from lindung.contributions.billing import run as billing_run
from lindung.contributions.jobs import KIND, start_billing_run
from lindung.contributions.models import BillingRun, Invoice, InvoiceLine
from lindung.core.models import Job
from lindung.membership.models import Employer

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sponsors(make_agreement, make_workers):
    dumai = make_agreement()
    riau = make_agreement(sponsor="riau", number="PKS-RIAU-2023", billing="monthly")
    make_workers(3, agreement=dumai)
    make_workers(2, agreement=riau)
    return dumai, riau


def _nothing_billed():
    assert Invoice.objects.count() == 0 and InvoiceLine.objects.count() == 0 and BillingRun.objects.count() == 0
    assert not Job.objects.filter(kind=KIND).exists()


def test_run_billing_reports_progress_per_payer(two_sponsors):
    calls = []
    s = billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1), progress=lambda done, total, message: calls.append((done, total, message)))
    assert s.created == 2
    assert calls and all(0 <= done <= total for done, total, _ in calls)
    assert calls[-1][0] == calls[-1][1] and calls[-1][1] >= 2 + 2  # two agreements, one step each for self-paying and projects
    assert sum(1 for _, _, m in calls if m) == len(calls)


def test_web_billing_starts_a_job_and_the_job_page_shows_the_summary(two_sponsors, users, client):
    client.force_login(users["finance"])
    r = client.post("/contributions/", {"period": "2023-10", "sponsor": "", "employer": ""})
    job = Job.objects.get(kind=KIND)
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.SUCCEEDED and job.created_by == users["finance"]
    assert job.params == {"period": "2023-10", "sponsor": None, "employer": None, "correction": False}
    assert job.result == {"invoices": 2, "lines": 3 * 2 * 3 + 2 * 2, "total": sum(Invoice.objects.values_list("total", flat=True)), "created": 2}
    assert job.progress_total and job.progress_total > 0 and job.progress_done == job.progress_total
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="billing-summary"' in page and 'href="/contributions/"' in page
    assert "Rp " + f"{job.result['total']:,}".replace(",", ".") in page  # Indonesian by default: 1.234
    fragment = client.get(r["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-testid="billing-summary"' in fragment


def test_web_billing_for_one_sponsor(two_sponsors, users, client):
    client.force_login(users["finance"])
    client.post("/contributions/", {"period": "2023-10", "sponsor": "PEMKO-DUMAI"})
    job = Job.objects.get(kind=KIND)
    assert job.params["sponsor"] == "PEMKO-DUMAI" and job.sponsor_ref == two_sponsors[0].sponsor_id
    assert set(Invoice.objects.values_list("sponsor__code", flat=True)) == {"PEMKO-DUMAI"}


@pytest.mark.parametrize("field,value", [("sponsor", "NOPE"), ("employer", "NPP-NOPE"), ("employer", "   x ")])
def test_web_billing_refuses_unknown_codes_and_bills_nothing(two_sponsors, users, client, field, value):
    client.force_login(users["finance"])
    r = client.post("/contributions/", {"period": "2023-10", field: value}, follow=True)
    _nothing_billed()
    text = r.content.decode()
    assert value.strip() in text
    assert ("Sponsor" if field == "sponsor" else "NPP") in text


def test_web_billing_refuses_an_out_of_scope_employer(two_sponsors, users, client, other_branch):
    hidden = Employer.objects.create(npp="NPP-PKU", name="PT Pekanbaru", risk_class="low", branch=other_branch)
    if Employer.objects.visible_to(users["finance"]).filter(pk=hidden.pk).exists():
        pytest.skip("finance sees every branch's employers")
    client.force_login(users["finance"])
    client.post("/contributions/", {"period": "2023-10", "employer": "NPP-PKU"})
    _nothing_billed()


def test_api_billing_run_inline_answers_201_with_summary_and_job_id(two_sponsors, users, api_client):
    finance = api_client(users["finance"])
    r = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bj-1")
    assert r.status_code == 201
    body = r.json()
    job = Job.objects.get(kind=KIND)
    assert body == {**job.result, "job_id": str(job.pk)} and body["created"] == 2
    assert job.progress_total > 0
    again = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bj-1")
    assert again.status_code == 201 and again.json() == body and Job.objects.filter(kind=KIND).count() == 1
    assert finance.get(f"/api/v1/jobs/{job.pk}").json()["result"] == job.result


@pytest.mark.parametrize("payload,field", [({"sponsor": "NOPE"}, "sponsor"), ({"employer": "NPP-NOPE"}, "employer"), ({"sponsor": ""}, "sponsor")])
def test_api_billing_run_refuses_unknown_codes(two_sponsors, users, api_client, payload, field):
    r = api_client(users["finance"]).post("/api/v1/contributions/billing-runs", {"period": "2023-10", **payload}, content_type="application/json")
    assert r.status_code in (400, 404) and field in r.json()["error"]["fields"] and field in r.json()["error"]["message"]
    _nothing_billed()


def test_api_billing_conflict_answers_409_and_the_job_shows_it(two_sponsors, users, api_client, monkeypatch):
    from django.db import IntegrityError

    def clash(**kwargs):
        raise IntegrityError("duplicate invoice")

    monkeypatch.setattr(billing_run, "_run_billing", clash)
    r = api_client(users["finance"]).post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "billing_conflict"
    job = Job.objects.get(kind=KIND)
    assert job.status == Job.Status.FAILED and "Proses penagihan lain untuk periode ini berjalan pada saat yang sama" in job.error


def test_web_billing_conflict_shows_on_the_job_page(two_sponsors, users, client, monkeypatch):
    from django.db import IntegrityError

    def clash(**kwargs):
        raise IntegrityError("duplicate invoice")

    monkeypatch.setattr(billing_run, "_run_billing", clash)
    client.force_login(users["finance"])
    r = client.post("/contributions/", {"period": "2023-10"}, follow=True)
    job = Job.objects.get(kind=KIND)
    assert job.status == Job.Status.FAILED
    assert (
        "Proses penagihan lain untuk periode ini berjalan pada saat yang sama" in r.content.decode()
        and 'href="/contributions/"' in r.content.decode()
    )


def test_job_refuses_a_sponsor_removed_since_it_was_started(two_sponsors, users):
    dumai = two_sponsors[0].sponsor
    job = Job.objects.create(kind=KIND, params={"period": "2023-10", "sponsor": "GONE", "employer": None, "correction": False})
    from lindung.core.jobs import execute_job

    job = execute_job(str(job.pk))
    assert job.status == Job.Status.FAILED and Invoice.objects.count() == 0
    assert start_billing_run(period=D(2023, 10, 1), sponsor=dumai, actor=users["finance"]).status == Job.Status.SUCCEEDED


def test_cli_refuses_unknown_or_empty_codes(two_sponsors):
    for args in (["--sponsor", "NOPE"], ["--employer", "NPP-NOPE"], ["--sponsor", ""], ["--employer", " "]):
        with pytest.raises(CommandError, match=r"--sponsor|--employer"):
            call_command("billing", "run", "--period", "2023-10", *args, stdout=io.StringIO())
    _nothing_billed()
    out = io.StringIO()
    call_command("billing", "run", "--period", "2023-10", "--json", stdout=out)
    assert set(json.loads(out.getvalue())) == {"invoices", "lines", "total", "created"}


@pytest.mark.django_db(transaction=True)
def test_api_billing_run_on_the_database_backend_answers_202_then_the_worker_bills(two_sponsors, users, api_client):
    from django.test import override_settings

    finance = api_client(users["finance"])
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        r = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="q-1")
        assert r.status_code == 202
        job = Job.objects.get(pk=r.json()["job_id"])
        assert job.status == Job.Status.QUEUED and Invoice.objects.count() == 0
        again = finance.post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="q-1")
        assert again.status_code == 202 and again.json() == r.json()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["created"] == 2 and job.progress_total > 0
    assert Invoice.objects.count() == 2
    assert finance.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "succeeded"


postgresql_only = pytest.mark.skipif(
    __import__("django.db", fromlist=["connection"]).connection.vendor != "postgresql",
    reason="progress inside a transaction goes through a second connection on PostgreSQL only",
)


@postgresql_only
def test_billing_goes_on_when_the_progress_connection_cannot_be_opened(two_sponsors, users, monkeypatch):
    from django.db import OperationalError, connections

    def refuse(alias):
        raise OperationalError("too many connections")

    monkeypatch.setattr(connections, "create_connection", refuse)
    job = start_billing_run(period=D(2023, 10, 1), actor=users["finance"])
    assert job.status == Job.Status.SUCCEEDED and job.result["created"] == 2 and job.progress_done == job.progress_total


def test_billing_errors_speak_the_active_language_and_keep_their_code(users, api_client, client):
    """A period that is not a month: the web form shows the service's message in Indonesian; the
    API answers in the active language with the same code and fields."""
    from html import unescape

    client.force_login(users["finance"])
    page = unescape(client.post("/contributions/", {"period": "2023-13"}, follow=True).content.decode())
    assert "Periode '2023-13' bukan bulan (YYYY-MM)." in page and "is not a month" not in page

    api = api_client(users["finance"])
    indonesian = api.post("/api/v1/contributions/billing-runs", {"period": "2023-13"}, content_type="application/json")
    assert indonesian.status_code == 400
    assert indonesian.json() == {
        "error": {"code": "invalid", "message": "Periode '2023-13' bukan bulan (YYYY-MM).", "fields": {"period": "expected YYYY-MM"}}
    }
    api.cookies["lindung_language"] = "en"
    english = api.post("/api/v1/contributions/billing-runs", {"period": "2023-13"}, content_type="application/json")
    assert english.status_code == 400
    assert english.json() == {
        "error": {"code": "invalid", "message": "The period '2023-13' is not a month (YYYY-MM).", "fields": {"period": "expected YYYY-MM"}}
    }
    assert not Job.objects.filter(kind=KIND).exists() and not Invoice.objects.exists()


def test_a_billing_run_that_lost_its_database_connection_answers_without_its_traceback(two_sponsors, users, api_client, client, monkeypatch):
    """Issue 10 item 7: the answer is a translated sentence naming the job and the request; the
    exception's text stays in the server's log."""
    from django.db import OperationalError

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally")

    monkeypatch.setattr(billing_run, "_run_billing", lost)
    r = api_client(users["finance"]).post("/api/v1/contributions/billing-runs", {"period": "2023-10"}, content_type="application/json")
    job = Job.objects.get(kind=KIND)
    error = r.json()["error"]
    assert r.status_code == 500 and error["code"] == "job_failed" and error["fields"]["job_id"] == str(job.pk)
    assert r["X-Request-ID"] in error["message"] and str(job.pk) in error["message"] and "Proses penagihan gagal" in error["message"]
    for shown in (r.content.decode(), job.error):
        assert "Traceback" not in shown and "OperationalError" not in shown and "server closed" not in shown
    client.force_login(users["finance"])
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "server closed" not in page and "Traceback" not in page and str(job.pk) in page
