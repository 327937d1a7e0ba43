"""A sponsor user cannot read or change another sponsor's data by any URL, web or API.

The demo data (Dumai's programme, self-paying BPU workers, an employer and a project) is loaded
once per test; Riau's sponsor user then tries every URL pattern of the site and of the API, each
path parameter filled with an object that is not Riau's. Every URL pattern with a parameter must be
listed in ``FILLS`` (or ``PUBLIC``, with the reason), so a new page or endpoint cannot slip past
this test. A positive control proves the objects exist: an administrator reads every URL.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from lindung.demo.base import DUMAI_SPONSOR, RIAU_SPONSOR

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

# Routes whose parameters name no sponsor's data, or that are public by design.
PUBLIC = {
    "roster/template.<str:fmt>": "the blank roster template",
    "verify/<str:kpj>/<str:token>/": "the card verification page (public; a wrong token answers 404, checked below)",
    "api/v1/regions/<code>": "regions are public reference data",
}


def _routes():
    def walk(resolver, prefix=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return [r for r in dict.fromkeys(walk(get_resolver())) if not r.startswith("admin/")]


@pytest.fixture
def demo(db, settings, tmp_path, monkeypatch):
    """The demo data with a small roster, and the identifiers of objects that are not Riau's."""
    from lindung.contributions.models import ContributionPayment, Invoice
    from lindung.core.models import Job
    from lindung.demo import sponsorship as demo_sponsorship
    from lindung.demo.loading import load_demo
    from lindung.membership import cards
    from lindung.membership.models import Employer, Participant, Project, RosterImport, Sponsor
    from lindung.registry.models import FamilyMember

    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    monkeypatch.setattr(demo_sponsorship, "DEMO_ROWS", 12)
    load_demo()

    dumai = Sponsor.objects.get(code=DUMAI_SPONSOR)
    sponsored = Participant.objects.filter(sponsor=dumai).select_related("person").order_by("pk").first()
    bpu = Participant.objects.filter(sponsor__isnull=True, segment="BPU").select_related("person").order_by("pk").first()
    member = FamilyMember.objects.filter(person=bpu.person).order_by("pk").first()
    invoice = Invoice.objects.filter(sponsor=dumai).order_by("pk").first()
    payment = ContributionPayment.objects.filter(sponsor=dumai).order_by("pk").first()
    roster_import = RosterImport.objects.filter(sponsor=dumai).order_by("pk").first()
    card_job = cards.start_sponsor_cards(dumai, actor=None, base_url="http://testserver")
    card_job.refresh_from_db()
    assert card_job.status == Job.Status.SUCCEEDED, card_job.error
    assert all([sponsored, bpu, member, invoice, payment, roster_import]), "the demo data changed"
    import datetime as dt

    from lindung.accounts.models import User
    from lindung.claims import intake, services
    from lindung.claims.models import ClaimDocument
    from lindung.registry.models import FamilyMember

    deceased = Participant.objects.filter(sponsor=dumai).exclude(pk=sponsored.pk).order_by("pk").first()
    FamilyMember.objects.create(
        person=deceased.person, relation="spouse", nik="1472014101800001", full_name="Ahli Waris Dumai", birth_date=dt.date(1980, 1, 1), sex="F"
    )
    officer, verifier, head = (User.objects.get(username=u) for u in ("petugas", "verifikator", "kepala"))
    claim = intake.report_death(deceased, actor=officer, death_date=min(dt.date.today(), deceased.start_date + dt.timedelta(days=10)))
    intake.open_claim(claim, actor=officer, claimant_name="Ahli Waris Dumai")
    services.heirs_service.set_payees(
        claim, [{"heir": claim.heirs.get(relation="spouse").pk, "bank_code": "119", "account_number": "1234567890"}], actor=officer
    )
    from lindung.claims.documents import checklist

    for item in checklist(claim):
        if item.required:
            ClaimDocument.objects.create(claim=claim, code=item.code, uploaded_by=officer, check_result="accepted", checked_by=verifier)
    document = claim.documents.order_by("pk").first()
    for step, user in (("submit", officer), ("verify", verifier), ("approve", head)):
        services.take_step(claim, step, actor=user)
    assert claim.status == "ready_for_payment", claim.checks
    payouts = _payouts(claim, deceased, head)
    from tests.factories import ChangeProposalFactory, HeldRowFactory

    held_row = HeldRowFactory(roster_import=roster_import, person=bpu.person)
    proposal = ChangeProposalFactory(roster_import=roster_import, person=sponsored.person)
    return {
        **payouts,
        "held_row": held_row,
        "proposal": proposal,
        "dumai_user": User.objects.get(username="disnaker"),
        "claim": claim,
        "document": document,
        "dumai": dumai,
        "sponsored": sponsored,
        "bpu": bpu,
        "member": member,
        "invoice": invoice,
        "payment": payment,
        "roster_import": roster_import,
        "card_job": card_job,
        "employer": Employer.objects.order_by("pk").first(),
        "project": Project.objects.order_by("pk").first(),
    }


