import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from lindung.accounts.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_permissions():
    for name in ROLES:
        group = Group.objects.get(name=name)
        assert group.permissions.exists(), name


def test_sync_is_idempotent():
    first = sync_roles()
    second = sync_roles()
    assert first == second


@pytest.mark.parametrize(
    "role, perm, expected",
    [
        ("admin", "membership.add_sponsor", True),
        ("admin", "core.view_auditevent", True),
        ("auditor", "membership.view_sponsor", True),
        ("auditor", "core.view_auditevent", True),
        ("auditor", "membership.add_sponsor", False),
        ("auditor", "membership.change_sponsor", False),
        ("auditor", "registry.change_region", False),
        ("officer", "membership.view_sponsor", True),
        ("officer", "core.view_auditevent", False),
        ("sponsor", "membership.view_sponsor", True),
        ("sponsor", "membership.add_sponsor", False),
        ("sponsor", "registry.add_region", False),
        ("sponsor", "core.view_auditevent", False),
        ("sponsor", "membership.view_participant", True),
        ("sponsor", "membership.view_employer", False),
        ("sponsor", "membership.view_project", False),
        ("sponsor", "membership.view_wagereport", False),
        ("sponsor", "membership.import_roster", True),
        ("sponsor", "membership.view_rosterimport", True),
        ("sponsor", "membership.import_roster", True),
        ("sponsor", "contributions.view_invoice", True),
        ("sponsor", "contributions.add_contributionpayment", False),
        ("sponsor", "contributions.view_contributionpayment", True),
        ("finance", "contributions.add_contributionpayment", True),
        ("officer", "contributions.change_contributionpayment", True),
        ("auditor", "contributions.add_contributionpayment", False),
        ("auditor", "membership.import_roster", False),
        ("finance", "membership.add_sponsor", False),
        ("verifier", "membership.add_sponsor", False),
        ("branch_head", "core.view_auditevent", False),
        ("branch_head", "membership.view_sponsor", True),
    ],
)
def test_role_permissions(users, role, perm, expected):
    from lindung.accounts.models import User

    user = User.objects.get(pk=users[role].pk)
    assert user.has_perm(perm) is expected


def test_auditor_changes_nothing_through_the_api(api_client, users):
    response = api_client(users["auditor"]).post(
        "/api/v1/sponsors", {"code": "NEW", "name": "N", "type": "city", "region": "14.72"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_admin_creates_sponsor_through_the_api(api_client, users):
    response = api_client(users["admin"]).post(
        "/api/v1/sponsors",
        {"code": "PEMKAB-ROHIL", "name": "Pemerintah Kabupaten Rokan Hilir", "type": "regency", "region": "14"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "PEMKAB-ROHIL"


def test_roles_command_lists_and_syncs(capsys):
    call_command("roles", "list")
    out = capsys.readouterr().out
    for name in ROLES:
        assert name in out
    call_command("roles", "sync")
    assert "auditor:" in capsys.readouterr().out


def test_sponsor_user_requires_sponsor(db, branch):
    from lindung.accounts import services
    from lindung.core.errors import ServiceError

    with pytest.raises(ServiceError) as info:
        services.user_create(actor=None, username="x", password="x" * 12, roles=["sponsor"])
    assert "sponsor" in info.value.fields
    with pytest.raises(ServiceError):
        services.user_create(actor=None, username="y", password="x" * 12, roles=["superhero"])


def test_branch_staff_require_a_branch_and_sponsor_users_take_their_sponsors(db, branch, sponsors):
    from lindung.accounts import services
    from lindung.core.errors import ServiceError

    with pytest.raises(ServiceError) as info:
        services.user_create(actor=None, username="no-branch", password="x" * 12, roles=["officer"])
    assert "branch" in info.value.fields
    auditor = services.user_create(actor=None, username="auditor-hq", password="x" * 12, roles=["auditor"])
    assert auditor.branch is None
    sponsor_user = services.user_create(actor=None, username="disnaker-2", password="x" * 12, roles=["sponsor"], sponsor=sponsors["dumai"])
    assert sponsor_user.branch == sponsors["dumai"].branch == branch


def test_user_create_errors_speak_the_active_language_and_keep_their_code(db, branch):
    """Accounts have no form of their own: the service's message follows the active language (the
    web and the API activate the user's), Indonesian by default; code, status and fields stay."""
    from django.utils import translation

    from lindung.accounts import services
    from lindung.core.errors import ServiceError

    services.user_create(actor=None, username="petugas", password="x" * 12, roles=["auditor"])
    with pytest.raises(ServiceError) as indonesian:
        services.user_create(actor=None, username="petugas", password="x" * 12, roles=["auditor"])
    assert indonesian.value.message == "Pengguna 'petugas' sudah ada."
    with translation.override("en"), pytest.raises(ServiceError) as english:
        services.user_create(actor=None, username="petugas", password="x" * 12, roles=["auditor"])
    assert english.value.message == "User 'petugas' exists already."
    for info in (indonesian, english):
        assert (info.value.code, info.value.status, info.value.fields) == ("duplicate", 409, {"username": "duplicate"})
    with pytest.raises(ServiceError) as info:
        services.user_create(actor=None, username="y", password="x" * 12, roles=["superhero"])
    assert info.value.message == "Peran tidak dikenal: superhero." and info.value.fields == {"roles": "unknown: superhero"}


def test_no_permission_is_left_under_the_old_payment_model_name():
    """The incoming contribution payment is ``ContributionPayment`` ("payment" is left to benefit
    payouts): its permissions carry the new codenames and none is named after ``payment``."""
    from django.contrib.auth.models import Permission

    codenames = set(Permission.objects.filter(content_type__app_label="contributions").values_list("codename", flat=True))
    assert {"add_contributionpayment", "change_contributionpayment", "delete_contributionpayment", "view_contributionpayment"} <= codenames
    assert not {c for c in codenames if c.endswith("_payment")}
