"""Schemathesis against the running app's OpenAPI schema: every /api/v1/ operation, generated data.

The issue asks for "no server error, no response that violates the schema" and for error
responses that are "JSON with a readable message and field errors", so every response is checked
with:

- `not_a_server_error`: no 5xx, whatever the input (bad ids, huge integers, NUL bytes, ...);
- `status_code_conformance`: the status code is one the schema documents for the operation;
- `content_type_conformance`: the Content-Type is the one the schema documents (JSON, not the
  HTML error pages Django serves outside DRF);
- `response_schema_conformance`: the body matches the documented schema, errors included;
- `readable_json_error` (ours): every 4xx body is a JSON object with a non-empty `detail` string
  (the readable message); field errors, if any, sit beside it under the field names.

Not enabled: `negative_data_rejection` and `positive_data_acceptance` (the schema cannot say
which inputs the services refuse: an unknown PI code is a valid string yet a 400), and the
stateful and auth-probing checks (the permission matrix tests cover who may do what).

The schema is loaded from the app itself (`/api/schema/` through the WSGI handler, in process,
when the module is collected: a schema that cannot be loaded fails the run, it is never skipped),
so the generated requests run in the test's database connection and transaction; each request
runs in a savepoint that is rolled back, so every example starts from the same data (repeatable,
and a query PostgreSQL refused cannot poison the rest of the run).

Personas with real data (a DRF token each): the IAT coordinator of the Kazakhstan 2022 demo
assessment (a draft, with evidence and a comment) runs every operation through the coverage
phase (boundary and invalid values of every parameter and field, unexpected methods) and
fuzzing; a read-only viewer of the team and the region's UN Women reviewer (who sees a submitted
2021 and an approved 2020 with a pending reopen request) run every operation through fuzzing.
Generated ids are mapped onto real ones for 3 cases in 4 (so the success paths run, not only
404s) and beyond any bigint for 1 in 8 (plain generation seldom reaches either).

Hypothesis: bounded (WRITER_EXAMPLES, READER_EXAMPLES per operation), derandomized (the same
cases on every CI run), no deadline, no example database; about a minute on two cores.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from core.models import Membership, ReviewerScope
from scorecard import services, workflow
from scorecard.models import Assessment, Comment, Evidence, IndicatorAssessment
from tests.conftest import PI_CODES, load_json
from tests.factories import CountryTeamFactory, MembershipFactory, UserFactory

Role = Membership.Role
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@schemathesis.check
def readable_json_error(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """An error is a JSON object with a readable `detail` message (field errors beside it)."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(
            f"Error response is not JSON: {response.text_lossy()[:200]!r}"
        ) from error
    if not isinstance(body, dict) or not isinstance(body.get("detail"), str) or not body["detail"]:
        raise AssertionError(f"Error response without a readable `detail` message: {body!r}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    readable_json_error,
]