def _payouts(claim, deceased, head):
    """Dumai's payment order and batch for the claim, a hand-over event and a school year of a
    child's scholarship (the schedule from the rules engine, placed on the frozen benefit)."""
    import datetime as dt

    from lindung.accounts.models import User
    from lindung.payouts import services as payouts
    from lindung.payouts.models import ScholarshipYear
    from tests.payouts.helpers import with_scholarship

    with_scholarship(claim, [("Anak Dumai", dt.date(2012, 9, 1), "SD", 5)])
    finance = User.objects.get(username="keuangan")
    orders = payouts.create_orders_for_claim(claim, actor=finance)
    batch = payouts.create_batch(orders, actor=finance)
    payouts.authorise_batch(batch, actor=User.objects.get(username="bendahara"))
    event = payouts.create_handover_event(actor=head, title="Penyerahan santunan", date=dt.date.today(), place="Dumai", claims=[claim])
    year = ScholarshipYear.objects.filter(schedule__claim=claim).order_by("pk").first()
    if year is None:
        payouts.open_school_year(payouts.current_school_year(), actor=head)
        year = ScholarshipYear.objects.filter(schedule__claim=claim).order_by("pk").first()
    assert orders and year is not None, "the claim's orders and scholarship year exist"
    return {"order": orders[0], "batch": batch, "event": event, "scholarship_year": year, "schedule": year.schedule}


