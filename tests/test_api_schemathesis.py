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

import hashlib
import traceback
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commitments import services as commitment_services
from commitments.models import ActionCoalition, MakerCategory, MakerMembership
from config.wsgi import application
from core import services as core_services
from core.models import Membership, ReviewerScope
from hub import services as hub_services
from parity import services as parity_services
from parity.models import ParityRecommendation
from parity.selectors import TEMPLATE_HEADER
from reports.models import ReportJob
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


THIS_YEAR = timezone.now().year
# A small file that passes for the 2022 report's PDF (no WeasyPrint: nothing is rendered here);
# written into each test's MEDIA_ROOT by `in_process`, so the download's 200 path runs too.
FAKE_PDF = b"%PDF-1.7\n% the KAZ 2022 report, faked for the schema tests\n%%EOF\n"
FAKE_PDF_SHA256 = hashlib.sha256(FAKE_PDF).hexdigest()


def _build_parity(team, by) -> dict[str, Any]:
    """The UN entities (fixtures/reference.json), KAZ's 2022 staffing snapshot (the demo's 12
    entities, through the import service as setup_parity_demo loads it) and UN Women's parity
    strategy recommendations with their yearly status."""
    core_services.load_reference_data(document=load_json("reference.json"))
    staffing = load_json("parity/kaz-2022-staffing.json")
    rows = [(1, TEMPLATE_HEADER)] + [
        (number, [row.get(column, 0) for column in TEMPLATE_HEADER])
        for number, row in enumerate(staffing["rows"], start=2)
    ]
    snapshot = parity_services.import_staffing_rows(
        country_team=team,
        year=staffing["year"],
        rows=rows,
        as_of=date.fromisoformat(staffing["as_of"]),
        source=staffing["source"],
        include_non_staff=staffing["include_non_staff"],
        by=by,
    ).snapshot
    strategy = load_json("parity/strategy-un-women-2020.json")
    parity_services.load_strategy_document(document=strategy)
    return {
        "snapshot": snapshot,
        "recommendations": list(ParityRecommendation.objects.values_list("pk", flat=True)),
        "entities": [strategy["entity"], *sorted({row["entity"] for row in staffing["rows"]})],
    }


def _build_commitments(team, by, row, point) -> dict[str, Any]:
    """The Government of Kazakhstan as a commitment maker edited by `by`, a financial commitment
    linked to KAZ's PI 2.2 rating and an action point, and its progress report on last year (so
    this year is free for a new report)."""
    commitment_services.load_reference_data(document=load_json("commitments/reference.json"))
    maker = commitment_services.create_maker(
        name="Government of Kazakhstan",
        category=MakerCategory.MEMBER_STATE,
        country_code=team.code,
        country_team=team,
    )
    commitment_services.set_maker_membership(user=by, maker=maker, role=MakerMembership.Role.EDITOR)
    commitment = commitment_services.create_commitment(
        maker=maker,
        data=commitment_services.CommitmentInput(
            title="End violence against women",
            description="Shelters and hotlines in every region.",
            start_year=THIS_YEAR - 1,
            end_year=THIS_YEAR + 1,
            coalitions=[ActionCoalition.objects.get(code="gbv")],
            types=["financial", "programmatic"],
            amount=Decimal("250000"),
            currency="KZT",
            geography="Kazakhstan",
            status="in_progress",
            impact=True,
            country_team=team,
            indicator_assessment=row,
            action_point=point,
        ),
        by=by,
    )
    report = commitment_services.file_progress_report(
        commitment=commitment,
        data=commitment_services.ProgressInput(
            year=THIS_YEAR - 1,
            progress_status="in_progress",
            narrative="Three shelters opened.",
            amount_disbursed=Decimal("50000"),
            currency="KZT",
        ),
        by=by,
    )
    return {"maker": maker, "commitment": commitment, "report": report}


def _build_report_jobs(rendered: Assessment, waiting: Assessment, by) -> list[int]:
    """Report jobs made with the ORM (request_report would render with WeasyPrint): the 2022
    report done, its file the fake PDF, and the 2021 report queued and already handed to the
    broker (so polling it sends nothing: ensure_dispatched only resends undispatched jobs)."""
    now = timezone.now()
    done = ReportJob.objects.create(
        assessment=rendered,
        status=ReportJob.Status.DONE,
        requested_by=by,
        requested_at=now - timedelta(minutes=5),
        dispatched_at=now - timedelta(minutes=5),
        started_at=now - timedelta(minutes=4),
        finished_at=now - timedelta(minutes=4),
        attempts=1,
        content_hash="a" * 64,
        framework_version="2018",
        file=f"reports/{rendered.country_team.code}-{rendered.year}-{FAKE_PDF_SHA256}.pdf",
        sha256=FAKE_PDF_SHA256,
        size=len(FAKE_PDF),
        pages=1,
        render_seconds=0.5,
    )
    queued = ReportJob.objects.create(
        assessment=waiting,
        requested_by=by,
        requested_at=now,
        dispatched_at=now,
        dispatch_attempted_at=now,
        content_hash="b" * 64,
        framework_version="2018",
    )
    return [done.pk, queued.pk]


