"""Shared fixtures: one user per role, two sponsors, API clients."""

from __future__ import annotations

import pytest

from lindung.demo.base import DUMAI_SPONSOR, RIAU_SPONSOR

PASSWORD = "correct-horse-battery-staple"


def _flush_with_audit_purge_permit():
    """Transactional tests end with a database flush; the audit trail's triggers refuse deletes
    unless the connection holds the purge permit, so the suite's flush takes it."""
    from django.core.management.commands import flush

    from lindung.core.audit import purge_permitted

    original = flush.Command.handle
    if getattr(original, "_lindung_wrapped", False):
        return

    def handle(self, **options):
        with purge_permitted(options.get("database", "default")):
            return original(self, **options)

    handle._lindung_wrapped = True
    flush.Command.handle = handle


_flush_with_audit_purge_permit()


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path_factory):
    """Every test writes its files (uploads, error files, cards) under a directory of its own, so
    parallel workers (pytest-xdist), whose databases hand out the same ids, never share a path."""
    data_dir = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = data_dir
    settings.MEDIA_ROOT = data_dir / "media"
    return data_dir


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Indonesian): a request with the English language
    cookie activates English on the test's thread, and service messages are translated when raised."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def regions(db):
    from lindung.registry.services import import_bundled_regions

    import_bundled_regions()


@pytest.fixture
def branch(regions):
    from lindung.accounts.models import Branch
    from lindung.registry.models import Region

    return Branch.objects.create(code="DUMAI", name="Kantor Cabang Dumai", region=Region.objects.get(code="14.72"))


@pytest.fixture
def other_branch(regions):
    from lindung.accounts.models import Branch

    return Branch.objects.create(code="PEKANBARU", name="Kantor Cabang Pekanbaru")


@pytest.fixture
def sponsors(branch):
    from lindung.membership import services
    from lindung.membership.models import Sponsor

    dumai = services.sponsor_create(
        actor=None, code=DUMAI_SPONSOR, name="Pemerintah Kota Dumai", type=Sponsor.Type.CITY, region_code="14.72", branch=branch
    )
    riau = services.sponsor_create(
        actor=None, code=RIAU_SPONSOR, name="Pemerintah Provinsi Riau", type=Sponsor.Type.PROVINCE, region_code="14", branch=branch
    )
    return {"dumai": dumai, "riau": riau}


@pytest.fixture
def make_user(db, branch, sponsors):
    from lindung.accounts import services

    def make(role: str, username: str | None = None, *, sponsor: str = "dumai", user_branch=None):
        return services.user_create(
            actor=None,
            username=username or f"{role}-user",
            password=PASSWORD,
            roles=[role],
            branch=None if role == "sponsor" else (user_branch or branch),
            sponsor=sponsors[sponsor] if role == "sponsor" else None,
            full_name=f"{role.title()} Tester",
        )

    return make


@pytest.fixture
def users(make_user):
    roles = ["admin", "officer", "verifier", "branch_head", "finance", "auditor"]
    out = {role: make_user(role) for role in roles}
    out["sponsor"] = make_user("sponsor", "disnaker-dumai", sponsor="dumai")
    out["sponsor_riau"] = make_user("sponsor", "disnaker-riau", sponsor="riau")
    return out


@pytest.fixture
def api_client():
    """A Django test client that calls the API with a user's token: ``api_client(user).get(...)``."""
    from django.test import Client

    from lindung.accounts.services import token_create

    def for_user(user):
        _token, key = token_create(actor=None, user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return for_user