def fills(d) -> dict[str, list[dict[str, str]]]:
    """For each URL pattern with parameters: the values to try (objects that are not Riau's)."""
    code = d["dumai"].code
    kpjs = [d["sponsored"].kpj_number, d["bpu"].kpj_number]
    person_pks = [str(d["sponsored"].person_id), str(d["bpu"].person_id)]
    npp, number = d["employer"].npp, d["project"].number
    invoice, roster_pk = d["invoice"].number, str(d["roster_import"].pk)
    member = {"pk": str(d["bpu"].person_id), "person_id": str(d["bpu"].person_id), "member_id": str(d["member"].pk)}
    by_code = [{"code": code}]
    by_kpj = [{"kpj": k} for k in kpjs]
    by_person = [{"pk": p, "person_id": p} for p in person_pks]
    by_claim = [{"number": d["claim"].number}]
    ri = d["roster_import"]
    file_ids = [str(f) for f in (ri.stored_file_id, ri.error_file_id, d["card_job"].result.get("file_id")) if f]
    assert len(file_ids) >= 2, "the demo's roster import and card job keep their files"
    return {
        # web
        "sponsors/<str:code>/": by_code,
        "sponsors/<str:code>/agreements/new/": by_code,
        "sponsors/<str:code>/roster/": by_code,
        "sponsors/<str:code>/cards/": by_code,
        "roster/imports/<int:pk>/": [{"pk": roster_pk}],
        "roster/imports/<int:pk>/errors/": [{"pk": roster_pk}],
        "roster/imports/<int:pk>/columns/": [{"pk": roster_pk}],
        "verification/rows/<int:pk>/": [{"pk": str(d["held_row"].pk)}],
        "verification/changes/<int:pk>/": [{"pk": str(d["proposal"].pk)}],
        "participants/<str:kpj>/": by_kpj,
        "participants/<str:kpj>/card.pdf": by_kpj,
        "participants/<str:kpj>/end/": by_kpj,
        "cards/<uuid:job_id>/download/": [{"job_id": str(d["card_job"].pk)}],
        "persons/<int:pk>/": by_person,
        "persons/<int:pk>/edit/": by_person,
        "persons/<int:pk>/family/add/": by_person,
        "persons/<int:pk>/family/<int:member_id>/edit/": [member],
        "persons/<int:pk>/family/<int:member_id>/remove/": [member],
        "employers/<str:npp>/": [{"npp": npp}],
        "employers/<str:npp>/workers/add/": [{"npp": npp}],
        "employers/<str:npp>/wages/": [{"npp": npp}],
        "projects/<str:number>/": [{"number": number}],
        "contributions/invoices/<str:number>/": [{"number": invoice}],
        "contributions/invoices/<str:number>/pdf/": [{"number": invoice}],
        "contributions/participants/<str:kpj>/": by_kpj,
        "contributions/participants/<str:kpj>/pdf/": by_kpj,
        "contributions/sponsors/<str:code>/statement/": by_code,
        "jobs/<uuid:job_id>/": [{"job_id": str(d["card_job"].pk)}],
        "files/<uuid:file_id>/": [{"file_id": f} for f in file_ids],
        "jobs/<uuid:job_id>/retry/": [{"job_id": str(d["card_job"].pk)}],
        "jobs/<uuid:job_id>/cancel/": [{"job_id": str(d["card_job"].pk)}],
        "claims/<str:number>/": by_claim,
        "claims/<str:number>/intake/": by_claim,
        "claims/<str:number>/steps/<str:name>/": [{**by_claim[0], "name": step} for step in ("open", "submit", "approve")],
        "claims/<str:number>/outreach/": by_claim,
        "claims/<str:number>/documents/<int:document_id>/check/": [{**by_claim[0], "document_id": str(d["document"].pk)}],
        "claims/<str:number>/transfer/": by_claim,
        "claims/<str:number>/letter.pdf": by_claim,
        "accounts/users/<int:pk>/password/": [{"pk": str(d["dumai_user"].pk)}],
        "payouts/claims/<str:number>/orders": by_claim,
        "payouts/orders/<str:number>/": [{"number": d["order"].number}],
        "payouts/batches/<str:number>/": [{"number": d["batch"].number}],
        "payouts/batches/<str:number>/export/<str:kind>": [{"number": d["batch"].number, "kind": k} for k in ("pain001", "csv")],
        "payouts/events/<int:pk>/": [{"pk": str(d["event"].pk)}],
        "payouts/events/<int:pk>/pdf": [{"pk": str(d["event"].pk)}],
        "reports/sponsors/<str:code>/": by_code,
        "reports/sponsors/<str:code>/download.<str:fmt>": [{"code": code, "fmt": f} for f in ("xlsx", "pdf")],
        # API
        "api/v1/jobs/<job_id>": [{"job_id": str(d["card_job"].pk)}],
        "api/v1/files/<file_id>": [{"file_id": f} for f in file_ids],
        "api/v1/jobs/<job_id>/retry": [{"job_id": str(d["card_job"].pk)}],
        "api/v1/jobs/<job_id>/cancel": [{"job_id": str(d["card_job"].pk)}],
        "api/v1/persons/<person_id>": by_person,
        "api/v1/persons/<person_id>/family": by_person,
        "api/v1/persons/<person_id>/family/<member_id>": [member],
        "api/v1/sponsors/<code>": by_code,
        "api/v1/sponsors/<code>/agreements": by_code,
        "api/v1/sponsors/<code>/cards": by_code,
        "api/v1/roster-imports/<import_id>": [{"import_id": roster_pk}],
        "api/v1/roster-imports/<import_id>/errors": [{"import_id": roster_pk}],
        "api/v1/roster-imports/<import_id>/rejected": [{"import_id": roster_pk}],
        "api/v1/roster-imports/<import_id>/held": [{"import_id": roster_pk}],
        "api/v1/held-rows/<row_id>": [{"row_id": str(d["held_row"].pk)}],
        "api/v1/held-rows/<row_id>/accept": [{"row_id": str(d["held_row"].pk)}],
        "api/v1/held-rows/<row_id>/reject": [{"row_id": str(d["held_row"].pk)}],
        "api/v1/change-proposals/<proposal_id>": [{"proposal_id": str(d["proposal"].pk)}],
        "api/v1/change-proposals/<proposal_id>/accept": [{"proposal_id": str(d["proposal"].pk)}],
        "api/v1/change-proposals/<proposal_id>/reject": [{"proposal_id": str(d["proposal"].pk)}],
        "api/v1/participants/<kpj>": by_kpj,
        "api/v1/participants/<kpj>/end": by_kpj,
        "api/v1/participants/<kpj>/card.pdf": by_kpj,
        "api/v1/employers/<npp>": [{"npp": npp}],
        "api/v1/employers/<npp>/workers": [{"npp": npp}],
        "api/v1/employers/<npp>/wages": [{"npp": npp}],
        "api/v1/employers/<npp>/wages/csv": [{"npp": npp}],
        "api/v1/projects/<number>": [{"number": number}],
        "api/v1/contributions/invoices/<number>": [{"number": invoice}],
        "api/v1/contributions/invoices/<number>/pdf": [{"number": invoice}],
        "api/v1/contributions/invoices/<number>/settle-arrears": [{"number": invoice}],
        "api/v1/contributions/invoices/<number>/cancel": [{"number": invoice}],
        "api/v1/contributions/payments/<pk>/match": [{"pk": str(d["payment"].pk)}],
        "api/v1/contributions/coverage/<kpj>": [{**v, "?": "on=2024-01-15"} for v in by_kpj],
        "api/v1/contributions/participants/<kpj>/statement": by_kpj,
        "api/v1/contributions/participants/<kpj>/refund-after-death": by_kpj,
        "api/v1/contributions/participants/<kpj>/prepay": by_kpj,
        "api/v1/contributions/sponsors/<code>/statement": by_code,
        "api/v1/claims/<number>": by_claim,
        "api/v1/claims/<number>/open": by_claim,
        "api/v1/claims/<number>/heirs": by_claim,
        "api/v1/claims/<number>/payees": by_claim,
        "api/v1/claims/<number>/documents": by_claim,
        "api/v1/claims/<number>/letter": by_claim,
        "api/v1/claims/<number>/documents/<document_id>/check": [{**by_claim[0], "document_id": str(d["document"].pk)}],
        "api/v1/claims/<number>/reimbursements": by_claim,
        "api/v1/claims/<number>/outreach": by_claim,
        "api/v1/claims/<number>/overrides": by_claim,
        "api/v1/claims/<number>/steps/<step>": [{**by_claim[0], "step": step} for step in ("submit", "verify", "approve")],
        "api/v1/claims/<number>/transfer": by_claim,
        "api/v1/payouts/orders/<number>": [{"number": d["order"].number}],
        "api/v1/payouts/claims/<number>/orders": by_claim,
        "api/v1/payouts/orders/<number>/reissue": [{"number": d["order"].number}],
        "api/v1/payouts/batches/<number>": [{"number": d["batch"].number}],
        "api/v1/payouts/batches/<number>/orders": [{"number": d["batch"].number}],
        "api/v1/payouts/batches/<number>/authorise": [{"number": d["batch"].number}],
        "api/v1/payouts/batches/<number>/cancel": [{"number": d["batch"].number}],
        "api/v1/payouts/batches/<number>/pain001": [{"number": d["batch"].number}],
        "api/v1/payouts/batches/<number>/csv": [{"number": d["batch"].number}],
        "api/v1/payouts/batches/<number>/answer": [{"number": d["batch"].number}],
        "api/v1/payouts/handover-events/<event_id>": [{"event_id": str(d["event"].pk)}],
        "api/v1/payouts/handover-events/<event_id>/pdf": [{"event_id": str(d["event"].pk)}],
        "api/v1/payouts/scholarships/<year_id>/enrolment": [{"year_id": str(d["scholarship_year"].pk)}],
        "api/v1/payouts/scholarships/<year_id>/proof": [{"year_id": str(d["scholarship_year"].pk)}],
        "api/v1/payouts/scholarships/<year_id>/not-in-school": [{"year_id": str(d["scholarship_year"].pk)}],
        "api/v1/payouts/scholarships/<year_id>/approve": [{"year_id": str(d["scholarship_year"].pk)}],
        "api/v1/payouts/scholarship-schedules/<schedule_id>/stop": [{"schedule_id": str(d["schedule"].pk)}],
        "api/v1/payouts/claims/<number>/history": by_claim,
        "api/v1/payouts/heirs/<nik>/history": [{"nik": "1472014101800001"}],
        "api/v1/reports/sponsors/<code>": by_code,
        "api/v1/reports/sponsors/<code>/xlsx": by_code,
        "api/v1/reports/sponsors/<code>/pdf": by_code,
    }


