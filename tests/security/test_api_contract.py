"""The API keeps its contract (issue 10): schemathesis generates requests for every operation of
``/api/v1/openapi.json`` — valid ones and invalid ones — and sends them to the WSGI application on
the test database, as a staff user with broad rights (the administrator) and as a sponsor's user.
Every answer must be no server error, a status code the operation documents, in the content type
and the body schema it documents; a request the schema calls valid is not refused as invalid (422),
one it calls invalid is not accepted. ``schemathesis.toml`` holds the settings the checks share
with a longer run by hand (``docs/security.md``).

Bounded for CI: ``LINDUNG_API_CONTRACT_EXAMPLES`` examples per operation and kind of data
(default 2; the same ones on every run), no shrinking
unless ``LINDUNG_API_CONTRACT_SHRINK=1``."""

from __future__ import annotations

import hashlib
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from lindung.demo.base import DUMAI_SPONSOR
from tests.payouts.conftest import covered_workers, employer, make_agreement, make_workers, ready_claim, valid_nik_workers  # noqa: F401

EXAMPLES = int(os.environ.get("LINDUNG_API_CONTRACT_EXAMPLES", "2"))
SHRINK = os.environ.get("LINDUNG_API_CONTRACT_SHRINK") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure in CI is a failure on a laptop
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.target] + ([Phase.shrink] if SHRINK else []),
)

# Path parameters that name real objects of the test data, so that operations are tested beyond
# their 404 (a generated value picks one of them half of the time).
KNOWN: dict[str, list[str]] = {}


@pytest.fixture
def contract_data(covered_workers, ready_claim, employer, users, settings):  # noqa: F811
    """Sponsored workers with paid invoices, a decided claim with its payment order, an employer."""
    from lindung.contributions.models import Invoice
    from lindung.payouts import services as payouts

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    workers = covered_workers(3)
    claim = ready_claim(workers[0])
    orders = payouts.create_orders_for_claim(claim, actor=users["finance"])
    KNOWN.clear()
    KNOWN.update(
        kpj=[w.kpj_number for w in workers],
        person_id=[str(w.person_id) for w in workers],
        code=[DUMAI_SPONSOR],
        npp=[employer.npp],
        number=[claim.number, orders[0].number, *Invoice.objects.order_by("pk").values_list("number", flat=True)[:2]],
        nik=[workers[0].person.nik],
    )
    return users


@pytest.fixture
def wsgi_app():
    """Django's WSGI application on the test database: the test's transaction must survive each
    request, so the signal that closes connections at the end of a request is off meanwhile (as
    Django's own test client does)."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield app
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token(user) -> str:
    from lindung.accounts.services import token_create

    return token_create(actor=None, user=user)[1]


def _known_path_parameters(case) -> None:
    meta = case.meta
    if not case.path_parameters or (meta is not None and meta.generation.mode != GenerationMode.POSITIVE):
        return
    for name, value in list(case.path_parameters.items()):
        choices = KNOWN.get(name)
        if not choices:
            continue
        digest = hashlib.sha256(str(value).encode()).digest()
        if digest[0] % 2:
            case.path_parameters[name] = choices[digest[1] % len(choices)]


def _check_every_operation(app, user, modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE)) -> list[str]:
    """Each operation, with valid and (by default) invalid data, ``EXAMPLES`` cases each; every
    failure of every operation is collected and reported together."""
    token = _token(user)
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    username = user.get_username()
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in modes:

            @HYPOTHESIS
            @given(operation.as_strategy(generation_mode=mode))
            def run(case):
                _known_path_parameters(case)
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # a check failed: collect it with the operation's name
                failures.append(f"{operation.label} ({mode.value} data, as {username}): {exc}")
    assert operations >= 100, operations
    return failures


def test_the_api_keeps_its_contract_for_staff_and_for_a_sponsor(contract_data, wsgi_app):
    """One test for both users: the test data is made once. The sponsor's user with valid data only
    (invalid data meets the same validation as the administrator's)."""
    failures = _check_every_operation(wsgi_app, contract_data["admin"])
    failures += _check_every_operation(wsgi_app, contract_data["sponsor"], modes=(GenerationMode.POSITIVE,))
    assert not failures, f"{len(failures)} operation(s) broke the contract:\n\n" + "\n\n".join(failures)


def test_the_schema_documents_the_platform_errors_on_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 100
    for method, path, op in operations:
        codes = set(op["responses"])
        assert {"401", "403"} <= codes, (method, path)
        if op.get("parameters") or op.get("requestBody"):
            assert {"400", "404", "422"} <= codes, (method, path)
        if "multipart/form-data" in op.get("requestBody", {}).get("content", {}):
            assert "413" in codes, (method, path)
