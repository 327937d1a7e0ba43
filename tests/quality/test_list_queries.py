"""Every list page answers in a bounded number of queries, the same for 2 rows as for 12: a query
per row (an N+1) fails here. Data from the factories."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AgreementFactory,
    ChangeProposalFactory,
    EmployerFactory,
    HeldRowFactory,
    ParticipantFactory,
    PersonFactory,
    ProjectFactory,
    RosterImportFactory,
    SponsoredParticipantFactory,
    SponsorFactory,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20  # session, user, permissions, the page's own reads and its pager


def _sponsors(n, branch):
    for _ in range(n):
        SponsorFactory(branch=branch)


def _participants(n, branch):
    agreement = AgreementFactory(sponsor=SponsorFactory(branch=branch))
    for _ in range(n):
        SponsoredParticipantFactory(agreement=agreement)


def _employers(n, branch):
    for _ in range(n):
        ParticipantFactory(segment="PU", risk_class="low", employer=EmployerFactory(branch=branch))


def _projects(n, branch):
    for _ in range(n):
        ProjectFactory(branch=branch, contractor=EmployerFactory(branch=branch))


def _persons(n, branch):
    for _ in range(n):
        PersonFactory()


def _audit(n, branch):
    from lindung.core import audit

    sponsor = SponsorFactory(branch=branch)
    for i in range(n):
        audit.record(actor=None, action="sponsor.update", obj=sponsor, changes={"name": [str(i), str(i + 1)]}, summary="changed")


def _held(n, branch):
    batch = RosterImportFactory(agreement=AgreementFactory(sponsor=SponsorFactory(branch=branch)))
    for _ in range(n):
        HeldRowFactory(roster_import=batch)


def _proposals(n, branch):
    batch = RosterImportFactory(agreement=AgreementFactory(sponsor=SponsorFactory(branch=branch)))
    for _ in range(n):
        ChangeProposalFactory(roster_import=batch)


LISTS = {
    "/sponsors/": _sponsors,
    "/participants/": _participants,
    "/employers/": _employers,
    "/projects/": _projects,
    "/persons/": _persons,
    "/audit/": _audit,
    "/verification/": _held,
    "/verification/?tab=proposals": _proposals,
}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", list(LISTS))
def test_list_pages_make_no_query_per_row(url, users, branch, client):
    client.force_login(users["admin"])
    LISTS[url](2, branch)
    few = _count(client, url)
    LISTS[url](10, branch)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries for a few rows, {many} for more (a query per row)"
    assert many <= MAX_QUERIES, f"{url}: {many} queries"


API_LISTS = {
    "/api/v1/sponsors": _sponsors,
    "/api/v1/participants": _participants,
    "/api/v1/employers": _employers,
    "/api/v1/persons": _persons,
    "/api/v1/held-rows": _held,
    "/api/v1/change-proposals": _proposals,
}


@pytest.mark.parametrize("url", list(API_LISTS))
def test_api_lists_make_no_query_per_row(url, users, branch, api_client):
    client = api_client(users["admin"])
    _count(client, url)  # the token's first use is recorded once
    API_LISTS[url](2, branch)
    few = _count(client, url)
    API_LISTS[url](10, branch)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries for a few rows, {many} for more (a query per row)"
    assert many <= MAX_QUERIES, f"{url}: {many} queries"


def test_person_forms_do_not_load_every_village(users, client, regions, django_assert_max_num_queries):
    """The village choice is bounded: with more villages than a list can hold it becomes a code to
    type (validated), instead of a select of every village in Indonesia."""
    from lindung.registry import forms
    from lindung.registry.models import Region

    client.force_login(users["officer"])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get("/participants/register/bpu/").content.decode()
    villages = Region.objects.filter(level=Region.Level.VILLAGE).count()
    assert villages and page.count("<option") >= villages  # the bundled list is small: a select
    form = forms.PersonForm(village_limit=villages - 1)
    assert form.fields["region"].widget.input_type == "text"
    code = Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True).first()
    data = {"nik": "1472024101900001", "full_name": "Siti", "birth_date": dt.date(1990, 1, 1), "sex": "F"}
    assert forms.PersonForm({**data, "region": code}, village_limit=1).is_valid()
    bad = forms.PersonForm({**data, "region": "99.99.99.9999"}, village_limit=1)
    assert not bad.is_valid() and "region" in bad.errors
