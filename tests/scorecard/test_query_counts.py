"""Pages cost the same number of queries whatever the amount of data they show.

Each test loads a page with one item of everything the page lists, records the query count, adds
30 more items and asserts the page costs no more queries than before. Each page also has an
absolute ceiling: a guard against a slow creep of extra queries, not a target. The ceilings are
the counts measured when these tests were written plus a small margin; raise one only with a
reason (a new panel on the page), never to silence an N+1.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Membership
from scorecard import services
from scorecard.models import EvidenceCategory, Indicator
from tests.factories import CountryTeamFactory, MembershipFactory, UNEntityFactory

MORE = 30

# Guards (measured + a margin of 2), in queries per page load.
OVERVIEW_CEILING = 14
PI_PAGE_CEILING = 25
PI_HISTORY_CEILING = 12
ACTION_PLAN_CEILING = 9
TEAM_PAGE_CEILING = 7
# +1 since the navbar counts the user's unread notifications (one COUNT on every page).
HOME_CEILING = 8


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are logged in with force_login; no need to pay for PBKDF2 on every user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def queries_for(client, url: str) -> int:
    client.get(url)  # warm-up: one-time lookups (sessions, content types) are not counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def load(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def add_evidence(row, by, numbers: range) -> None:
    categories = list(row.indicator.evidence_categories.all())
    for n in numbers:
        services.add_evidence(
            row=row,
            by=by,
            title=f"Campaign report {n}",
            category=categories[n % len(categories)],
            entity=UNEntityFactory(acronym=f"AGENCY{n}"),
            url=f"https://example.org/reports/{n}",
        )


def add_action_points(assessment, by, numbers: range, indicators: list[Indicator]) -> None:
    for n in numbers:
        services.create_action_point(
            assessment=assessment,
            by=by,
            indicator=indicators[n % len(indicators)],
            text=f"Action point {n}",
            responsible_entity=UNEntityFactory(acronym=f"AGENCY{n}"),
            responsible="Gender Theme Group",
        )


def add_assessments(team, by, years: range) -> None:
    for year in years:
        services.create_comprehensive_assessment(country_team=team, year=year, by=by)


@pytest.fixture
def pi_2_2(assessment):
    return assessment.indicator_assessments.select_related("indicator").get(indicator__code="2.2")


def test_overview_query_count_does_not_grow(
    client, iat, assessment, pi_2_2, django_assert_max_num_queries
):
    url = "/teams/KAZ/2022/"
    client.force_login(iat)
    add_evidence(pi_2_2, iat, range(1))
    add_action_points(assessment, iat, range(1), [pi_2_2.indicator])
    with_one = queries_for(client, url)

    add_evidence(pi_2_2, iat, range(1, 1 + MORE))
    add_action_points(assessment, iat, range(1, 1 + MORE), [pi_2_2.indicator])
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert '<tr data-pi="2.2">' in html
    assert f'<td data-label="Evidence">{1 + MORE}</td>' in html  # the evidence count of PI 2.2
    assert with_one <= OVERVIEW_CEILING, f"overview: {with_one} queries"


def test_pi_page_query_count_does_not_grow(
    client, iat, assessment, pi_2_2, django_assert_max_num_queries
):
    url = "/teams/KAZ/2022/pi/2.2/"
    client.force_login(iat)
    add_evidence(pi_2_2, iat, range(1))
    add_action_points(assessment, iat, range(1), [pi_2_2.indicator])
    with_one = queries_for(client, url)

    add_evidence(pi_2_2, iat, range(1, 1 + MORE))
    add_action_points(assessment, iat, range(1, 1 + MORE), [pi_2_2.indicator])
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert html.count('href="https://example.org/reports/') == 1 + MORE
    listed = html.split('data-testid="action-points"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("Action point ") == 1 + MORE
    assert with_one <= PI_PAGE_CEILING, f"PI page: {with_one} queries"


def test_pi_history_query_count_does_not_grow(
    client, iat, assessment, pi_2_2, django_assert_max_num_queries
):
    """The PI's history (loaded when opened): every version of the rating, its evidence and its
    action points, each with who saved it."""
    url = "/teams/KAZ/2022/pi/2.2/open/history/"
    client.force_login(iat)
    add_evidence(pi_2_2, iat, range(1))
    add_action_points(assessment, iat, range(1), [pi_2_2.indicator])
    with_one = queries_for(client, url)

    add_evidence(pi_2_2, iat, range(1, 1 + MORE))
    add_action_points(assessment, iat, range(1, 1 + MORE), [pi_2_2.indicator])
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    listed = html.split('data-testid="history"', 1)[1].split("</ul>", 1)[0]
    # Each evidence and action point as created, and the PI row's own creation.
    assert listed.count("<li") == 2 * (1 + MORE) + 1
    assert with_one <= PI_HISTORY_CEILING, f"PI history: {with_one} queries"


def test_action_plan_query_count_does_not_grow(
    client, iat, assessment, django_assert_max_num_queries
):
    url = "/teams/KAZ/2022/action-plan/"
    indicators = list(Indicator.objects.filter(framework=assessment.framework).order_by("order"))
    client.force_login(iat)
    add_action_points(assessment, iat, range(1), indicators)
    with_one = queries_for(client, url)

    add_action_points(assessment, iat, range(1, 1 + MORE), indicators)
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert html.count("/edit/") == 1 + MORE
    assert html.count("Dimension ") == 7  # every dimension header, once
    assert with_one <= ACTION_PLAN_CEILING, f"action plan: {with_one} queries"


def test_team_page_query_count_does_not_grow(
    client, coordinator, team, assessment, django_assert_max_num_queries
):
    url = "/teams/KAZ/"
    client.force_login(coordinator)
    with_one = queries_for(client, url)

    add_assessments(team, coordinator, range(2023, 2023 + MORE))
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    # One row per assessment (the warning above "Create" links to the latest one as well).
    assert html.count('<td><a href="/teams/KAZ/20') == 1 + MORE
    assert with_one <= TEAM_PAGE_CEILING, f"team page: {with_one} queries"


def test_home_query_count_does_not_grow(
    client, iat, team, assessment, django_assert_max_num_queries
):
    url = "/"
    client.force_login(iat)
    with_one = queries_for(client, url)

    add_assessments(team, iat, range(2023, 2023 + MORE))
    for n in range(MORE):
        other = CountryTeamFactory(code=f"T{n:02d}", name=f"Country team {n:02d}")
        MembershipFactory(user=iat, country_team=other, role=Membership.Role.VIEWER)
        add_assessments(other, iat, range(2022, 2023))
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert html.count('<h2 class="h5 card-title">') == 1 + MORE
    assert html.count("· Comprehensive assessment</a>") == 1 + MORE + MORE
    assert with_one <= HOME_CEILING, f"home: {with_one} queries"


def test_evidence_categories_exist_for_pi_2_2(framework):
    """The PI page builder above spreads evidence over PI 2.2's own categories."""
    names = EvidenceCategory.objects.filter(indicator__code="2.2").values_list("name", flat=True)
    assert sorted(names) == ["Communication/Advocacy", "Other"]
