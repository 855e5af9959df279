"""The Knowledge Hub's permission matrix: every persona × every status of an item × every read
and step, through the pages and through the API.

As in tests/scorecard/test_permission_matrix.py, the expected outcome of a case is not written
case by case: it follows from two rules below (who may know the item exists, and who may take
which step from which status). Anonymous visitors are sent to the log-in page (pages) or get 401
(API); a user who may not know the item exists gets 404; one who sees it but may not take the
step gets 403; an allowed step redirects (pages) or answers 200 (API) and moves the item. A
refused request changes nothing. Searches and lists hold the item only once it is published,
whoever asks: a team's own unpublished work is on its proposals page, never in the hub.

Personas: `iat` (the author, Kazakhstan's IAT), `colleague` (another IAT member of Kazakhstan),
`coordinator` (Kazakhstan's IAT coordinator), `rc`, `viewer`, `outsider` (an IAT member of
Demoland, same region), `reviewer` (UN Women, Kazakhstan's region), `far_reviewer` (UN Women,
Africa), `admin`.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from core.models import Membership, ReviewerScope
from hub import services
from hub.models import Practice, PracticeEvent
from scorecard import services as scorecard_services
from scorecard.models import Indicator
from tests.conftest import load_json
from tests.factories import CountryTeamFactory, MembershipFactory, RegionFactory, UserFactory
from tests.hub.conftest import PDF

Status = Practice.Status
Role = Membership.Role
WORD = "Zanzibarquorum"  # a word in no other text, so a search finds this item or nothing

PERSONAS = [
    "anonymous",
    "outsider",
    "viewer",
    "rc",
    "iat",
    "colleague",
    "coordinator",
    "reviewer",
    "far_reviewer",
    "admin",
]
TEAM = {"viewer", "rc", "iat", "colleague", "coordinator"}

# Each status the item can be in, and whether the team's coordinator had agreed on the way
# there (from then on the region's reviewers may know the item).
STATES: dict[str, tuple[str, bool]] = {
    "proposed": (Status.PROPOSED, False),
    "agreed": (Status.AGREED, True),
    "published": (Status.PUBLISHED, True),
    "refused_by_team": (Status.REFUSED, False),
    "refused_by_reviewer": (Status.REFUSED, True),
    "withdrawn_before_agreement": (Status.WITHDRAWN, False),
    "withdrawn_after_publication": (Status.WITHDRAWN, True),
    "retired": (Status.RETIRED, True),
}


def sees(persona: str, state: str) -> bool:
    """Who may know the item exists: published, every logged-in user; otherwise its team and
    administrators, and the region's reviewers once the coordinator agreed."""
    if persona == "anonymous":
        return False
    status, agreed = STATES[state]
    if status == Status.PUBLISHED or persona in TEAM or persona == "admin":
        return True
    return persona == "reviewer" and agreed


# step (the page's name) → (the API's action, who may, from which statuses, the status after).
STEPS: dict[str, tuple[str, set[str], set[str], str]] = {
    "agree": ("agree", {"coordinator"}, {Status.PROPOSED}, Status.AGREED),
    "refuse-team": ("refuse", {"coordinator"}, {Status.PROPOSED}, Status.REFUSED),
    "publish": ("publish", {"reviewer", "admin"}, {Status.AGREED}, Status.PUBLISHED),
    "refuse-review": ("refuse", {"reviewer", "admin"}, {Status.AGREED}, Status.REFUSED),
    "withdraw": (
        "withdraw",
        {"iat", "coordinator"},
        {Status.PROPOSED, Status.AGREED, Status.PUBLISHED},
        Status.WITHDRAWN,
    ),
    "feature": ("feature", {"admin"}, {Status.PUBLISHED}, Status.PUBLISHED),
    "retire": ("retire", {"admin"}, {Status.PUBLISHED}, Status.RETIRED),
}


def may(persona: str, step: str, state: str) -> bool:
    _, personas, statuses, _ = STEPS[step]
    return sees(persona, state) and persona in personas and STATES[state][0] in statuses


def expected(persona: str, step: str, state: str, ok: int) -> int | str:
    if persona == "anonymous":
        return "login"
    if not sees(persona, state):
        return 404
    return ok if may(persona, step, state) else 403


# === The world: built once per module ===========================================================

MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _build_world() -> SimpleNamespace:
    kaz = CountryTeamFactory(code="KAZ", name="Kazakhstan")
    xdl = CountryTeamFactory(code="XDL", name="Demoland")  # same region as KAZ
    roles = {
        "viewer": (kaz, Role.VIEWER),
        "rc": (kaz, Role.RESIDENT_COORDINATOR),
        "iat": (kaz, Role.IAT_MEMBER),
        "colleague": (kaz, Role.IAT_MEMBER),
        "coordinator": (kaz, Role.IAT_COORDINATOR),
        "outsider": (xdl, Role.IAT_MEMBER),
    }
    users: dict[str, Any] = {"anonymous": AnonymousUser()}
    for name, (team, role) in roles.items():
        users[name] = UserFactory(username=name)
        MembershipFactory(user=users[name], country_team=team, role=role)
    users["reviewer"] = UserFactory(username="reviewer")
    ReviewerScope.objects.create(user=users["reviewer"]).regions.set([kaz.region])
    users["far_reviewer"] = UserFactory(username="far-reviewer")
    africa = RegionFactory(code="africa", name="Africa")
    ReviewerScope.objects.create(user=users["far_reviewer"]).regions.set([africa])
    users["admin"] = UserFactory(username="root", is_superuser=True, is_staff=True)

    framework = scorecard_services.import_framework(document=load_json("framework_2018.json"))
    pi = Indicator.objects.get(framework=framework, code="2.2")
    assessment = scorecard_services.create_comprehensive_assessment(
        country_team=kaz, year=2022, by=users["coordinator"]
    )
    evidence = scorecard_services.add_evidence(
        row=assessment.indicator_assessments.get(indicator=pi),
        by=users["iat"],
        title="Campaign plan",
        category=None,
        file=SimpleUploadedFile("campaign.pdf", PDF, content_type="application/pdf"),
    )
    items = {}
    for state, (status, agreed) in STATES.items():
        practice = services.propose_practice(
            country_team=kaz,
            by=users["iat"],
            title=f"Communication strategy {WORD} {state}",
            summary="How the team planned its campaign.",
            what_done="",
            result="",
            indicators=[pi],
            dimension=None,
            year=2022,
            language="en",
            files=[SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")],
        )
        if agreed:
            practice = services.agree_by_team(practice=practice, by=users["coordinator"])
        # The final status with the ORM: the steps themselves are tested in test_workflow.py.
        Practice.objects.filter(pk=practice.pk).update(status=status)
        items[state] = practice.pk
    return SimpleNamespace(users=users, items=items, pi=pi, evidence=evidence, team=kaz)


@pytest.fixture(scope="module")
def world_media(tmp_path_factory) -> Path:
    """The world's files, kept for the module (tests/conftest.py gives each test its own
    MEDIA_ROOT; here every test reads the files stored once)."""
    return tmp_path_factory.mktemp("hub-matrix-media")


@pytest.fixture(autouse=True)
def _media_root(settings, world_media):
    settings.MEDIA_ROOT = world_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """The personas and one item per state, created once inside a transaction that is rolled
    back at the end of the module. Each test runs in a savepoint inside it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=MD5, MEDIA_ROOT=world_media),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = MD5


@pytest.fixture
def users(world, db):
    return world.users


@pytest.fixture
def item(world, db):
    return lambda state: Practice.objects.get(pk=world.items[state])


def snapshot(practice: Practice) -> tuple[Any, ...]:
    practice.refresh_from_db()
    events = PracticeEvent.objects.filter(practice=practice).count()
    return (practice.status, practice.featured, practice.agreed_at, practice.published_at, events)


def client_for(persona: str, users, client):
    if persona != "anonymous":
        client.force_login(users[persona])
    return client


def api_for(persona: str, users) -> APIClient:
    api = APIClient()
    if persona != "anonymous":
        api.force_authenticate(users[persona])
    return api


def outcome(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


# === The cases ==================================================================================

CASES = [(persona, state) for persona in PERSONAS for state in STATES]


@pytest.mark.parametrize(("persona", "state"), CASES)
def test_reads(persona, state, users, item, client):
    practice = item(state)
    stored = practice.files.get()
    web = client_for(persona, users, client)
    want = "login" if persona == "anonymous" else (200 if sees(persona, state) else 404)
    problems = []
    for url in (f"/hub/{practice.pk}/", f"/hub/{practice.pk}/files/{stored.pk}/"):
        got = outcome(web.get(url))
        if got != want:
            problems.append(f"GET {url}: {got}, expected {want}")
    api_want = 401 if want == "login" else want
    got = api_for(persona, users).get(f"/api/v1/hub/practices/{practice.pk}/").status_code
    if got != api_want:
        problems.append(f"API detail: {got}, expected {api_want}")
    assert not problems, problems


@pytest.mark.parametrize(("persona", "state"), CASES)
def test_searches_and_counts_hold_only_published_items(persona, state, users, item, client):
    practice = item(state)
    published = STATES[state][0] == Status.PUBLISHED
    if persona == "anonymous":
        assert outcome(client.get("/hub/", {"q": WORD})) == "login"
        assert api_for(persona, users).get("/api/v1/hub/practices/").status_code == 401
        return
    web = client_for(persona, users, client)
    for params in ({"q": WORD}, {}, {"indicator": practice.indicators.get().pk}):
        page = web.get("/hub/", params)
        assert page.status_code == 200
        assert (f'href="/hub/{practice.pk}/"' in page.content.decode()) is published, params
    api = api_for(persona, users)
    for params in ({"q": WORD}, {}):
        body = api.get("/api/v1/hub/practices/", params).json()
        ids = [row["id"] for row in body["results"]]
        assert (practice.pk in ids) is published, params
        # Of the world's eight items (one per state), one is published: the count says so.
        assert body["count"] == 1, params


@pytest.mark.parametrize(("persona", "state"), CASES)
def test_steps_through_the_pages(persona, state, users, item, client):
    practice = item(state)
    web = client_for(persona, users, client)
    problems = []
    for step, (_, _, _, after) in STEPS.items():
        want = expected(persona, step, state, 302)
        before = snapshot(practice)
        with transaction.atomic():
            response = web.post(
                f"/hub/{practice.pk}/{step}/", {f"{step}-reason": "Not the right example"}
            )
            got = outcome(response)
            now = snapshot(practice)
            transaction.set_rollback(True)
        if got != want:
            problems.append(f"{step}: {got}, expected {want}")
        elif want == 302 and now[0] != after:
            problems.append(f"{step}: status {now[0]}, expected {after}")
        elif want != 302 and now != before:
            problems.append(f"{step}: refused but changed {before} → {now}")
    assert not problems, problems


def api_step(action: str, state: str) -> str:
    """The page's step an API action is: one `refuse` for both refusals, the team's while the
    item is proposed, the reviewer's after."""
    if action == "refuse":
        return "refuse-team" if STATES[state][0] == Status.PROPOSED else "refuse-review"
    return action


def api_expected(persona: str, action: str, state: str) -> int:
    """As the pages, except that a step the user could take, but not from the item's status
    (a second "agree"), is a 400 that says the status, not a 403."""
    step = api_step(action, state)
    want = expected(persona, step, state, 200)
    if want == "login":
        return 401
    if want == 403 and persona in STEPS[step][1]:
        return 400
    return want


@pytest.mark.parametrize(("persona", "state"), CASES)
def test_steps_through_the_api(persona, state, users, item):
    practice = item(state)
    api = api_for(persona, users)
    problems = []
    for action in ("agree", "refuse", "publish", "withdraw", "feature", "retire"):
        want = api_expected(persona, action, state)
        after = STEPS[api_step(action, state)][3]
        before = snapshot(practice)
        with transaction.atomic():
            response = api.post(
                f"/api/v1/hub/practices/{practice.pk}/{action}/",
                {"reason": "Not the right example"},
                format="json",
            )
            now = snapshot(practice)
            transaction.set_rollback(True)
        if response.status_code != want:
            problems.append(f"{action}: {response.status_code}, expected {want}")
        elif want == 200 and now[0] != after:
            problems.append(f"{action}: status {now[0]}, expected {after}")
        elif want != 200 and now != before:
            problems.append(f"{action}: refused but changed {before} → {now}")
    assert not problems, problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_proposing_is_for_the_teams_iat_only(persona, users, client, world):
    """Proposing a good practice for Kazakhstan, and one of its evidence items, through the
    page and the API: only its IAT members and coordinator; the others are refused and nothing
    is written."""
    evidence, team = world.evidence, world.team
    may_propose = persona in {"iat", "colleague", "coordinator"}
    web = client_for(persona, users, client)
    api = api_for(persona, users)
    results = {
        "page": outcome(web.get(f"/hub/propose/{team.code}/")),
        "evidence page": outcome(web.get(f"/hub/propose/evidence/{evidence.pk}/")),
    }
    response = api.post(
        "/api/v1/hub/practices/propose-evidence/",
        {"evidence": evidence.pk, "summary": "Our campaign plan.", "language": "en"},
        format="json",
    )
    results["api"] = response.status_code
    if persona == "anonymous":
        assert results == {"page": "login", "evidence page": "login", "api": 401}
    elif may_propose:
        assert results == {"page": 200, "evidence page": 200, "api": 201}, results
        assert Practice.objects.filter(source_evidence=evidence).count() == 1
    else:
        assert results["page"] in (403, 404), results
        assert results["evidence page"] in (403, 404), results
        assert results["api"] in (403, 404), results
        # The evidence of a team one does not belong to is not even known to exist.
        if persona in {"outsider", "far_reviewer"}:
            assert results["evidence page"] == 404, results
            assert results["api"] in (400, 404), results
        assert not Practice.objects.filter(source_evidence=evidence).exists()
