"""The base of the demo data: Dumai's regions, its branch office, the two sponsors and one user per
role (password ``LINDUNG_DEMO_PASSWORD``). Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password

from lindung.accounts import services as account_services
from lindung.accounts.models import Branch, User
from lindung.membership import services as membership_services
from lindung.membership.models import Sponsor
from lindung.registry.models import Region
from lindung.registry.services import import_bundled_regions

DUMAI_SPONSOR = "PEMKO-DUMAI"
RIAU_SPONSOR = "PEMPROV-RIAU"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    sponsor: str | None = None


DEMO_USERS = [
    DemoUser("admin", "Admin Lindung", "admin"),
    DemoUser("petugas", "Rina Petugas", "officer"),
    DemoUser("verifikator", "Bayu Verifikator", "verifier"),
    DemoUser("kepala", "Legi Kepala Cabang", "branch_head"),
    DemoUser("keuangan", "Sari Keuangan", "finance"),
    DemoUser("bendahara", "Dewi Bendahara", "finance"),  # the second person who authorises payment batches
    DemoUser("disnaker", "Satrio Disnaker Dumai", "sponsor", DUMAI_SPONSOR),
    DemoUser("disnaker-riau", "Staf Disnakertrans Riau", "sponsor", RIAU_SPONSOR),
    DemoUser("auditor", "Audi Auditor", "auditor"),
]


def load_base() -> dict:
    """Regions, branch, sponsors and users; the context the demo steps get:
    ``{"branch", "sponsors" (by code), "users_created"}``."""
    import_bundled_regions()
    branch, _ = Branch.objects.get_or_create(
        code="DUMAI",
        defaults={"name": "Kantor Cabang Dumai", "region": Region.objects.get(code="14.72"), "address": "Jl. Sultan Syarif Kasim, Dumai"},
    )
    sponsors = {}
    for code, name, type_, region in [
        (DUMAI_SPONSOR, "Pemerintah Kota Dumai", Sponsor.Type.CITY, "14.72"),
        (RIAU_SPONSOR, "Pemerintah Provinsi Riau", Sponsor.Type.PROVINCE, "14"),
    ]:
        sponsor = Sponsor.objects.filter(code=code).first() or membership_services.sponsor_create(
            actor=None, code=code, name=name, type=type_, region_code=region, funding_source=Sponsor.FundingSource.APBD, branch=branch
        )
        sponsors[code] = sponsor
    created_users = []
    missing = [demo for demo in DEMO_USERS if not User.objects.filter(username=demo.username).exists()]
    # The demo users share one known password: it is hashed once (each hash takes the hasher's
    # full work factor, about half a second, and nine of them were a tenth of a small build).
    encoded = make_password(settings.LINDUNG_DEMO_PASSWORD) if missing else ""

    def set_password(user, _raw):
        user.password = encoded

    for demo in missing:
        with mock.patch.object(User, "set_password", set_password):
            account_services.user_create(
                actor=None,
                username=demo.username,
                password=settings.LINDUNG_DEMO_PASSWORD,
                roles=[demo.role],
                branch=None if demo.sponsor else branch,
                sponsor=sponsors[demo.sponsor] if demo.sponsor else None,
                full_name=demo.full_name,
            )
        created_users.append(demo.username)
    if "admin" in created_users:
        User.objects.filter(username="admin").update(is_superuser=True, is_staff=True)
    return {"branch": branch, "sponsors": sponsors, "users_created": created_users}
