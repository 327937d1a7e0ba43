"""Issue 10 item 7: an unexpected error reaches users as a translated sentence with a reference,
never as a database message naming a NIK or a traceback; the server's log masks NIKs."""

from __future__ import annotations

import io
import logging

import pytest
from django.db import IntegrityError

from lindung.core.jobs import JobContext, job_handler, start_job
from lindung.core.log_filters import MaskPersonalData
from lindung.core.models import Job

pytestmark = pytest.mark.django_db

NIK = "1472011203900001"
DB_ERROR = f'duplicate key value violates unique constraint "registry_person_nik_key"\nDETAIL:  Key (nik)=({NIK}) already exists.'


@job_handler("test.duplicate_nik")
def _duplicate(ctx: JobContext):
    raise IntegrityError(DB_ERROR)


def _console_output(fn) -> str:
    """What the root logger's console handler (the one the settings configure) writes while
    ``fn`` runs."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and not type(h).__name__.startswith("LogCapture"))
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        fn()
    finally:
        handler.setStream(old)
    return stream.getvalue()


def test_a_crashed_job_shows_a_translated_message_with_its_reference(users, sponsors, client, api_client):
    holder = {}
    log = _console_output(lambda: holder.update(job=start_job("test.duplicate_nik", actor=users["officer"], sponsor=sponsors["dumai"])))
    job = holder["job"]
    assert job.status == Job.Status.FAILED
    for shown in (job.error, client_page(client, users["sponsor"], job), api_client(users["sponsor"]).get(f"/api/v1/jobs/{job.pk}").content.decode()):
        assert NIK not in shown and "Key (nik)" not in shown and "Traceback" not in shown and "IntegrityError" not in shown
        assert str(job.pk) in shown
    assert "kesalahan tak terduga" in job.error  # Indonesian by default
    # The log has the error, its reference, and the NIK masked.
    assert str(job.pk) in log and "Key (nik)=(1472********0001)" in log and "Traceback" in log
    assert NIK not in log


def client_page(client, user, job) -> str:
    client.force_login(user)
    return client.get(f"/jobs/{job.pk}/").content.decode()


def test_every_log_handler_masks_niks():
    from lindung.core.log_filters import install_log_masking

    logging.getLogger("lindung.later").addHandler(late := logging.StreamHandler(io.StringIO()))
    install_log_masking()
    handlers = [h for lg in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()] for h in getattr(lg, "handlers", [])]
    named = {getattr(h, "name", None) for h in handlers}
    assert {"console", "django.server"} <= named
    for h in handlers:
        if type(h).__name__.startswith("LogCapture") or "pytest" in type(h).__module__:
            continue
        assert any(isinstance(f, MaskPersonalData) for f in h.filters), h
    late.setFormatter(logging.Formatter("%(message)s"))
    try:
        raise ValueError(f"NIK {NIK} twice")
    except ValueError:
        logging.getLogger("lindung.later").exception("searching %s", NIK)
    text = late.stream.getvalue()
    assert NIK not in text and text.count("1472********0001") == 2
    longer = _record("account 12345678901234567, nik 1472011203900001")
    MaskPersonalData().filter(longer)
    assert longer.getMessage() == "account 12345678901234567, nik 1472********0001"  # 17 digits are no NIK


def _record(msg: str) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, (), None)
