"""Dashboards and exports (issue 7): what they show on small hand-built data, who sees what, and
what they cost in queries.

Data is built with the services, then ratings are set straight on the rows: these tests are about
reading, and the literal expectations below are easier to follow than a series of PI saves.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from core.models import Membership
from dashboards import exports, selectors
from scorecard import services
from scorecard.models import Assessment, Indicator, IndicatorAssessment, Rating
from tests.conftest import PI_CODES
from tests.factories import CountryTeamFactory, MembershipFactory, RegionFactory

Status = Assessment.Status
MORE = 30
TEAM_URL = "/dashboards/teams/KAZ/"
GLOBAL_URL = "/dashboards/global/"
RATING_HEADER = exports.RATING_COLUMNS.headers_in("en")
ACTION_PLAN_HEADER = exports.ACTION_PLAN_COLUMNS.headers_in("en")
# Where each column is in a row: the header is in the user's language, the keys are not.
R = {key: index for index, key in enumerate(exports.RATING_COLUMNS.keys)}
P = {key: index for index, key in enumerate(exports.ACTION_PLAN_COLUMNS.keys)}
# Ceilings (measured + a margin of 2): a guard against a creep of queries, not a target.
TEAM_DASHBOARD_CEILING = 8
GLOBAL_DASHBOARD_CEILING = 12
EXPORT_CEILING = 7


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Helpers ---------------------------------------------------------------------------------


class PageIds(HTMLParser):
    """Every element with a data-testid: (testid, attributes), in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if "data-testid" in attributes:
            self.found.append((attributes["data-testid"], attributes))

    def all(self, testid: str) -> list[dict[str, str]]:
        return [attrs for found, attrs in self.found if found == testid]


def page(client, url: str) -> PageIds:
    response = client.get(url)
    assert response.status_code == 200
    return PageIds(response.content.decode())


def rate(assessment: Assessment, ratings: dict[str, str], *, reassess: bool = True) -> None:
    """Set ratings as a reassessment would leave them (reassessed, nothing carried)."""
    for code, rating in ratings.items():
        fields = {"rating": rating}
        if reassess:
            fields.update(reassessed=True, carried_from_year=None)
        IndicatorAssessment.objects.filter(assessment=assessment, indicator__code=code).update(
            **fields
        )


def set_status(assessment: Assessment, status: str) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.status = status


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    width = len(rows[0])
    return [row + [""] * (width - len(row)) for row in rows]  # trailing empty cells come back


# --- A team over three years -----------------------------------------------------------------

M, A, ME, E = "missing", "approaches", "meets", "exceeds"
# 2020 comprehensive: every PI meets except these; 7.1 is left unrated.
Y2020 = {"1.1": M, "1.2": A, "1.3": ME, "2.1": E, "7.1": ""}
Y2021 = {"1.1": A, "1.2": M}  # reassessed in 2021; the rest carried from 2020
Y2022 = {"1.3": E, "2.1": ME, "2.2": ME, "7.1": A}  # reassessed in 2022


@pytest.fixture
def history(framework, team, coordinator):
    """KAZ: comprehensive 2020 (approved), annual 2021 (approved), annual 2022 (draft)."""
    first = services.create_comprehensive_assessment(country_team=team, year=2020, by=coordinator)
    rate(first, {code: Y2020.get(code, ME) for code in PI_CODES})
    second = services.create_annual_assessment(country_team=team, year=2021, by=coordinator)
    rate(second, Y2021)
    third = services.create_annual_assessment(country_team=team, year=2022, by=coordinator)
    rate(third, Y2022)
    set_status(first, Status.APPROVED)
    set_status(second, Status.APPROVED)
    return first, second, third