def _build_hub(team, by, reviewer, row) -> list[int]:
    """Knowledge Hub items of KAZ's team by the coordinator: proposed (to agree or refuse),
    agreed (the reviewer publishes or refuses it) and published (withdrawn, or featured by
    nobody here: no persona is an administrator)."""
    ids = []
    for step in ("proposed", "agreed", "published"):
        practice = hub_services.propose_practice(
            country_team=team,
            by=by,
            title=f"Gender marker ({step})",
            summary="Every joint programme carries a gender marker.",
            what_done="",
            result="",
            indicators=[row.indicator],
            dimension=None,
            year=2022,
            language="en",
        )
        if step != "proposed":
            practice = hub_services.agree_by_team(practice=practice, by=by)
        if step == "published":
            practice = hub_services.publish(practice=practice, by=reviewer)
        ids.append(practice.pk)
    return ids


def _build_world(framework) -> dict[str, Any]:
    """Personas and real objects for every endpoint: the Kazakhstan 2022 demo assessment (a draft)
    with evidence and a comment, a submitted 2021 and an approved 2020 with a pending reopen
    request (what the reviewer sees); KAZ's 2022 parity snapshot and UN Women's parity strategy;
    a commitment maker the coordinator edits, with a commitment and a progress report; a done
    report job for 2022 and a queued one for 2021."""
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
    parity = _build_parity(team, coordinator)
    commitments = _build_commitments(team, coordinator, row, kaz_2022.action_points.first())
    return {
        "tokens": {name: Token.objects.create(user=user).key for name, user in users.items()},
        # By the path up to `/{id}/` (exact: "commitments" is a prefix of "commitments/makers").
        "ids": {
            "assessments": assessments,
            "pi-ratings": list(rows.values_list("pk", flat=True)),
            "evidence": list(Evidence.objects.values_list("pk", flat=True)),
            "action-points": list(kaz_2022.action_points.values_list("pk", flat=True)),
            "comments": list(Comment.objects.values_list("pk", flat=True)),
            "frameworks": [framework.pk],
            "reopen-requests": [reopen.pk],
            "report-jobs": _build_report_jobs(kaz_2022, submitted, coordinator),
            "parity/snapshots": [parity["snapshot"].pk],
            "parity/recommendations": parity["recommendations"],
            "commitments": [commitments["commitment"].pk],
            "commitments/makers": [commitments["maker"].pk],
            "commitments/progress-reports": [commitments["report"].pk],
            "hub/practices": _build_hub(team, coordinator, users["reviewer"], row),
        },
        "team": team.code,
        # UN Women first (the entity with a parity strategy), then the snapshot's entities.
        "entities": parity["entities"],
        # The snapshot's year, the progress report's (taken) and this year (free for a report).
        "years": [2022, THIS_YEAR - 1, THIS_YEAR],
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


def _real(value: Any, choices: list, *, text: bool = False) -> Any:
    """A generated integer id becomes a real one for 3 values in 4 and for 0, and a number beyond
    any bigint for 1 in 8 (deterministically, so shrinking and derandomized runs stay stable:
    plain generation seldom reaches either); anything else is left as generated.

    0 is the coverage phase's default for every integer: made real, the phase's variants of the
    other parameters and of the body run against a real object instead of all ending in a 404.
    With `text` (path and query), digits count as their number: the coverage phase sends them so.
    """
    if text and isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not choices:
        return value
    if value % 4 or value == 0:
        return choices[value % len(choices)]
    if value % 8 == 4:
        return HUGE + value
    return value


# Body fields and query parameters that name another object, and where its real ids are.
REFERENCES = {
    "assessment": "assessments",
    "pi_rating": "pi-ratings",
    "indicator_assessment": "pi-ratings",
    "action_point": "action-points",
    "parent": "comments",
    "commitment": "commitments",
    "maker": "commitments/makers",
    "commitment__maker": "commitments/makers",
    "evidence": "evidence",
}
# Strings naming a country team (by code) or a UN entity (by acronym).
TEAM_FIELDS = ("country_team", "country_team__code", "country", "country_code")
ENTITY_FIELDS = ("entity", "entity__acronym")


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
WRITER_EXAMPLES, READER_EXAMPLES = 12, 4
writer_schema = _load(max_examples=WRITER_EXAMPLES, coverage=True)
reader_schema = _load(max_examples=READER_EXAMPLES, coverage=False)


def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    if not path_parameters:
        return path_parameters
    path = context.operation.path
    mapped = dict(path_parameters)
    if "id" in mapped:
        # The collection is the path up to `/{id}/`, matched exactly: "commitments" is a prefix
        # of "commitments/makers" and "commitments/progress-reports".
        collection = path.partition("/{id}/")[0].removeprefix("/api/v1/")
        if collection in WORLD["ids"]:
            mapped["id"] = _real(mapped["id"], WORLD["ids"][collection], text=True)
    if isinstance(mapped.get("code"), str) and len(mapped["code"]) % 2:
        mapped["code"] = WORLD["team"]
    if isinstance(mapped.get("acronym"), str) and len(mapped["acronym"]) % 2:
        mapped["acronym"] = WORLD["entities"][len(mapped["acronym"]) % len(WORLD["entities"])]
    if "request_id" in mapped:
        mapped["request_id"] = _real(
            mapped["request_id"], WORLD["ids"]["reopen-requests"], text=True
        )
    return mapped


def _map_fields(values: dict[str, Any], *, text: bool = False) -> dict[str, Any]:
    """Body fields and query parameters: ids, years, team codes and entity acronyms made real
    (ids and years as `_real` does; strings of odd length, so the unknown ones still run)."""
    mapped = dict(values)
    for field, collection in REFERENCES.items():
        if field in mapped:
            mapped[field] = _real(mapped[field], WORLD["ids"][collection], text=text)
    if "year" in mapped:
        mapped["year"] = _real(mapped["year"], WORLD["years"], text=text)
    for field, choices in (
        ("indicator", PI_CODES),
        *((name, [WORLD["team"]]) for name in TEAM_FIELDS),
        *((name, WORLD["entities"]) for name in ENTITY_FIELDS),
    ):
        value = mapped.get(field)
        if isinstance(value, str) and len(value) % 2:
            mapped[field] = choices[len(value) % len(choices)]
    return mapped


def map_body(context: Any, body: Any) -> Any:
    return _map_fields(body) if isinstance(body, dict) else body


def map_query(context: Any, query: Any) -> Any:
    return _map_fields(query, text=True) if isinstance(query, dict) else query


# Coverage-phase cases are built when the module is collected (before the world exists) and the
# map_* hooks never see them: `_call_and_validate` maps what such a case does not vary (the
# defaults, e.g. id 0 of a PUT whose body it varies), once per case.
_COVERAGE_MAPPED: set[int] = set()


def _map_coverage_case(case: schemathesis.Case) -> None:
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.COVERAGE or id(case) in _COVERAGE_MAPPED:
        return
    _COVERAGE_MAPPED.add(id(case))
    data = meta.phase.data
    # The varied part: a parameter by name, or a body property from its schema path.
    varied = data.parameter
    if data.parameter_location == ParameterLocation.BODY:
        varied = (data.location or "").removeprefix("/properties/").partition("/")[0] or None
    context = SimpleNamespace(operation=case.operation)
    for location, name, mapper in (
        (ParameterLocation.PATH, "path_parameters", map_path_parameters),
        (ParameterLocation.QUERY, "query", map_query),
        (ParameterLocation.BODY, "body", map_body),
    ):
        values = getattr(case, name)
        if not isinstance(values, dict) or not values:
            continue
        kept = data.parameter_location == location and varied in values
        setattr(
            case, name, {**mapper(context, values), **({varied: values[varied]} if kept else {})}
        )


for _schema in (writer_schema, reader_schema):
    _schema.hook(map_path_parameters)
    _schema.hook(map_query)
    _schema.hook(map_body)


@pytest.fixture
def in_process(world, db, settings) -> Iterator[None]:
    """The WSGI handler called in the test's thread shares its connection and transaction."""
    settings.ALLOWED_HOSTS = ["localhost"]  # the Host schemathesis's WSGI client sends
    # The done report job's file, in this test's MEDIA_ROOT (tests/conftest.py's `_media_root`).
    job = ReportJob.objects.get(pk=WORLD["ids"]["report-jobs"][0])
    assert default_storage.save(job.file.name, ContentFile(FAKE_PDF)) == job.file.name
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
    _map_coverage_case(case)
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

    # Parity: KAZ's 2022 snapshot with its counts (the coordinator is a member: no cell hidden).
    snapshots = writer_schema["/api/v1/parity/snapshots/"]["GET"].Case(
        query={"country_team__code": "KAZ"}
    )
    response = snapshots.call_and_validate(headers=headers, checks=CHECKS)
    [snapshot] = response.json()["results"]
    assert (snapshot["id"], snapshot["country_team"], snapshot["year"]) == (
        WORLD["ids"]["parity/snapshots"][0],
        "KAZ",
        2022,
    )
    counts = snapshot["counts"]
    assert len(counts) > 50
    assert sum(c["women"] for c in counts) + sum(c["men"] for c in counts) == 400
    strategy = writer_schema["/api/v1/parity/strategy/{acronym}/"]["GET"].Case(
        path_parameters={"acronym": "UN Women"}
    )
    response = strategy.call_and_validate(headers=headers, checks=CHECKS)
    assert len(response.json()["recommendations"]) == len(WORLD["ids"]["parity/recommendations"])
    assert len(WORLD["ids"]["parity/recommendations"]) == 6

    # Commitments: the maker, its commitment and the progress report, for every persona.
    for persona in ("coordinator", "viewer", "reviewer"):
        reader = {"Authorization": f"Token {WORLD['tokens'][persona]}"}
        listed = {}
        for path in ("", "makers/", "progress-reports/"):
            case = writer_schema[f"/api/v1/commitments/{path}"]["GET"].Case()
            response = case.call_and_validate(headers=reader, checks=CHECKS)
            listed[path] = [item["id"] for item in response.json()["results"]]
        assert listed == {
            "": WORLD["ids"]["commitments"],
            "makers/": WORLD["ids"]["commitments/makers"],
            "progress-reports/": WORLD["ids"]["commitments/progress-reports"],
        }
    # The coordinator edits the maker's commitments: a report on this year is filed.
    progress = writer_schema["/api/v1/commitments/progress-reports/"]["POST"].Case(
        body={
            "commitment": WORLD["ids"]["commitments"][0],
            "year": WORLD["years"][-1],
            "progress_status": "completed",
        },
        media_type="application/json",
    )
    with transaction.atomic():
        response = progress.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)
    assert (response.status_code, response.json()["year"]) == (201, WORLD["years"][-1])

    # Report jobs: the done 2022 report (its PDF downloads) and the queued 2021 one.
    jobs = writer_schema["/api/v1/report-jobs/"]["GET"].Case()
    response = jobs.call_and_validate(headers=headers, checks=CHECKS)
    assert [(j["id"], j["year"], j["status"]) for j in response.json()["results"]] == [
        (WORLD["ids"]["report-jobs"][1], 2021, "queued"),
        (WORLD["ids"]["report-jobs"][0], 2022, "done"),
    ]
    download = writer_schema["/api/v1/report-jobs/{id}/download/"]["GET"].Case(
        path_parameters={"id": WORLD["ids"]["report-jobs"][0]}
    )
    response = download.call_and_validate(headers=headers, checks=CHECKS)
    assert (response.status_code, response.content) == (200, FAKE_PDF)


@pytest.mark.parametrize(
    ("path", "collection"),
    [
        ("/api/v1/commitments/{id}/", "commitments"),
        ("/api/v1/commitments/makers/{id}/", "commitments/makers"),
        ("/api/v1/commitments/progress-reports/{id}/", "commitments/progress-reports"),
        ("/api/v1/parity/snapshots/{id}/status/", "parity/snapshots"),
        ("/api/v1/report-jobs/{id}/download/", "report-jobs"),
        ("/api/v1/assessments/{id}/reopen-requests/{request_id}/decide/", "assessments"),
    ],
)
def test_path_ids_are_mapped_by_their_exact_collection(
    world, db, path: str, collection: str
) -> None:
    # `db`: ordered with the module's other database tests, so `world` is built once and torn
    # down before the test database is dropped (a database-less test runs after them all).
    context = SimpleNamespace(operation=SimpleNamespace(path=path))
    ids = WORLD["ids"][collection]
    mapped = map_path_parameters(context, {"id": 1, "request_id": "0"})
    assert (mapped["id"], mapped["request_id"]) == (
        ids[1 % len(ids)],
        WORLD["ids"]["reopen-requests"][0],
    )
