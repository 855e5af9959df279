"""The parity pages cost the same number of queries whatever the amount of data they show.

Each test loads a page with one entity (or team), counts its queries, adds 19 more and asserts
the page costs no more. The ceilings are the counts measured when these tests were written plus
a small margin: a guard against a slow creep, not a target.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Membership
from tests.factories import CountryTeamFactory, MembershipFactory, UNEntityFactory
from tests.parity.conftest import import_rows

MORE = 19
# Measured: team page 10, global page 5, index 7; the ceilings add a margin of 2.
GRADES = ["P-4", "NO-B", "G-5", "G-3", "SC"]
TEAM_PAGE_CEILING = 12
GLOBAL_PAGE_CEILING = 7
INDEX_CEILING = 9


def queries_for(client, url: str) -> int:
    client.get(url)  # warm-up: one-time lookups (sessions, content types) are not counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def load(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def staffing(acronyms) -> list[list]:
    return [[a, g, 3 + n % 4, 2 + n % 3] for n, a in enumerate(acronyms) for g in GRADES]


def test_team_page_query_count_does_not_grow(
    client, coordinator, team, django_assert_max_num_queries
):
    url = "/parity/teams/KAZ/2022/"
    acronyms = [UNEntityFactory(acronym=f"AGENCY{n}").acronym for n in range(1 + MORE)]
    import_rows(team, 2021, staffing(acronyms[:1]))
    import_rows(team, 2022, staffing(acronyms[:1]))
    client.force_login(coordinator)
    with_one = queries_for(client, url)

    for year in range(2010, 2021):
        import_rows(team, year, staffing(acronyms))
    import_rows(team, 2022, staffing(acronyms))
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert html.count('href="/parity/teams/KAZ/2022/grid/?entity=AGENCY') == 1 + MORE
    assert html.count('data-testid="parity-trend-point"') == 2 * 13  # 13 years, 2 lines
    assert with_one <= TEAM_PAGE_CEILING, f"team page: {with_one} queries"


def test_global_page_query_count_does_not_grow(
    client, admin_user, team, django_assert_max_num_queries
):
    url = "/parity/global/"
    UNEntityFactory(acronym="UNDP")
    import_rows(team, 2022, staffing(["UNDP"]))
    client.force_login(admin_user)
    with_one = queries_for(client, url)

    for n in range(MORE):
        other = CountryTeamFactory(code=f"T{n:02d}", name=f"Country team {n:02d}")
        import_rows(other, 2022, staffing(["UNDP"]))
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert html.count("data-team=") == 1 + MORE
    assert with_one <= GLOBAL_PAGE_CEILING, f"global page: {with_one} queries"


def test_index_query_count_does_not_grow(client, viewer, team, django_assert_max_num_queries):
    url = "/parity/"
    UNEntityFactory(acronym="UNDP")
    import_rows(team, 2022, staffing(["UNDP"]))
    client.force_login(viewer)
    with_one = queries_for(client, url)

    for n in range(MORE):
        other = CountryTeamFactory(code=f"T{n:02d}", name=f"Country team {n:02d}")
        MembershipFactory(user=viewer, country_team=other, role=Membership.Role.VIEWER)
        import_rows(other, 2021, staffing(["UNDP"]))
        import_rows(other, 2022, staffing(["UNDP"]))
    with django_assert_max_num_queries(with_one):
        html = load(client, url)

    assert html.count('href="/parity/teams/T') == 2 * MORE
    assert with_one <= INDEX_CEILING, f"index: {with_one} queries"
