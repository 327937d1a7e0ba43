"""Issue 10 item 13 (only the admin creates sponsors and agreements) and item 9 (sponsor codes)."""

import pytest

from lindung.core.errors import ServiceError
from lindung.membership import services
from lindung.membership.models import Sponsor, SponsorAgreement

pytestmark = pytest.mark.django_db

ROLES = ["admin", "officer", "verifier", "branch_head", "finance", "auditor", "sponsor"]
AGREEMENT = {"number": "PKS-NEW", "start_date": "2026-01-01", "end_date": "2026-12-31", "budget": 1_000_000, "quota": 5}


def _fresh(user):
    from lindung.accounts.models import User

    return User.objects.get(pk=user.pk)  # no cached permissions


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", ["add_sponsor", "change_sponsor", "delete_sponsor", "add_sponsoragreement", "change_sponsoragreement"])
def test_only_the_admin_manages_sponsors_and_agreements(users, role, perm):
    assert _fresh(users[role]).has_perm(f"membership.{perm}") is (role == "admin")


def test_the_officer_keeps_its_membership_work(users):
    officer = _fresh(users["officer"])
    for perm in ["view_sponsor", "view_sponsoragreement", "add_participant", "change_participant", "import_roster", "add_employer"]:
        assert officer.has_perm(f"membership.{perm}"), perm


@pytest.mark.parametrize("role", ROLES)
def test_sponsor_creation_through_the_api_by_role(api_client, users, role):
    response = api_client(users[role]).post(
        "/api/v1/sponsors", {"code": "PEMKAB-X", "name": "Pemerintah Kabupaten X", "type": "regency", "region": "14"}, content_type="application/json"
    )
    assert response.status_code == (201 if role == "admin" else 403), response.content
    assert Sponsor.objects.filter(code="PEMKAB-X").exists() is (role == "admin")


@pytest.mark.parametrize("role", ROLES)
def test_agreement_creation_through_the_api_by_role(api_client, users, sponsors, role):
    code = sponsors["dumai"].code
    response = api_client(users[role]).post(f"/api/v1/sponsors/{code}/agreements", AGREEMENT, content_type="application/json")
    assert response.status_code == (201 if role == "admin" else 403), response.content
    assert SponsorAgreement.objects.filter(number="PKS-NEW").exists() is (role == "admin")


@pytest.mark.parametrize("role", ROLES)
def test_sponsor_and_agreement_forms_by_role(client, users, sponsors, role):
    client.force_login(users[role])
    code = sponsors["dumai"].code
    expected = 200 if role == "admin" else 403
    assert client.get("/sponsors/new/").status_code == expected
    assert client.get(f"/sponsors/{code}/agreements/new/").status_code in ({expected, 404} if role == "sponsor" else {expected})
    response = client.post(
        f"/sponsors/{code}/agreements/new/",
        {"number": "PKS-WEB", "start_date": "2026-01-01", "end_date": "2026-12-31", "budget": "1000000", "quota": "5"},
    )
    if role != "admin":
        assert response.status_code in {403, 404}
        assert not SponsorAgreement.objects.filter(number="PKS-WEB").exists()
    page = client.get(f"/sponsors/{code}/")
    if page.status_code == 200:
        assert (b"agreements/new/" in page.content) is (role == "admin")
    listing = client.get("/sponsors/")
    if listing.status_code == 200:
        assert (b'data-testid="sponsor-new"' in listing.content) is (role == "admin")


def test_the_service_refuses_an_officer(users, sponsors):
    with pytest.raises(ServiceError) as exc:
        services.sponsor_create(actor=_fresh(users["officer"]), code="X1", name="X", type="city", region_code="14.72")
    assert exc.value.status == 403
    with pytest.raises(ServiceError) as exc:
        services.agreement_create(actor=_fresh(users["officer"]), sponsor=sponsors["dumai"], **AGREEMENT)
    assert exc.value.status == 403
    assert not Sponsor.objects.filter(code="X1").exists()


def test_the_cli_as_an_officer_is_refused(users, regions):
    from django.core.management import CommandError, call_command

    args = ["create", "--code", "CLI-1", "--name", "N", "--type", "city", "--region", "14.72"]
    with pytest.raises(CommandError, match="izin"):
        call_command("sponsor", "--as", users["officer"].username, *args)
    assert not Sponsor.objects.filter(code="CLI-1").exists()
    call_command("sponsor", "--as", users["admin"].username, *args)
    assert Sponsor.objects.filter(code="CLI-1").exists()


@pytest.mark.parametrize("code", ["A/B", "RIAU/2026", "=2+5", "+CMD", "-1", "@SUM", "A B", "A\x00B", "x" * 31, "PEMKOT?X", "KOTA#1"])
def test_sponsor_codes_are_validated(api_client, users, regions, code):
    response = api_client(users["admin"]).post(
        "/api/v1/sponsors", {"code": code, "name": "N", "type": "city", "region": "14.72"}, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    if response.status_code == 400:
        assert "code" in response.json()["error"]["fields"]
    assert not Sponsor.objects.filter(name="N").exists()


@pytest.mark.parametrize("code", ["PEMKOT-DUMAI-2", "A1", "riau.kab_1"])
def test_valid_sponsor_codes_are_accepted(api_client, users, regions, code):
    response = api_client(users["admin"]).post(
        "/api/v1/sponsors", {"code": code, "name": "N", "type": "city", "region": "14.72"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_an_existing_code_with_a_slash_does_not_break_the_lists(client, users, sponsors):
    """Codes from before the validation: the sponsor list answered 500 for everyone."""
    Sponsor.objects.filter(pk=sponsors["dumai"].pk).update(code="PEMKOT/DUMAI")
    client.force_login(users["admin"])
    response = client.get("/sponsors/")
    assert response.status_code == 200
    assert b"PEMKOT/DUMAI" in response.content
    assert client.get("/").status_code == 200
    client.force_login(users["sponsor"])  # the sponsor's own home page links to its profile
    assert client.get("/").status_code == 200
    assert client.get("/sponsors/").status_code == 200
    assert client.get("/reports/").status_code == 200