def _fill(route: str, values: dict[str, str]) -> str:
    """The path for ``route``; a ``?`` entry in ``values`` is the query string."""
    path = "/" + PARAM.sub(lambda m: values[m.group(1)], route)
    return path + ("?" + values["?"] if "?" in values else "")


def _secrets(d) -> list[str]:
    """Strings that must never reach Riau's sponsor user: identifiers and names of others' data."""
    from lindung.membership.models import Participant

    out = [d["dumai"].name, d["invoice"].number, d["employer"].npp, d["project"].number, "PKS-DUMAI", d["claim"].number]
    for p in Participant.objects.select_related("person").exclude(sponsor__code=RIAU_SPONSOR):
        out += [p.kpj_number, p.person.nik]
    return out


def _writes():
    """Row counts of every Lindung model: a refused request changes none of them."""
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m.__module__.startswith("lindung.")}


def test_every_url_with_a_parameter_is_covered(demo):
    listed = set(fills(demo)) | set(PUBLIC)
    missing = [r for r in _routes() if PARAM.search(r) and r not in listed]
    assert missing == [], "add these URL patterns to FILLS (or PUBLIC, with the reason)"
    stale = sorted(listed - set(_routes()))
    assert stale == []


def test_other_sponsors_objects_answer_404_or_403_by_every_method(demo, api_client):
    from lindung.accounts.models import User

    riau = User.objects.get(username="disnaker-riau")
    web = Client()
    web.force_login(riau)
    api = api_client(riau)
    before = _writes()
    secrets = _secrets(demo)
    tried = 0
    for route, values_list in fills(demo).items():
        client = api if route.startswith("api/") else web
        for values in values_list:
            path = _fill(route, values)
            for method in ("get", "post", "put", "patch", "delete"):
                if method == "get":
                    response = client.get(path)
                else:
                    response = getattr(client, method)(path, data="{}", content_type="application/json")
                allowed = (403, 404, 405)
                if method != "get" and client is api:
                    # An empty body can fail validation before the handler looks anything up.
                    allowed += (422,)
                assert response.status_code in allowed, (method.upper(), path, response.status_code)
                if not getattr(response, "streaming", False):
                    # An error message may repeat what the request itself named.
                    body = response.content.decode("utf-8", "replace")
                    leaked = [s for s in secrets if s and s in body and s not in path]
                    assert leaked == [], (method.upper(), path, leaked)
                tried += 1
    assert _writes() == before
    assert tried > 200