def _build_world(framework) -> dict[str, Any]:
    """Personas and real objects for every endpoint: the Kazakhstan 2022 demo assessment (a draft)
    with evidence and a comment, a submitted 2021 and an approved 2020 with a pending reopen
    request (what the reviewer sees)."""
    team = CountryTeamFactory(code="KAZ", name="Kazakhstan")
    users = {}
    for persona, role in (("coordinator", Role.IAT_COORDINATOR), ("viewer", Role.VIEWER)):
        users[persona] = UserFactory(username=persona)
        MembershipFactory(user=users[persona], country_team=team, role=role)
    users["reviewer"] = UserFactory(username="reviewer")
    ReviewerScope.objects.create(user=users["reviewer"]).regions.set([team.region])
    coordinator = users["coordinator"]

    kaz_2022 = services.import_assessment(document=load_json("demo/kaz-2022.json"))
    row = IndicatorAssessment.objects.get(assessment=kaz_2022, indicator__code="2.2")
    services.add_evidence(
        row=row, by=coordinator, title="Joint programme", category=None, url="https://example.org/"
    )
    services.add_comment(row=row, by=coordinator, body="Check the budget figures.")
    submitted = services.create_comprehensive_assessment(
        country_team=team, year=2021, by=coordinator
    )
    approved = services.create_comprehensive_assessment(
        country_team=team, year=2020, by=coordinator
    )
    Assessment.objects.filter(pk=submitted.pk).update(status=Assessment.Status.SUBMITTED)
    Assessment.objects.filter(pk=approved.pk).update(status=Assessment.Status.APPROVED)
    approved.refresh_from_db()
    reopen = workflow.request_reopen(assessment=approved, by=coordinator, reason="A late report.")
    assessments = [kaz_2022.pk, submitted.pk, approved.pk]
    rows = IndicatorAssessment.objects.filter(assessment__in=assessments)
    return {
        "tokens": {name: Token.objects.create(user=user).key for name, user in users.items()},
        "ids": {
            "assessments": assessments,
            "pi-ratings": list(rows.values_list("pk", flat=True)),
            "evidence": list(Evidence.objects.values_list("pk", flat=True)),
            "action-points": list(kaz_2022.action_points.values_list("pk", flat=True)),
            "comments": list(Comment.objects.values_list("pk", flat=True)),
            "frameworks": [framework.pk],
            "reopen-requests": [reopen.pk],
        },
        "team": team.code,
    }


# What the hooks below map generated values onto; filled by the `world` fixture.
WORLD: dict[str, Any] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """Built once inside a transaction rolled back at the end of the module (as Django's
    TestCase.setUpTestData does); each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=MD5):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            framework = services.import_framework(document=load_json("framework_2018.json"))
            WORLD.update(_build_world(framework))
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield WORLD
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    WORLD.clear()


# Beyond any bigint id: SQLite cannot even bind it to a query, PostgreSQL refuses it as a bigint.
HUGE = 2**64


def _real(value: Any, choices: list) -> Any:
    """A generated integer id becomes a real one for 3 values in 4 and a number beyond any bigint
    for 1 in 8 (deterministically, so shrinking and derandomized runs stay stable: plain
    generation seldom reaches either); anything else is left as generated."""
    if isinstance(value, bool) or not isinstance(value, int) or not choices:
        return value
    if value % 4:
        return choices[value % len(choices)]
    if value % 8 == 4:
        return HUGE + value
    return value


# Body fields and query parameters that name another object, and where its real ids are.
BODY_REFERENCES = {"assessment": "assessments", "pi_rating": "pi-ratings", "parent": "comments"}


def _load(*, max_examples: int, coverage: bool) -> schemathesis.BaseSchema:
    """The app's schema, loaded through its WSGI handler when the module is collected: a schema
    that cannot be loaded fails the run (an import error), it is never skipped."""
    config = {
        "generation": {
            "max-examples": max_examples,
            "deterministic": True,  # derandomized: the same cases on every run
            "database": "none",
            # The token header is ours; generated Authorization values would only test 401s.
            "with-security-parameters": False,
        },
        "phases": {"coverage": {"enabled": coverage}},
    }
    with override_settings(ALLOWED_HOSTS=["localhost"]):  # the Host the WSGI client sends
        return schemathesis.openapi.from_wsgi(
            "/api/schema/", application, config=schemathesis.Config.from_dict(config)
        )


# The coordinator changes things: the coverage phase (boundary and invalid values for every
# parameter and field) and fuzzing. The readers' calls are mostly 403s and reads: fuzzing only.
WRITER_EXAMPLES, READER_EXAMPLES = 15, 5
writer_schema = _load(max_examples=WRITER_EXAMPLES, coverage=True)
reader_schema = _load(max_examples=READER_EXAMPLES, coverage=False)


def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    if not path_parameters:
        return path_parameters
    path = context.operation.path
    mapped = dict(path_parameters)
    for collection, ids in WORLD["ids"].items():
        if f"/{collection}/" in path and "id" in mapped:
            mapped["id"] = _real(mapped["id"], ids)
    if isinstance(mapped.get("code"), str) and len(mapped["code"]) % 2:
        mapped["code"] = WORLD["team"]
    if "request_id" in mapped:
        mapped["request_id"] = _real(mapped["request_id"], WORLD["ids"]["reopen-requests"])
    return mapped


def map_body(context: Any, body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    mapped = dict(body)
    for field, collection in BODY_REFERENCES.items():
        if field in mapped:
            mapped[field] = _real(mapped[field], WORLD["ids"][collection])
    if isinstance(mapped.get("indicator"), str) and len(mapped["indicator"]) % 2:
        mapped["indicator"] = PI_CODES[len(mapped["indicator"]) % len(PI_CODES)]
    return mapped


def map_query(context: Any, query: Any) -> Any:
    if not isinstance(query, dict):
        return query
    mapped = dict(query)
    for field, collection in BODY_REFERENCES.items():
        if field in mapped:
            mapped[field] = _real(mapped[field], WORLD["ids"][collection])
    return mapped


for _schema in (writer_schema, reader_schema):
    _schema.hook(map_path_parameters)
    _schema.hook(map_query)
    _schema.hook(map_body)


@pytest.fixture
def in_process(world, db, settings) -> Iterator[None]:
    """The WSGI handler called in the test's thread shares its connection and transaction."""
    settings.ALLOWED_HOSTS = ["localhost"]  # the Host schemathesis's WSGI client sends
    # Django closes "old" connections at each request's start and end; here that would close the
    # connection holding the test transaction (Django's test client disconnects them the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """Tracebacks of exceptions the app turned into a 500, to show with the failure."""
    caught: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        caught.append(traceback.format_exc())

    got_request_exception.connect(record)
    yield caught
    got_request_exception.disconnect(record)


