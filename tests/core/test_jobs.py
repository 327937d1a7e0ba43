import pytest

from lindung.core.errors import ServiceError
from lindung.core.jobs import JobContext, job_handler, start_job
from lindung.core.models import Job

pytestmark = pytest.mark.django_db


@job_handler("test.count")
def _count(ctx: JobContext):
    total = ctx.params["n"]
    for i in range(total):
        ctx.progress(i + 1, total, f"item {i + 1}", force=True)
    return {"counted": total}


@job_handler("test.fail")
def _fail(ctx: JobContext):
    raise ServiceError("nope", "This job refuses.")


@job_handler("test.crash")
def _crash(ctx: JobContext):
    raise RuntimeError("boom")


def test_job_runs_inline_and_reports_progress(users):
    job = start_job("test.count", actor=users["officer"], params={"n": 3})
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 3}
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.started_at and job.finished_at and job.task_result_id


def test_failed_jobs_record_the_reason(users):
    job = start_job("test.fail", actor=users["officer"])
    assert job.status == Job.Status.FAILED and job.error == "This job refuses."
    assert job.result["error"]["code"] == "nope"
    crashed = start_job("test.crash", actor=users["officer"])
    assert crashed.status == Job.Status.FAILED and "RuntimeError: boom" in crashed.error


def test_unknown_job_kind_is_refused(users):
    with pytest.raises(ServiceError):
        start_job("test.no-such-kind")


def test_job_page_and_api_show_progress(client, api_client, users):
    job = start_job("test.count", actor=users["officer"], params={"n": 2})
    client.force_login(users["officer"])
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and b"2 / 2" in page.content
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"job-progress" in fragment.content
    data = api_client(users["officer"]).get(f"/api/v1/jobs/{job.pk}").json()
    assert data["status"] == "succeeded" and data["result"] == {"counted": 2}


@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_the_job_and_the_worker_runs_it(users, settings):
    """With LINDUNG_TASKS_BACKEND=database a job waits in the queue until `lindung db_worker` runs it."""
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        job = start_job("test.count", actor=users["officer"], params={"n": 4})
        assert job.status == Job.Status.QUEUED
        assert job.progress_done == 0
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 4}
    assert (job.progress_done, job.progress_total) == (4, 4)


def test_a_job_started_for_a_sponsor_is_seen_by_that_sponsor_only(users, sponsors, client):
    """The job's sponsor is a plain id column (the kernel relates to no context): ``start_job``
    takes the sponsor, and scoping, the job page and the API answer as before."""
    own = start_job("test.count", actor=users["officer"], sponsor=sponsors["dumai"], params={"n": 1})
    other = start_job("test.count", actor=users["officer"], sponsor=sponsors["riau"].pk, params={"n": 1})
    staff = start_job("test.count", actor=users["officer"], params={"n": 1})
    assert (own.sponsor_ref, other.sponsor_ref, staff.sponsor_ref) == (sponsors["dumai"].pk, sponsors["riau"].pk, None)
    assert set(Job.objects.visible_to(users["sponsor"])) == {own}
    assert set(Job.objects.visible_to(users["officer"])) == {own, other, staff}
    client.force_login(users["sponsor"])
    assert client.get(f"/jobs/{own.pk}/").status_code == 200
    assert client.get(f"/jobs/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{own.pk}").status_code == 200
    missing = client.get(f"/api/v1/jobs/{other.pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
