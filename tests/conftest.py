"""Shared fixtures: the 2018 framework, a country team with one user per role, and outsiders.

Personas (healthchecks style): `iat` and `coordinator` edit Kazakhstan's scorecard, `rc` and
`viewer` read it, `outsider` is an IAT member of another country team and must see nothing.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from core.models import Membership, ReviewerScope
from scorecard import services
from scorecard.models import Framework
from tests.factories import CountryTeamFactory, MembershipFactory, RegionFactory, UserFactory
from tests.redis_server import on_private_redis, redis_server  # noqa: F401 -- a Redis to stop
from tests.s3 import s3, seaweedfs  # noqa: F401 -- a real S3 server's fixtures (tests/s3.py)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# The 15 PI codes of the 2018 framework, in order, written out (not read from the fixture).
PI_CODES = [
    "1.1",
    "1.2",
    "1.3",
    "2.1",
    "2.2",
    "2.3",
    "3.1",
    "3.2",
    "4.1",
    "4.2",
    "4.3",
    "5.1",
    "5.2",
    "6.1",
    "7.1",
]  # noqa: E501
Role = Membership.Role


def load_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def framework(db) -> Framework:
    existing = Framework.objects.filter(version="2018").first()
    return existing or services.import_framework(document=load_json("framework_2018.json"))


@pytest.fixture
def team(db):
    return CountryTeamFactory(code="KAZ", name="Kazakhstan")


@pytest.fixture
def other_team(db):
    return CountryTeamFactory(code="XDL", name="Demoland")


def _member(team, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, country_team=team, role=role)
    return user


@pytest.fixture
def iat(team):
    return _member(team, Role.IAT_MEMBER, "iat")


@pytest.fixture
def coordinator(team):
    return _member(team, Role.IAT_COORDINATOR, "coordinator")


@pytest.fixture
def rc(team):
    return _member(team, Role.RESIDENT_COORDINATOR, "rc")


@pytest.fixture
def viewer(team):
    return _member(team, Role.VIEWER, "viewer")


@pytest.fixture
def outsider(other_team):
    return _member(other_team, Role.IAT_MEMBER, "outsider")


@pytest.fixture
def reviewer(team):
    """A UN Women reviewer for the team's region (Europe and Central Asia)."""
    user = UserFactory(username="reviewer")
    scope = ReviewerScope.objects.create(user=user)
    scope.regions.set([team.region])
    return user


@pytest.fixture
def far_reviewer(db):
    """A UN Women reviewer for another region: must never see Kazakhstan's work."""
    user = UserFactory(username="far-reviewer")
    scope = ReviewerScope.objects.create(user=user)
    scope.regions.set([RegionFactory(code="africa", name="Africa")])
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def assessment(framework, team, coordinator):
    return services.create_comprehensive_assessment(country_team=team, year=2022, by=coordinator)


@pytest.fixture
def kaz_2022(framework, team):
    """The seed report's data set (fixtures/demo/kaz-2022.json), imported into `team`."""
    return services.import_assessment(document=load_json("demo/kaz-2022.json"))


@pytest.fixture(autouse=True)
def _fresh_framework_cache():
    """Each test starts with an empty per-process framework cache (scorecard.framework_cache):
    tests that change criteria with queryset.update() send no signal."""
    from scorecard import framework_cache

    framework_cache.clear()
    yield
    framework_cache.clear()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Each test starts and ends in English. A request in another language leaves that language
    active in the thread (LocaleMiddleware activates one per request; nothing deactivates it),
    and the next test's messages would come out in French."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(request):
    """Celery tasks (mail, reports) run in the test's own process, as on a machine without
    REDIS_URL, even when CI sets one for the worker tests: their outcome is then part of the
    test. The worker tests (the `start_worker` fixture) keep the real broker."""
    if "start_worker" in request.fixturenames:
        yield
        return
    from config.celery import app  # noqa: PLC0415 -- after Django's settings are read

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True)
def _api_throttling_off(settings):
    """No API rate limit in tests: a suite (Schemathesis above all) sends thousands of calls a
    minute from one address, and the cache keeps counts from test to test. The throttling tests
    (tests/core/test_api_throttling.py) set their own low rates."""
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_USER = None