def test_lists_show_nothing_of_other_sponsors(demo, api_client):
    """Every page and endpoint without a parameter, with and without a filter naming Dumai."""
    from lindung.accounts.models import User

    riau = User.objects.get(username="disnaker-riau")
    web = Client()
    web.force_login(riau)
    api = api_client(riau)
    secrets = _secrets(demo)
    checked = 0
    for route in _routes():
        if PARAM.search(route) or route.endswith(("openapi.json", "docs")):
            continue
        client = api if route.startswith("api/") else web
        for query in ("", f"?sponsor={DUMAI_SPONSOR}&sponsor_code={DUMAI_SPONSOR}&q=Dumai&page_size=500"):
            response = client.get(_fill(route, {}) + query)
            assert response.status_code in (200, 302, 403, 404, 405, 422), (route, response.status_code)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                body = response.content.decode("utf-8", "replace")
                leaked = [s for s in secrets if s and s in body]
                assert leaked == [], (route + query, leaked[:5])
            checked += 1
    assert checked > 40


def test_positive_control_the_objects_exist(demo, api_client):
    """The same URLs answer an administrator (so the 404s above come from scoping), and Dumai's own
    sponsor user reads its own sponsored participant, invoice and roster import."""
    from lindung.accounts.models import User

    admin = User.objects.get(username="admin")
    web = Client()
    web.force_login(admin)
    api = api_client(admin)
    for route, values_list in fills(demo).items():
        client = api if route.startswith("api/") else web
        for values in values_list:
            path = _fill(route, values)
            response = client.get(path)
            if response.status_code == 405:  # a write-only endpoint
                continue
            assert response.status_code == 200, (path, response.status_code)

    own = Client()
    own.force_login(User.objects.get(username="disnaker"))
    d = demo
    for path in [
        f"/sponsors/{d['dumai'].code}/",
        f"/participants/{d['sponsored'].kpj_number}/",
        f"/contributions/invoices/{d['invoice'].number}/",
        f"/roster/imports/{d['roster_import'].pk}/",
    ]:
        assert own.get(path).status_code == 200, path
    own_api = api_client(User.objects.get(username="disnaker"))
    assert own_api.get(f"/api/v1/participants/{d['sponsored'].kpj_number}").status_code == 200
    assert own_api.get(f"/api/v1/participants/{d['bpu'].kpj_number}").status_code == 404


def test_card_verification_needs_the_cards_token(demo, client):
    kpj = demo["sponsored"].kpj_number
    assert client.get(f"/verify/{kpj}/not-the-token/").status_code == 404