def expected_cells() -> dict[tuple[str, str], tuple[str, str]]:
    """(PI, year) → (rating, carried), written out from Y2020/Y2021/Y2022 by hand."""
    cells = {}
    for code in PI_CODES:
        base = Y2020.get(code, ME)
        cells[(code, "2020")] = (base, "false")
        in_2021 = Y2021.get(code)
        cells[(code, "2021")] = (in_2021, "false") if in_2021 else (base, "true")
        latest_2021 = in_2021 or base
        in_2022 = Y2022.get(code)
        cells[(code, "2022")] = (in_2022, "false") if in_2022 else (latest_2021, "true")
    return cells


def test_team_heatmap_shows_every_rating_and_marks_carried_cells(client, viewer, history):
    client.force_login(viewer)
    ids = page(client, TEAM_URL)

    cells = {
        (c["data-pi"], c["data-year"]): (c["data-rating"], c["data-carried"])
        for c in ids.all("heat-cell")
    }
    assert len(ids.all("heat-cell")) == 45
    assert cells == expected_cells()
    # A few spelled out, to read without the helper:
    assert cells[("1.1", "2021")] == ("approaches", "false")
    assert cells[("1.1", "2022")] == ("approaches", "true")
    assert cells[("7.1", "2021")] == ("", "true")
    assert [y["data-year"] for y in ids.all("heat-year")] == ["2020", "2021", "2022"]


def test_team_progress_since_comprehensive_counts_each_change(client, viewer, history):
    client.force_login(viewer)
    ids = page(client, TEAM_URL)

    changes = {row["data-pi"]: row["data-change"] for row in ids.all("progress-row")}
    assert changes == {
        "1.1": "improved",  # missing → approaches (2021, carried into 2022)
        "1.2": "regressed",  # approaches → missing
        "1.3": "improved",  # meets → exceeds
        "2.1": "regressed",  # exceeds → meets
        "2.2": "same",  # meets → meets, reassessed
        "7.1": "not_comparable",  # unrated in 2020
        **{code: "same" for code in ["2.3", "3.1", "3.2", "4.1", "4.2", "4.3"]},
        **{code: "same" for code in ["5.1", "5.2", "6.1"]},
    }
    html = client.get(TEAM_URL).content.decode()
    assert '<div class="h4 mb-0 text-success" data-testid="progress-improved">2</div>' in html
    assert '<div class="h4 mb-0" data-testid="progress-same">10</div>' in html
    assert '<div class="h4 mb-0 text-danger" data-testid="progress-regressed">2</div>' in html
    assert 'data-testid="progress-not-comparable">1</div>' in html


def test_progress_needs_an_assessment_after_the_comprehensive_one(client, viewer, assessment):
    client.force_login(viewer)
    ids = page(client, TEAM_URL)
    assert ids.all("no-progress")
    assert len(ids.all("heat-cell")) == 15


def test_compare_ranks_ratings():
    assert selectors.compare("missing", "exceeds") == selectors.IMPROVED
    assert selectors.compare("meets", "meets") == selectors.SAME
    assert selectors.compare("meets", "approaches") == selectors.REGRESSED
    assert selectors.compare("", "meets") == selectors.NOT_COMPARABLE


# --- Team dashboard: who sees what -----------------------------------------------------------


def test_outsider_and_far_reviewer_get_404_for_the_team(client, outsider, far_reviewer, history):
    for user in (outsider, far_reviewer):
        client.force_login(user)
        assert client.get(TEAM_URL).status_code == 404
        assert client.get(TEAM_URL + "export/ratings.csv").status_code == 404
        assert client.get(TEAM_URL + "export/action-plans.xlsx").status_code == 404