def _call_and_validate(case: schemathesis.Case, persona: str, server_errors: list[str]) -> None:
    server_errors.clear()
    headers = {"Authorization": f"Token {WORLD['tokens'][persona]}"}
    # A savepoint per request, always rolled back: every example starts from the same data, and
    # a query PostgreSQL refused cannot abort the transaction the next examples run in.
    with transaction.atomic():
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as failure:
            for error in server_errors:
                failure.add_note(error)
            raise
        finally:
            transaction.set_rollback(True)


HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    # Function-scoped fixtures are fine here (the savepoint resets the data), and slow
    # generation is not an error.
    "suppress_health_check": list(HealthCheck),
}


@writer_schema.parametrize()
@hypothesis.settings(max_examples=WRITER_EXAMPLES, **HYPOTHESIS)
def test_api_as_the_coordinator(
    case: schemathesis.Case, in_process: None, server_errors: list[str]
) -> None:
    _call_and_validate(case, "coordinator", server_errors)


@pytest.mark.parametrize("persona", ["viewer", "reviewer"])
@reader_schema.parametrize()
@hypothesis.settings(max_examples=READER_EXAMPLES, **HYPOTHESIS)
def test_api_as_a_reader(
    case: schemathesis.Case, persona: str, in_process: None, server_errors: list[str]
) -> None:
    _call_and_validate(case, persona, server_errors)


def test_generated_requests_see_the_test_data(in_process: None) -> None:
    """The guard against a green run that proves nothing: the WSGI handler schemathesis calls
    shares the test's connection and transaction, so it sees (and may change) the data."""
    listed = writer_schema["/api/v1/assessments/"]["GET"].Case()
    headers = {"Authorization": f"Token {WORLD['tokens']['coordinator']}"}
    response = listed.call(headers=headers)
    assert response.status_code == 200
    assert [(a["country_team"], a["year"]) for a in response.json()["results"]] == [
        ("KAZ", 2022),
        ("KAZ", 2021),
        ("KAZ", 2020),
    ]
    withdraw = writer_schema["/api/v1/action-points/{id}/withdraw/"]["POST"].Case(
        path_parameters={"id": WORLD["ids"]["action-points"][0]},
        body={"reason": "Merged."},
        media_type="application/json",
    )
    with transaction.atomic():
        response = withdraw.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)
    assert (response.status_code, response.json()["withdrawal_reason"]) == (200, "Merged.")
