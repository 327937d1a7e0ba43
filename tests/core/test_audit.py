import pytest
from django.db import DatabaseError, connection, transaction

from lindung.core import audit
from lindung.core.models import AuditEvent
from lindung.membership import services
from lindung.membership.models import Sponsor

pytestmark = pytest.mark.django_db


def test_service_write_records_who_what_and_changed_fields(users, regions):
    sponsor = services.sponsor_create(
        actor=users["admin"], code="PEMKAB-BENGKALIS", name="Pemerintah Kabupaten Bengkalis", type="regency", region_code="14"
    )
    event = AuditEvent.objects.get(action="sponsor.create", object_id=str(sponsor.pk))
    assert event.actor == users["admin"]
    assert event.actor_username == users["admin"].username
    assert event.object_type == "membership.sponsor"
    assert event.changes["code"] == [None, "PEMKAB-BENGKALIS"]
    assert event.changes["type"] == [None, "regency"]
    assert event.sponsor_id_ref == sponsor.pk
    assert event.at is not None


def test_diff_lists_only_changed_fields():
    before = {"name": "A", "type": "city", "region_id": "14.72"}
    after = {"name": "B", "type": "city", "region_id": "14.72"}
    assert audit.diff(before, after) == {"name": ["A", "B"]}
    assert audit.diff(None, {"x": 1}) == {"x": [None, 1]}


def test_audit_source_is_recorded(users):
    with audit.audit_source("cli"):
        ev = audit.record(actor=users["admin"], action="test.action", object_type="x", object_id=1)
    assert ev.source == "cli"


def test_model_refuses_update_and_delete(users):
    ev = audit.record(actor=None, action="test.action", object_type="x", object_id=1)
    ev.action = "rewritten"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()


def test_database_refuses_raw_update_and_delete(users):
    ev = audit.record(actor=None, action="test.action", object_type="x", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET action = 'rewritten' WHERE id = %s", [ev.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [ev.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk).update(action="rewritten")
    assert AuditEvent.objects.get(pk=ev.pk).action == "test.action"


def test_failed_service_call_writes_nothing(users, regions):
    from lindung.core.errors import ServiceError

    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as info:
        services.sponsor_create(actor=users["admin"], code="X", name="X", type="nonsense", region_code="99.99")
    assert set(info.value.fields) == {"type", "region"}
    assert AuditEvent.objects.count() == before
    assert not Sponsor.objects.filter(code="X").exists()


def test_audit_page_for_admin_and_auditor_only(client, users):
    audit.record(actor=users["admin"], action="sponsor.create", object_type="membership.sponsor", object_id=1, summary="made one")
    for role, status in [("admin", 200), ("auditor", 200), ("branch_head", 403), ("officer", 403), ("sponsor", 403), ("finance", 403)]:
        client.force_login(users[role])
        response = client.get("/audit/")
        assert response.status_code == status, role
        if status == 200:
            assert b"sponsor.create" in response.content


def test_audit_api_for_auditor_not_officer(api_client, users):
    audit.record(actor=users["admin"], action="sponsor.create", object_type="membership.sponsor", object_id=1)
    ok = api_client(users["auditor"]).get("/api/v1/audit-events?action=sponsor.create")
    assert ok.status_code == 200
    assert ok.json()["count"] >= 1
    assert all(item["action"] == "sponsor.create" for item in ok.json()["items"])
    denied = api_client(users["officer"]).get("/api/v1/audit-events")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"


def test_purge_permit_allows_deletes_only_inside_the_block(users):
    ev = audit.record(actor=None, action="test.purge", object_type="x", object_id=1)
    with audit.purge_permitted():
        AuditEvent.objects.filter(pk=ev.pk)._raw_delete(AuditEvent.objects.db)
    assert not AuditEvent.objects.filter(pk=ev.pk).exists()
    kept = audit.record(actor=None, action="test.purge", object_type="x", object_id=2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [kept.pk])
