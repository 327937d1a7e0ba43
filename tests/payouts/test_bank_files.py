"""The files made for the bank are stored: the pain.001 and the bulk CSV of a payment batch become a
``StoredFile`` owned by the batch, written once with the first export; a re-download serves the
same bytes (even after the orders changed), regenerating is explicit and audited, and every way
out (web, API, CLI) goes through the scoped, audited file view."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.test import Client

from lindung.core.audit import AuditEvent
from lindung.core.files.models import StoredFile
from lindung.payouts import services
from lindung.payouts.models import OrderStatus, PaymentBatch, PaymentOrder

from .conftest import pain001_schema

D = dt.date
pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def authorised_batch(covered_workers, ready_claim, users, finance2):
    a, b = covered_workers(2)
    orders = services.create_orders_for_claim(ready_claim(a), actor=users["finance"]) + services.create_orders_for_claim(
        ready_claim(b), actor=users["finance"]
    )
    batch = services.create_batch(orders, actor=users["finance"], execution_date=D(2024, 3, 20))
    services.authorise_batch(batch, actor=finance2)
    return batch


def test_the_first_export_stores_the_file_and_a_download_later_serves_the_same_bytes(authorised_batch, users):
    finance = users["finance"]
    first = services.bank_file(authorised_batch, actor=finance, file_format="pain001")
    assert authorised_batch.status == PaymentBatch.Status.EXPORTED
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {OrderStatus.SENT}
    assert (first.kind, first.owner_type, first.owner_id) == ("bank_file", "payouts.paymentbatch", str(authorised_batch.pk))
    assert first.name == f"{authorised_batch.number}.pain.001.xml" and first.content_type == "application/xml"
    content = b"".join(services.export_pain001(authorised_batch, actor=finance))
    pain001_schema().validate(content.decode())
    assert hashlib.sha256(content).hexdigest() == first.sha256 and len(content) == first.size
    # What the bank was sent does not change when the orders do (an account corrected afterwards).
    PaymentOrder.objects.update(account_holder="Nama Lain")
    again = services.bank_file(authorised_batch, actor=finance, file_format="pain001")
    assert again.pk == first.pk and b"".join(services.export_pain001(authorised_batch, actor=finance)) == content
    assert StoredFile.objects.filter(kind="bank_file").count() == 1
    # The CSV is a file of its own, also written once.
    csv1 = services.bank_file(authorised_batch, actor=finance, file_format="csv")
    csv2 = services.bank_file(authorised_batch, actor=finance, file_format="csv")
    assert csv1.pk == csv2.pk != first.pk and csv1.name == f"{authorised_batch.number}.csv"
    assert "Nama Lain" in b"".join(services.export_csv(authorised_batch, actor=finance)).decode()  # made after the change
    assert list(services.bank_files(authorised_batch)) == [csv1, first]


def test_regenerating_is_explicit_audited_and_keeps_the_earlier_file(authorised_batch, users):
    finance = users["finance"]
    first = services.bank_file(authorised_batch, actor=finance, file_format="pain001")
    old = b"".join(services.export_pain001(authorised_batch, actor=finance))
    PaymentOrder.objects.update(account_holder="Nama Baru")
    new = b"".join(services.export_pain001(authorised_batch, actor=finance, regenerate=True))
    assert b"Nama Baru" in new and b"Nama Baru" not in old
    latest = services.bank_file(authorised_batch, actor=finance, file_format="pain001")
    assert latest.pk != first.pk and latest.sha256 == hashlib.sha256(new).hexdigest()
    assert StoredFile.objects.filter(pk=first.pk).exists()  # the file the bank got first stays
    event = AuditEvent.objects.get(action="payouts.bank_file_regenerate")
    assert event.changes["sha256"] == [first.sha256, latest.sha256] and event.changes["replaces"] == str(first.pk)


def test_a_batch_not_authorised_stores_nothing(covered_workers, ready_claim, users):
    (worker,) = covered_workers(1)
    batch = services.create_batch(services.create_orders_for_claim(ready_claim(worker), actor=users["finance"]), actor=users["finance"])
    from lindung.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        services.bank_file(batch, actor=users["finance"], file_format="csv")
    assert refused.value.code == "not_authorised" and not StoredFile.objects.filter(kind="bank_file").exists()


def test_web_and_api_serve_the_stored_file_through_the_file_view_scoped_and_audited(authorised_batch, users, make_user, other_branch, api_client):
    web = _client(users["finance"])
    r = web.get(f"/payouts/batches/{authorised_batch.number}/export/pain001")
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store" and r["X-Content-Type-Options"] == "nosniff"
    content = b"".join(r.streaming_content)
    stored = StoredFile.objects.get(kind="bank_file")
    assert content == b"".join(stored.file.open("rb").chunks())
    assert AuditEvent.objects.filter(action="file.download", object_id=str(stored.pk), actor=users["finance"]).count() == 1
    again = b"".join(web.get(f"/payouts/batches/{authorised_batch.number}/export/pain001").streaming_content)
    assert again == content and StoredFile.objects.filter(kind="bank_file").count() == 1
    # the file view itself: finance of the batch's branch gets it; another branch's finance, a
    # sponsor (staff-only kind) do not see it (404); a user of the branch without the export
    # permission is refused (403)
    assert b"".join(web.get(f"/files/{stored.pk}/").streaming_content) == content
    elsewhere = make_user("finance", "keuangan-lain", user_branch=other_branch)
    assert _client(elsewhere).get(f"/files/{stored.pk}/").status_code == 404
    assert _client(users["sponsor"]).get(f"/files/{stored.pk}/").status_code == 404
    assert _client(users["auditor"]).get(f"/files/{stored.pk}/").status_code == 403
    assert api_client(elsewhere).get(f"/api/v1/files/{stored.pk}").status_code == 404
    # the API: the same stored bytes; regenerate=true makes a new file, audited
    api = api_client(users["finance"])
    assert b"".join(api.get(f"/api/v1/payouts/batches/{authorised_batch.number}/pain001").streaming_content) == content
    csv = api.get(f"/api/v1/payouts/batches/{authorised_batch.number}/csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    csv_file = StoredFile.objects.get(kind="bank_file", name__endswith=".csv")
    assert b"".join(api.get(f"/api/v1/payouts/batches/{authorised_batch.number}/csv").streaming_content) == b"".join(csv.streaming_content)
    assert StoredFile.objects.filter(kind="bank_file").count() == 2
    r = api.get(f"/api/v1/payouts/batches/{authorised_batch.number}/csv?regenerate=true")
    assert r.status_code == 200 and StoredFile.objects.filter(kind="bank_file").count() == 3
    assert AuditEvent.objects.filter(action="payouts.bank_file_regenerate").count() == 1
    # the web: a POST to the export address makes it again
    assert web.post(f"/payouts/batches/{authorised_batch.number}/export/csv").status_code == 200
    assert StoredFile.objects.filter(kind="bank_file").count() == 4 and StoredFile.objects.filter(pk=csv_file.pk).exists()


def test_cli_export_writes_the_stored_file_and_audits_the_download(authorised_batch, users, tmp_path):
    out = tmp_path / "batch.xml"
    call_command("payouts", "export", authorised_batch.number, "--out", str(out), "--as", users["finance"].username)
    stored = StoredFile.objects.get(kind="bank_file")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == stored.sha256
    call_command("payouts", "export", authorised_batch.number, "--out", str(tmp_path / "b.xml"), "--as", users["finance"].username)
    assert (tmp_path / "b.xml").read_bytes() == out.read_bytes() and StoredFile.objects.filter(kind="bank_file").count() == 1
    assert AuditEvent.objects.filter(action="file.download", object_id=str(stored.pk)).count() == 2


def test_the_handover_pdf_download_is_audited_web_and_api(covered_workers, ready_claim, users, api_client):
    (worker,) = covered_workers(1)
    claim = ready_claim(worker)
    services.create_orders_for_claim(claim, actor=users["finance"])
    event = services.create_handover_event(actor=users["branch_head"], title="Penyerahan", date=D(2024, 3, 21), place="Dumai", claims=[claim])
    r = _client(users["branch_head"]).get(f"/payouts/events/{event.pk}/pdf")
    assert r.status_code == 200
    e = AuditEvent.objects.get(action="file.download")
    assert (e.changes["kind"], e.object_type, e.object_id, e.source, e.changes["bytes"]) == (
        "handover_pdf",
        "payouts.handoverevent",
        str(event.pk),
        "web",
        len(r.content),
    )
    assert _client(users["sponsor"]).get(f"/payouts/events/{event.pk}/pdf").status_code in (403, 404)
    assert AuditEvent.objects.filter(action="file.download").count() == 1  # a refused download is not one
    assert api_client(users["branch_head"]).get(f"/api/v1/payouts/handover-events/{event.pk}/pdf").status_code == 200
    assert AuditEvent.objects.filter(action="file.download", source="api", changes__kind="handover_pdf").count() == 1


def test_a_bank_file_made_again_in_a_transaction_that_fails_leaves_no_file(authorised_batch, users, monkeypatch):
    """The audit record after the new file fails: the transaction rolls back and the new file is
    deleted from the storage; the first file is untouched."""
    import os

    from django.core.files.storage import default_storage

    from lindung.payouts import batches

    def names():
        root = default_storage.path("")
        return {os.path.relpath(os.path.join(d, n), root) for d, _dirs, ns in os.walk(root) for n in ns}

    first = services.bank_file(authorised_batch, actor=users["finance"], file_format="pain001")
    before = names()

    def failing(*args, **kwargs):
        raise RuntimeError("forced")

    monkeypatch.setattr(batches.audit, "record", failing)
    with pytest.raises(RuntimeError):
        services.bank_file(authorised_batch, actor=users["finance"], file_format="pain001", regenerate=True)
    assert names() == before and list(StoredFile.objects.filter(kind="bank_file")) == [first]
    assert default_storage.exists(first.file.name)