def test_anonymous_is_sent_to_log_in(client, history):
    for url in (TEAM_URL, GLOBAL_URL, GLOBAL_URL + "export/ratings.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_reviewer_sees_only_submitted_years_of_the_team(client, reviewer, history):
    client.force_login(reviewer)
    ids = page(client, TEAM_URL)
    assert [y["data-year"] for y in ids.all("heat-year")] == ["2020", "2021"]  # 2022 is a draft
    rows = csv_rows(client.get(TEAM_URL + "export/ratings.csv"))
    assert {row[R["year"]] for row in rows[1:]} == {"2020", "2021"}


def test_reviewer_sees_an_empty_dashboard_before_anything_is_submitted(
    client, reviewer, assessment
):
    client.force_login(reviewer)
    ids = page(client, TEAM_URL)
    assert ids.all("no-assessments")
    assert not ids.all("heat-cell")


def test_viewer_sees_own_team_drafts_included(client, viewer, history):
    client.force_login(viewer)
    ids = page(client, TEAM_URL)
    assert [y["data-year"] for y in ids.all("heat-year")] == ["2020", "2021", "2022"]


def test_unknown_export_is_404(client, viewer, history):
    client.force_login(viewer)
    assert client.get(TEAM_URL + "export/ratings.pdf").status_code == 404
    assert client.get(TEAM_URL + "export/evidence.csv").status_code == 404


# --- Team exports ----------------------------------------------------------------------------


def test_team_ratings_csv_and_xlsx_hold_every_visible_rating(client, viewer, history):
    client.force_login(viewer)
    response = client.get(TEAM_URL + "export/ratings.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="unct-swap-ratings-KAZ.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)

    assert rows[0] == RATING_HEADER
    assert rows[0][:2] == ["Country team (code)", "Country team"]
    assert len(rows) == 1 + 45
    assert rows[1] == [
        "KAZ", "Kazakhstan", "Europe and Central Asia", "2020",
        "comprehensive", "Comprehensive assessment", "approved", "Approved",
        "1.1", "Common Country Analysis", "missing", "Missing requirements", "Yes", "",
    ]  # fmt: skip
    row_1_1_2022 = next(r for r in rows if r[R["year"]] == "2022" and r[R["pi"]] == "1.1")
    assert row_1_1_2022[R["kind"] :] == [
        "annual", "Annual progress assessment", "draft", "Draft", "1.1",
        "Common Country Analysis", "approaches", "Approaches minimum requirements", "No", "2021",
    ]  # fmt: skip
    cells = expected_cells()
    assert {
        (r[R["pi"]], r[R["year"]]): (
            r[R["rating"]],
            "false" if r[R["reassessed"]] == "Yes" else "true",
        )
        for r in rows[1:]
    } == cells

    workbook = xlsx_rows(client.get(TEAM_URL + "export/ratings.xlsx"))
    assert workbook == rows


def test_a_french_export_has_french_headers_and_labels_beside_the_same_codes(
    client, viewer, history
):
    # PI 1.2 has no French title: the English one stands in (modeltranslation's fallback does not
    # apply to values_list, the export picks it itself).
    Indicator.objects.filter(code="1.2").update(short_title_fr="")
    client.force_login(viewer)
    rows = csv_rows(client.get(TEAM_URL + "export/ratings.csv", HTTP_ACCEPT_LANGUAGE="fr"))

    with translation.override("fr"):
        assert rows[0] == exports.RATING_COLUMNS.header()
        approved, meets = str(Status.APPROVED.label), str(Rating.MEETS.label)
    assert rows[0][R["team_name"]] == "Équipe de pays"  # already translated: not English
    assert rows[0][R["rating_label"]] == "Notation"
    assert rows[0] != RATING_HEADER
    first = rows[1]
    assert [first[R[key]] for key in ("team", "year", "kind", "status", "pi", "rating")] == [
        "KAZ", "2020", "comprehensive", "approved", "1.1", "missing",
    ]  # fmt: skip
    assert first[R["rating_label"]] == "Non satisfaisant"
    assert first[R["status_label"]] == approved
    assert first[R["reassessed"]] == "Oui"
    assert first[R["pi_title"]] == "Analyse commune de pays"
    pi_1_2 = next(r for r in rows if r[R["pi"]] == "1.2")
    assert pi_1_2[R["pi_title"]] == "Cooperation Framework Outcomes"
    pi_1_3 = next(r for r in rows if r[R["pi"]] == "1.3")
    assert (pi_1_3[R["rating"]], pi_1_3[R["rating_label"]]) == ("meets", meets)

    workbook = xlsx_rows(client.get(TEAM_URL + "export/ratings.xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
    assert workbook == rows


@pytest.mark.parametrize("what", ["ratings", "action-plans"])
def test_an_export_names_the_country_in_the_readers_language(client, iat, viewer, history, what):
    pi_2_2 = Indicator.objects.get(framework=history[2].framework, code="2.2")
    services.create_action_point(assessment=history[2], by=iat, indicator=pi_2_2, text="Radio")
    client.force_login(viewer)
    rows = csv_rows(client.get(TEAM_URL + f"export/{what}.csv", HTTP_ACCEPT_LANGUAGE="ru"))
    columns = exports.EXPORTS[what][0].keys
    team, name = columns.index("team"), columns.index("team_name")
    assert {(row[team], row[name]) for row in rows[1:]} == {("KAZ", "Казахстан")}


def test_team_action_plan_export_leaves_out_withdrawn_points(client, iat, viewer, history):
    first, _second, third = history
    pi_2_2 = Indicator.objects.get(framework=third.framework, code="2.2")
    kept = services.create_action_point(
        assessment=third,
        by=iat,
        indicator=pi_2_2,
        text='=HYPERLINK("http://evil")',  # a formula: exported as text
        responsible="Gender Theme Group",
        activities_year_1="Campaign planned",
    )
    gone = services.create_action_point(assessment=third, by=iat, indicator=pi_2_2, text="Old")
    services.withdraw_action_point(action_point=gone, by=iat, reason="Merged")
    services.create_action_point(assessment=first, by=iat, indicator=pi_2_2, text="Baseline")

    client.force_login(viewer)
    rows = csv_rows(client.get(TEAM_URL + "export/action-plans.csv"))
    assert rows[0] == ACTION_PLAN_HEADER
    assert [r[P["year"]] for r in rows[1:]] == ["2020", "2022"]
    assert rows[2][P["pi"] : P["timeline"]] == [
        "2.2", '\'=HYPERLINK("http://evil")', "", "Gender Theme Group",
    ]  # fmt: skip
    assert rows[2][P["status"] : P["activities_year_2"]] == [
        "not_started", "Not started", "Campaign planned",
    ]  # fmt: skip
    assert kept.pk  # the point exported above
    workbook = xlsx_rows(client.get(TEAM_URL + "export/action-plans.xlsx"))
    assert [r[P["action"]] for r in workbook] == [
        "Action point", "Baseline", '\'=HYPERLINK("http://evil")',
    ]  # fmt: skip


# --- Global dashboard ------------------------------------------------------------------------

# KAZ and three more teams of Europe and Central Asia in 2022, one team in Africa.
ECA_TEAMS = [
    # code, status, rating of PI 1.1, rating of PI 4.3
    ("KAZ", Status.APPROVED, M, E),
    ("ECB", Status.SUBMITTED, ME, E),
    ("ECC", Status.IN_REVIEW, ME, ""),
    ("ECD", Status.DRAFT, E, E),  # never counted; reviewers do not see it at all
]


@pytest.fixture
def world(framework, team, coordinator):
    """Five teams' 2022 assessments in two regions, plus a 2021 year for KAZ."""
    africa = RegionFactory(code="africa", name="Africa")
    created = {}
    for code, status, pi_1_1, pi_4_3 in ECA_TEAMS:
        country = team if code == "KAZ" else CountryTeamFactory(code=code, name=f"Team {code}")
        a = services.create_comprehensive_assessment(
            country_team=country, year=2022, by=coordinator
        )
        rate(a, {code_: ME for code_ in PI_CODES} | {"1.1": pi_1_1, "4.3": pi_4_3})
        set_status(a, status)
        created[code] = a
    far = CountryTeamFactory(code="AFA", name="Team AFA", region=africa)
    a = services.create_comprehensive_assessment(country_team=far, year=2022, by=coordinator)
    rate(a, {code_: M for code_ in PI_CODES})
    set_status(a, Status.APPROVED)
    old = services.create_comprehensive_assessment(country_team=team, year=2021, by=coordinator)
    rate(old, {code_: A for code_ in PI_CODES})
    set_status(old, Status.APPROVED)
    return created


def shares(ids: PageIds, pi: str) -> dict[str, tuple[int, int]]:
    return {
        bar["data-level"]: (int(bar["data-count"]), int(bar["data-total"]))
        for bar in ids.all("share-bar")
        if bar["data-pi"] == pi
    }


def test_global_shares_count_submitted_work_only(client, reviewer, world):
    client.force_login(reviewer)
    ids = page(client, GLOBAL_URL + "?year=2022")

    counted = [row for row in ECA_TEAMS if row[1] != Status.DRAFT]
    for pi, column in (("1.1", 2), ("4.3", 3)):
        expected = Counter(row[column] or "not_rated" for row in counted)
        assert shares(ids, pi) == {level: (n, len(counted)) for level, n in expected.items()}
    assert shares(ids, "1.1") == {"missing": (1, 3), "meets": (2, 3)}
    pct = {
        bar["data-level"]: bar["data-pct"]
        for bar in ids.all("share-bar")
        if bar["data-pi"] == "1.1"
    }
    assert pct == {"missing": "33.3", "meets": "66.7"}
    assert len(ids.all("share-row")) == 15
    assert len(ids.all("trend-chart")) == 15


def test_global_status_table_for_a_reviewer_hides_drafts(client, reviewer, world):
    client.force_login(reviewer)
    ids = page(client, GLOBAL_URL + "?year=2022")
    statuses = {row["data-team"]: row["data-status"] for row in ids.all("team-status-row")}
    assert statuses == {"KAZ": "approved", "ECB": "submitted", "ECC": "in_review", "ECD": "none"}
    counts = {row["data-status"]: row["data-count"] for row in ids.all("status-count")}
    assert counts == {
        "none": "1", "submitted": "1", "in_review": "1", "returned": "0", "approved": "1",
    }  # fmt: skip
    assert [r["data-region"] for r in ids.all("region-row")] == ["europe-central-asia"]


def test_global_dashboard_for_an_admin_lists_drafts_but_does_not_chart_them(
    client, admin_user, world
):
    client.force_login(admin_user)
    ids = page(client, GLOBAL_URL + "?year=2022")
    statuses = {row["data-team"]: row["data-status"] for row in ids.all("team-status-row")}
    assert statuses["ECD"] == "draft"
    assert statuses["AFA"] == "approved"
    assert shares(ids, "1.1") == {"missing": (2, 4), "meets": (2, 4)}  # AFA counts, ECD not
    assert [r["data-region"] for r in ids.all("region-row")] == ["africa", "europe-central-asia"]
    counts = {row["data-status"]: row["data-count"] for row in ids.all("status-count")}
    assert counts["draft"] == "1"
    assert counts["approved"] == "2"

    ids = page(client, GLOBAL_URL + "?year=2022&region=africa")
    assert [row["data-team"] for row in ids.all("team-status-row")] == ["AFA"]
    assert shares(ids, "1.1") == {"missing": (1, 1)}


def test_global_dashboard_defaults_to_the_latest_year_and_shows_the_trend(client, reviewer, world):
    client.force_login(reviewer)
    html = client.get(GLOBAL_URL).content.decode()
    assert 'data-testid="selected-year">2022<' in html
    ids = PageIds(html)
    trend = [t for t in ids.all("trend-chart") if t["data-pi"] == "1.1"]
    assert len(trend) == 1
    assert "2021: APPROACHING 1/1" in html  # KAZ 2021 in the trend's description


def test_far_reviewer_sees_nothing_of_kaz(client, far_reviewer, world):
    client.force_login(far_reviewer)
    html = client.get(GLOBAL_URL + "?year=2022").content.decode()
    assert "KAZ" not in html
    assert "Kazakhstan" not in html
    # A region outside the scope is not a choice: the filter selects nothing.
    ids = page(client, GLOBAL_URL + "?year=2022&region=europe-central-asia")
    assert ids.all("filter-invalid")
    assert not ids.all("team-status-row")
    rows = csv_rows(client.get(GLOBAL_URL + "export/ratings.csv?region=europe-central-asia"))
    assert rows == [RATING_HEADER]
    rows = csv_rows(client.get(GLOBAL_URL + "export/ratings.csv?year=2022"))
    assert {r[R["team"]] for r in rows[1:]} == {"AFA"}


@pytest.mark.parametrize("who", ["viewer", "iat", "outsider"])
def test_global_dashboard_is_for_reviewers_and_admins(client, request, who, world):
    client.force_login(request.getfixturevalue(who))
    assert client.get(GLOBAL_URL).status_code == 403
    assert client.get(GLOBAL_URL + "export/ratings.csv").status_code == 403


def test_global_exports_hold_exactly_what_the_filter_counts(client, reviewer, world):
    client.force_login(reviewer)
    response = client.get(GLOBAL_URL + "export/ratings.csv?year=2022&region=europe-central-asia")
    assert (
        'filename="unct-swap-ratings-europe-central-asia-2022.csv"'
        in (response["Content-Disposition"])
    )
    rows = csv_rows(response)
    assert rows[0] == RATING_HEADER
    assert Counter(r[R["team"]] for r in rows[1:]) == {"ECB": 15, "ECC": 15, "KAZ": 15}
    assert {r[R["year"]] for r in rows[1:]} == {"2022"}
    by_team_pi = {(r[R["team"]], r[R["pi"]]): r[R["rating"]] for r in rows[1:]}
    for code, _status, pi_1_1, pi_4_3 in ECA_TEAMS[:3]:
        assert by_team_pi[(code, "1.1")] == pi_1_1
        assert by_team_pi[(code, "4.3")] == pi_4_3

    workbook = xlsx_rows(client.get(GLOBAL_URL + "export/ratings.xlsx?year=2022"))
    assert workbook == rows

    rows = csv_rows(client.get(GLOBAL_URL + "export/ratings.csv?year=2021"))
    assert Counter(r[R["team"]] for r in rows[1:]) == {"KAZ": 15}


def test_global_action_plan_export(client, reviewer, iat, world):
    pi = Indicator.objects.get(framework=world["KAZ"].framework, code="1.1")
    for code in ("KAZ", "ECD"):
        services.create_action_point(assessment=world[code], by=iat, indicator=pi, text=code)
    client.force_login(reviewer)
    rows = csv_rows(client.get(GLOBAL_URL + "export/action-plans.csv?year=2022"))
    assert [r[P["action"]] for r in rows[1:]] == ["KAZ"]  # ECD's plan is a draft's


# --- Query counts ----------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    def fetch():
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)

    fetch()  # warm-up: sessions, content types
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured.captured_queries)


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


TEAM_URLS = [
    TEAM_URL,
    TEAM_URL + "export/ratings.csv",
    TEAM_URL + "export/ratings.xlsx",
    TEAM_URL + "export/action-plans.csv",
]


@pytest.mark.parametrize("url", TEAM_URLS)
def test_team_dashboard_and_exports_cost_the_same_with_30_more_assessments(
    client, coordinator, team, assessment, url, django_assert_max_num_queries
):
    pi = Indicator.objects.get(framework=assessment.framework, code="2.2")
    services.create_action_point(assessment=assessment, by=coordinator, indicator=pi, text="A")
    client.force_login(coordinator)
    with_one = queries_for(client, url)

    for year in range(2023, 2023 + MORE):
        services.create_annual_assessment(country_team=team, year=year, by=coordinator)
    with django_assert_max_num_queries(with_one):
        body = fetch(client, url)

    if url == TEAM_URL:
        assert body.decode().count('data-testid="heat-cell"') == 15 * (1 + MORE)
    elif url.endswith("ratings.csv"):
        assert body.decode("utf-8-sig").count("\n") == 1 + 15 * (1 + MORE)
    elif url.endswith("action-plans.csv"):
        assert body.decode("utf-8-sig").count("\n") == 1 + 1 + MORE  # carried every year
    ceiling = TEAM_DASHBOARD_CEILING if url == TEAM_URL else EXPORT_CEILING
    assert with_one <= ceiling, f"{url}: {with_one} queries"


@pytest.mark.parametrize("what", ["ratings.csv", "ratings.xlsx", "action-plans.csv"])
def test_an_export_in_french_costs_the_queries_of_one_in_english(client, viewer, history, what):
    """Labels come from dicts built once per file, and the title from the same query."""
    client.force_login(viewer)
    url = TEAM_URL + "export/" + what
    english = queries_for(client, url)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert queries_for(client, url) == english


def _submitted_team(code: str, by, region=None) -> Assessment:
    extra = {"region": region} if region else {}
    country = CountryTeamFactory(code=code, name=f"Team {code}", **extra)
    a = services.create_comprehensive_assessment(country_team=country, year=2022, by=by)
    set_status(a, Status.SUBMITTED)
    return a


GLOBAL_URLS = [
    GLOBAL_URL + "?year=2022",
    GLOBAL_URL,
    GLOBAL_URL + "?year=2022&region=europe-central-asia",
    GLOBAL_URL + "export/ratings.csv?year=2022",
    GLOBAL_URL + "export/action-plans.xlsx?year=2022",
]


@pytest.mark.parametrize("url", GLOBAL_URLS)
def test_global_dashboard_and_exports_cost_the_same_with_30_more_teams(
    client, reviewer, coordinator, framework, team, url, django_assert_max_num_queries
):
    _submitted_team("T00", coordinator, region=team.region)
    client.force_login(reviewer)
    with_one = queries_for(client, url)

    regions = [team.region, RegionFactory(code="arab-states", name="Arab States")]
    for n in range(1, 1 + MORE):
        _submitted_team(f"T{n:02d}", coordinator, region=regions[n % 2])
    # Make the reviewer cover the second region too: same queries, more data.
    reviewer.reviewer_scope.regions.add(regions[1])
    with django_assert_max_num_queries(with_one):
        body = fetch(client, url)

    if url == GLOBAL_URL + "?year=2022":
        assert body.decode().count('data-testid="team-status-row"') == 2 + MORE  # with KAZ
    if "ratings.csv" in url:
        assert body.decode("utf-8-sig").count("\n") == 1 + 15 * (1 + MORE)
    ceiling = EXPORT_CEILING if "export" in url else GLOBAL_DASHBOARD_CEILING
    assert with_one <= ceiling, f"{url}: {with_one} queries"


def test_membership_does_not_widen_the_global_scope(client, reviewer, coordinator, world):
    """A reviewer who is also a member elsewhere still sees only their regions' submitted work."""
    elsewhere = CountryTeamFactory(code="AFB", region=RegionFactory(code="africa", name="Africa"))
    MembershipFactory(user=reviewer, country_team=elsewhere, role=Membership.Role.VIEWER)
    client.force_login(reviewer)
    ids = page(client, GLOBAL_URL + "?year=2022")
    assert "AFA" not in {row["data-team"] for row in ids.all("team-status-row")}
    assert "AFB" not in {row["data-team"] for row in ids.all("team-status-row")}
