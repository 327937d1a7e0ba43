import pytest
from django.apps import apps

from lindung.core.models import Job
from lindung.core.scoping import Scope, ScopedQuerySet
from lindung.membership.models import Sponsor
from lindung.registry.models import Region

pytestmark = pytest.mark.django_db

LINDUNG_APPS = {"core", "accounts", "registry", "membership", "contributions", "claims", "payouts", "reports"}


def test_every_lindung_model_declares_its_scope():
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in LINDUNG_APPS:
            continue
        scope = getattr(model, "access_scope", None)
        if not isinstance(scope, Scope) or not isinstance(model._default_manager.all(), ScopedQuerySet):
            missing.append(model._meta.label)
    assert missing == []


def test_sponsor_user_sees_only_own_sponsor(users, sponsors):
    visible = set(Sponsor.objects.visible_to(users["sponsor"]).values_list("code", flat=True))
    assert visible == {sponsors["dumai"].code}
    visible_riau = set(Sponsor.objects.visible_to(users["sponsor_riau"]).values_list("code", flat=True))
    assert visible_riau == {sponsors["riau"].code}


def test_staff_of_the_branch_and_global_roles_see_all_sponsors(users, sponsors):
    for role in ["admin", "auditor", "officer", "verifier", "branch_head", "finance"]:
        assert Sponsor.objects.visible_to(users[role]).count() == 2, role


def test_staff_of_another_branch_see_no_sponsor_of_this_branch(make_user, other_branch, sponsors):
    outsider = make_user("officer", "officer-pekanbaru", user_branch=other_branch)
    assert Sponsor.objects.visible_to(outsider).count() == 0


def test_public_models_are_visible_and_staff_only_models_are_not(users, sponsors):
    assert Region.objects.visible_to(users["sponsor"]).filter(code="14.72").exists()
    from lindung.core import audit
    from lindung.core.models import AuditEvent

    audit.record(actor=None, action="x", object_type="y")
    assert AuditEvent.objects.visible_to(users["sponsor"]).count() == 0
    assert AuditEvent.objects.visible_to(users["auditor"]).count() >= 1


def test_jobs_are_scoped_by_sponsor(users, sponsors):
    own = Job.objects.create(kind="k", sponsor_ref=sponsors["dumai"].pk)
    other = Job.objects.create(kind="k", sponsor_ref=sponsors["riau"].pk)
    seen = set(Job.objects.visible_to(users["sponsor"]).values_list("pk", flat=True))
    assert own.pk in seen and other.pk not in seen


def test_anonymous_and_inactive_users_see_nothing(users, sponsors):
    from django.contrib.auth.models import AnonymousUser

    assert Sponsor.objects.visible_to(AnonymousUser()).count() == 0
    user = users["admin"]
    user.is_active = False
    user.save()
    from lindung.accounts.models import User

    assert Sponsor.objects.visible_to(User.objects.get(pk=user.pk)).count() == 0


def test_sponsor_role_without_sponsor_sees_nothing(db, regions, sponsors):
    from django.contrib.auth.models import Group

    from lindung.accounts.models import User

    orphan = User.objects.create_user("orphan", password="x" * 12)
    orphan.groups.add(Group.objects.get(name="sponsor"))
    orphan = User.objects.get(pk=orphan.pk)
    assert Sponsor.objects.visible_to(orphan).count() == 0


class TestSponsorCannotReadAnotherSponsorByAnyUrl:
    def test_web_detail_of_other_sponsor_is_404(self, client, users, sponsors):
        client.force_login(users["sponsor"])
        assert client.get(f"/sponsors/{sponsors['dumai'].code}/").status_code == 200
        response = client.get(f"/sponsors/{sponsors['riau'].code}/")
        assert response.status_code == 404
        assert b"Pemerintah Provinsi Riau" not in response.content

    def test_web_list_shows_only_own(self, client, users, sponsors):
        client.force_login(users["sponsor"])
        body = client.get("/sponsors/").content.decode()
        assert "Pemerintah Kota Dumai" in body and "Pemerintah Provinsi Riau" not in body

    def test_api_detail_and_list(self, api_client, users, sponsors):
        c = api_client(users["sponsor"])
        assert c.get(f"/api/v1/sponsors/{sponsors['dumai'].code}").status_code == 200
        response = c.get(f"/api/v1/sponsors/{sponsors['riau'].code}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        codes = [s["code"] for s in c.get("/api/v1/sponsors").json()["items"]]
        assert codes == [sponsors["dumai"].code]

    def test_job_of_other_sponsor_by_web_and_api(self, client, api_client, users, sponsors):
        other = Job.objects.create(kind="k", sponsor_ref=sponsors["riau"].pk)
        client.force_login(users["sponsor"])
        assert client.get(f"/jobs/{other.pk}/").status_code == 404
        assert api_client(users["sponsor"]).get(f"/api/v1/jobs/{other.pk}").status_code == 404

    def test_every_sponsor_object_url_is_refused(self, client, users, sponsors):
        """Walk every URL pattern with a ``code`` or ``job_id`` parameter and fill it with the other
        sponsor's identifiers: none may answer 200."""
        from django.urls import get_resolver
        from django.urls.resolvers import URLPattern, URLResolver

        other_job = Job.objects.create(kind="k", sponsor_ref=sponsors["riau"].pk)
        values = {"code": sponsors["riau"].code, "job_id": str(other_job.pk)}
        client.force_login(users["sponsor"])

        def walk(resolver, prefix=""):
            for p in resolver.url_patterns:
                if isinstance(p, URLResolver):
                    yield from walk(p, prefix + str(p.pattern))
                elif isinstance(p, URLPattern):
                    yield prefix + str(p.pattern)

        checked = 0
        for route in walk(get_resolver()):
            if route.startswith("admin/") or "<" not in route:
                continue
            path = route
            ok = True
            import re

            for m in re.finditer(r"<(?:\w+:)?(\w+)>", route):
                if m.group(1) not in values:
                    ok = False
                    break
                path = path.replace(m.group(0), values[m.group(1)])
            if not ok:
                continue
            response = client.get("/" + path.lstrip("^").rstrip("$"))
            # 405: a POST-only action (retry, cancel) answers a GET before any lookup, naming nothing.
            assert response.status_code in (403, 404, 405), path
            checked += 1
        assert checked >= 2


def test_branch_staff_without_a_branch_see_nothing(db, regions, sponsors):
    """Fail closed: an officer created without a branch office (say, in the admin site) does not
    see every branch's rows."""
    from django.contrib.auth.models import Group

    from lindung.accounts.models import User

    stray = User.objects.create_user("stray-officer", password="x" * 12)
    stray.groups.add(Group.objects.get(name="officer"))
    stray = User.objects.get(pk=stray.pk)
    assert Sponsor.objects.visible_to(stray).count() == 0
    assert Job.objects.visible_to(stray).count() == 0
