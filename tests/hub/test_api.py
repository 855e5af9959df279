"""The Knowledge Hub's API: the same gate as the pages (404 for what the user may not know
exists, 403 for a step that is not theirs, 400 for one that is theirs but not now), the same
services, published items only in the list, and a list that costs the same whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hub.api import PracticeViewSet
from hub.models import Practice
from scorecard.models import Dimension, Indicator

Status = Practice.Status
UNPUBLISHED = [Status.PROPOSED, Status.AGREED, Status.REFUSED, Status.WITHDRAWN, Status.RETIRED]
HUB = "/api/v1/hub/practices/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def listed(api, **query) -> list[int]:
    response = api.get(HUB, query)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return [item["id"] for item in body["results"]]


def good_practice(**fields) -> dict:
    return {
        "country_team": "KAZ",
        "title": "Gender marker for joint programmes",
        "summary": "Every joint programme carries a gender marker.",
        "what_done": "We trained the programme officers.",
        "result": "All 12 joint programmes are marked.",
        "indicators": ["1.1"],
        "dimension": 1,
        "year": 2024,
        "language": "en",
        "links": [{"url": "https://example.org/marker", "title": "The guide"}],
    } | fields


# --- Privacy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", UNPUBLISHED)
@pytest.mark.parametrize("user_name", ["outsider", "far_reviewer", "reviewer", "iat", "admin_user"])
def test_the_list_and_search_hold_published_items_only_whoever_asks(
    request, api, make_practice, status, user_name
):
    hidden = make_practice(status, title="Confidential strategy")
    published = make_practice(title="Open strategy")
    as_user(api, request.getfixturevalue(user_name))

    assert listed(api) == [published.pk]
    assert listed(api, q="strategy") == [published.pk]
    assert listed(api, q="Confidential") == []
    assert listed(api, indicator="1.1", year=2024, language="en") == [published.pk]
    mine = [item["id"] for item in api.get(HUB + "mine/").json()["results"]]
    # Only its own team's list has every step, on purpose.
    assert (hidden.pk in mine) == (user_name == "iat")


@pytest.mark.parametrize("status", UNPUBLISHED)
@pytest.mark.parametrize("user_name", ["outsider", "far_reviewer"])
def test_unpublished_items_are_404_to_outsiders_and_far_reviewers(
    request, api, make_practice, status, user_name
):
    practice = make_practice(status)
    as_user(api, request.getfixturevalue(user_name))

    assert api.get(f"{HUB}{practice.pk}/").status_code == 404
    for step in ("agree", "publish", "refuse", "withdraw", "feature", "retire"):
        response = api.post(f"{HUB}{practice.pk}/{step}/", {"reason": "Why not"}, format="json")
        assert (step, response.status_code) == (step, 404)
    assert api.get(f"{HUB}{practice.pk + 1000}/").status_code == 404


def test_the_regions_reviewer_sees_an_item_only_once_the_team_agreed(
    api, make_practice, reviewer, far_reviewer, coordinator
):
    proposed = make_practice(Status.PROPOSED)
    agreed = make_practice(Status.AGREED)
    as_user(api, reviewer)

    assert api.get(f"{HUB}{proposed.pk}/").status_code == 404
    assert api.post(f"{HUB}{proposed.pk}/refuse/", {"reason": "No"}).status_code == 404
    assert [item["id"] for item in api.get(HUB + "queue/").json()["results"]] == [agreed.pk]
    detail = api.get(f"{HUB}{agreed.pk}/").json()
    assert (detail["status"], [e["action"] for e in detail["history"]]) == (
        "agreed",
        ["propose", "agree"],
    )
    assert as_user(api, far_reviewer).get(HUB + "queue/").json()["results"] == []
    assert as_user(api, coordinator).get(HUB + "queue/").status_code == 403


@pytest.mark.parametrize("status", [*UNPUBLISHED, Status.PUBLISHED])
def test_logged_out_requests_get_nothing(api, make_practice, status):
    practice = make_practice(status)

    for url in (HUB, f"{HUB}?q=strategy", f"{HUB}{practice.pk}/", f"{HUB}mine/", f"{HUB}queue/"):
        response = api.get(url)
        assert (url, response.status_code) == (url, 401)
        assert "results" not in response.json()


def test_the_team_sees_its_items_at_every_step_and_others_never(
    api, make_practice, iat, viewer, outsider
):
    items = {status: make_practice(status) for status in [*UNPUBLISHED, Status.PUBLISHED]}

    for member in (iat, viewer):
        mine = as_user(api, member).get(HUB + "mine/").json()
        assert sorted(item["id"] for item in mine["results"]) == sorted(
            item.pk for item in items.values()
        )
        proposed = api.get(HUB + "mine/", {"status": "proposed"}).json()["results"]
        assert [item["id"] for item in proposed] == [items[Status.PROPOSED].pk]
        for practice in items.values():
            detail = api.get(f"{HUB}{practice.pk}/").json()
            assert detail["status"] == practice.status
            assert detail["history"][0]["action"] == "propose"
    assert as_user(api, outsider).get(HUB + "mine/").json()["results"] == []


def test_an_anonymous_item_hides_its_team_and_ratings_from_others_only(
    api, make_practice, assessment, outsider, iat
):
    practice = make_practice(anonymous=True)
    practice.indicator_links.update(rating="meets")

    seen = as_user(api, outsider).get(f"{HUB}{practice.pk}/").json()
    assert (seen["team"], seen["indicators"], seen["history"]) == (
        None,
        [{"code": "1.1", "rating": None}],
        None,
    )
    [found] = api.get(HUB, {"q": "strategy"}).json()["results"]
    assert (found["team"], found["indicators"][0]["rating"]) == (None, None)
    assert listed(api, rating="meets") == []  # the filter would reveal what the page hides

    own = as_user(api, iat).get(f"{HUB}{practice.pk}/").json()
    assert own["team"] == {"code": "KAZ", "name": "Kazakhstan", "region": "europe-central-asia"}
    assert own["indicators"] == [{"code": "1.1", "rating": "meets"}]


# --- The way through --------------------------------------------------------------------------


def test_propose_agree_publish_then_an_outsider_finds_it(
    api, framework, team, iat, coordinator, reviewer, outsider
):
    response = as_user(api, iat).post(HUB, good_practice(), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    pk = created["id"]
    assert (created["status"], created["kind"], created["team"]["code"]) == (
        "proposed",
        "good_practice",
        "KAZ",
    )
    assert created["indicators"] == [{"code": "1.1", "rating": None}]
    assert created["links"] == [{"url": "https://example.org/marker", "title": "The guide"}]
    assert as_user(api, outsider).get(f"{HUB}{pk}/").status_code == 404

    response = as_user(api, coordinator).post(f"{HUB}{pk}/agree/")
    assert (response.status_code, response.json()["status"]) == (200, "agreed")
    response = as_user(api, reviewer).post(f"{HUB}{pk}/publish/")
    assert (response.status_code, response.json()["status"]) == (200, "published")

    as_user(api, outsider)
    found = api.get(HUB, {"q": "marker"}).json()
    assert [item["id"] for item in found["results"]] == [pk]
    assert "<mark>" in found["results"][0]["highlight"]["title"]
    assert api.get(HUB).json()["results"][0]["highlight"] is None
    detail = api.get(f"{HUB}{pk}/").json()
    assert (detail["status"], detail["what_done"], detail["history"]) == (
        "published",
        "We trained the programme officers.",
        None,
    )
    history = as_user(api, iat).get(f"{HUB}{pk}/").json()["history"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("propose", None, "proposed"),
        ("agree", "proposed", "agreed"),
        ("publish", "agreed", "published"),
    ]


def test_evidence_is_proposed_through_the_scorecards_gate(
    api, evidence, iat, viewer, outsider, coordinator
):
    body = {"evidence": evidence.pk, "summary": "Our strategy, shared.", "language": "fr"}

    assert as_user(api, outsider).post(f"{HUB}propose-evidence/", body).status_code == 404
    assert as_user(api, viewer).post(f"{HUB}propose-evidence/", body).status_code == 403
    response = as_user(api, iat).post(f"{HUB}propose-evidence/", body, format="json")

    assert response.status_code == 201, response.json()
    item = response.json()
    assert (item["kind"], item["title"], item["language"]) == (
        "evidence",
        "Gender strategy 2024",
        "fr",
    )
    [copy] = item["files"]
    assert (copy["name"], copy["content_type"]) == ("strategy.pdf", "application/pdf")
    again = api.post(f"{HUB}propose-evidence/", body, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == (
        "This evidence is already in the Knowledge Hub or proposed to it."
    )


def test_only_the_teams_editors_propose_and_only_what_exists(
    api, framework, team, other_team, iat, viewer, outsider, reviewer, admin_user
):
    # As the page: outsiders do not learn the team exists, its readers and reviewers may not
    # propose for it, nor may administrators (the team shares its own work).
    assert as_user(api, outsider).post(HUB, good_practice(), format="json").status_code == 404
    for user in (viewer, reviewer, admin_user):
        assert as_user(api, user).post(HUB, good_practice(), format="json").status_code == 403
    as_user(api, iat)
    assert api.post(HUB, good_practice(country_team="ZZZ"), format="json").status_code == 404
    response = api.post(HUB, good_practice(indicators=["1.1", "9.9"], dimension=42), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "indicators", "dimension"}
    response = api.post(HUB, good_practice(title=""), format="json")
    assert (response.status_code, list(response.json())) == (400, ["detail", "title"])
    response = api.post(HUB, good_practice(indicators=[], dimension=None), format="json")
    assert response.json()["detail"] == "Choose the PIs or the dimension it serves."
    assert Practice.objects.count() == 0


# --- Decisions --------------------------------------------------------------------------------


def test_refusals_need_a_reason_and_are_final(api, make_practice, coordinator, reviewer):
    proposed = make_practice(Status.PROPOSED)
    as_user(api, coordinator)

    response = api.post(f"{HUB}{proposed.pk}/refuse/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Say why.", "reason": ["Say why."]}
    response = api.post(f"{HUB}{proposed.pk}/refuse/", {"reason": "Not ours to share."})
    assert (response.status_code, response.json()["status"]) == (200, "refused")
    assert response.json()["history"][-1]["action"] == "refuse_team"
    assert response.json()["history"][-1]["reason"] == "Not ours to share."

    agreed = make_practice(Status.AGREED)
    as_user(api, reviewer)
    assert api.post(f"{HUB}{agreed.pk}/refuse/").json()["reason"] == ["Say why."]
    response = api.post(f"{HUB}{agreed.pk}/refuse/", {"reason": "Too thin."})
    assert (response.status_code, response.json()["history"][-1]["action"]) == (
        200,
        "refuse_review",
    )
    again = api.post(f"{HUB}{agreed.pk}/publish/")
    assert again.status_code == 400
    assert again.json()["detail"] == "Not possible now: the item's status is “Refused”."


def test_a_step_not_yours_is_403_and_yours_but_not_now_is_400(
    api, make_practice, iat, coordinator, reviewer, outsider, admin_user
):
    proposed = make_practice(Status.PROPOSED)
    published = make_practice()

    assert as_user(api, iat).post(f"{HUB}{proposed.pk}/agree/").status_code == 403
    # Administrators publish, but never agree for a team.
    assert as_user(api, admin_user).post(f"{HUB}{proposed.pk}/agree/").status_code == 403
    assert as_user(api, outsider).post(f"{HUB}{published.pk}/publish/").status_code == 403
    assert api.post(f"{HUB}{published.pk}/withdraw/").status_code == 403
    response = as_user(api, coordinator).post(f"{HUB}{published.pk}/agree/")
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "Not possible now: the item's status is “Published”.",
    )
    assert as_user(api, reviewer).post(f"{HUB}{published.pk}/publish/").status_code == 400
    assert api.post(f"{HUB}{proposed.pk}/refuse/", {"reason": "x"}).status_code == 404
    assert Practice.objects.get(pk=proposed.pk).status == Status.PROPOSED


def test_the_author_withdraws_and_the_item_leaves_the_list(api, make_practice, iat, outsider):
    published = make_practice()
    assert listed(as_user(api, outsider)) == [published.pk]

    response = as_user(api, iat).post(f"{HUB}{published.pk}/withdraw/", {}, format="json")

    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    assert listed(as_user(api, outsider)) == []
    assert api.get(f"{HUB}{published.pk}/").status_code == 404


def test_feature_and_retire_are_for_administrators(
    api, make_practice, reviewer, coordinator, admin_user, outsider
):
    older = make_practice(title="Older")
    newer = make_practice(title="Newer")
    for user in (reviewer, coordinator, outsider):
        as_user(api, user)
        for step in ("feature", "unfeature", "retire"):
            assert (user.username, step, api.post(f"{HUB}{older.pk}/{step}/").status_code) == (
                user.username,
                step,
                403,
            )

    as_user(api, admin_user)
    response = api.post(f"{HUB}{older.pk}/feature/")
    assert (response.status_code, response.json()["featured"]) == (200, True)
    assert listed(api) == [older.pk, newer.pk]
    assert api.post(f"{HUB}{older.pk}/unfeature/").json()["featured"] is False
    assert listed(api) == [newer.pk, older.pk]
    response = api.post(f"{HUB}{older.pk}/retire/", {"reason": "Outdated."}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "retired")
    assert listed(as_user(api, outsider)) == [newer.pk]
    response = as_user(api, admin_user).post(f"{HUB}{older.pk}/feature/")
    assert response.status_code == 400


# --- Search input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"indicator": "9.9"}, "indicator"),
        ({"indicator": "99999999999999999999999"}, "indicator"),
        ({"dimension": "42"}, "dimension"),
        ({"dimension": "one"}, "dimension"),
        ({"region": "atlantis"}, "region"),
        ({"language": "xx"}, "language"),
        ({"year": "last"}, "year"),
        ({"year": "99999999"}, "year"),
        ({"rating": "great"}, "rating"),
    ],
)
def test_bad_filters_are_400_naming_them(api, make_practice, outsider, query, field):
    make_practice()

    response = as_user(api, outsider).get(HUB, query)

    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert body["detail"]


def test_filters_by_code_or_id(api, make_practice, framework, team, pi, outsider):
    match = make_practice(year=2023)
    other_pi = Indicator.objects.get(framework=framework, code="2.2")
    make_practice(indicators=[other_pi], year=2023, language="fr")
    dimension_1 = Dimension.objects.get(framework=framework, number=1)
    as_user(api, outsider)

    assert listed(api, indicator="1.1") == [match.pk]
    assert listed(api, indicator=str(pi.pk)) == [match.pk]
    assert (
        listed(api, dimension=1)
        == [match.pk]
        == [
            p.pk for p in Practice.objects.filter(indicator_links__indicator__dimension=dimension_1)
        ]
    )
    assert listed(api, region=team.region.code, language="en") == [match.pk]
    assert listed(api, region=str(team.region.pk), year=2023, indicator="1.1") == [match.pk]
    # An HTML form's empty fields: no filter.
    empty = {"indicator": "", "dimension": "", "region": "", "year": "", "rating": "", "q": ""}
    assert len(listed(api, **empty)) == 2


@pytest.mark.parametrize(
    "query",
    [
        "'\"",
        "strategy OR",
        "-strategy",
        "(strategy",
        "a & b | !c <-> d:*",
        "'; DROP TABLE hub_practice; --",
        "nul\x00byte",
        "%",
        "_",
        "\\",
        "x" * 5000,
        "стратегия 策略 استراتيجية",
    ],
)
def test_hostile_queries_never_error(api, make_practice, outsider, query):
    make_practice()

    response = as_user(api, outsider).get(HUB, {"q": query})

    assert response.status_code == 200
    assert response.json()["count"] in (0, 1)


def test_pages_past_the_end_or_not_numbers_are_404(api, make_practice, outsider):
    make_practice()
    as_user(api, outsider)

    assert api.get(HUB, {"page": 1}).status_code == 200
    for page in ("2", "0", "-1", "abc", "1.5", str(2**70)):
        response = api.get(HUB, {"page": page})
        assert (page, response.status_code) == (page, 404)
        assert response.json()["detail"]


def test_pages_link_to_each_other(api, make_practice, outsider, monkeypatch):
    # The API's page size is read when DRF's paginator class is imported.
    monkeypatch.setattr(PracticeViewSet.pagination_class, "page_size", 2)
    items = [make_practice(title=f"Strategy {n}") for n in range(5)]
    as_user(api, outsider)

    first = api.get(HUB, {"q": "strategy"}).json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    assert first["count"] == 5
    assert (first["previous"], third["next"]) == (None, None)
    assert "page" not in second["previous"]
    assert [item["id"] for page in (first, second, third) for item in page["results"]] == [
        item.pk for item in reversed(items)
    ]


# --- Speed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"q": "strategy", "indicator": "1.1"}])
def test_the_list_costs_the_same_whatever_its_length(api, make_practice, outsider, query):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(HUB, query)
        assert response.status_code == 200
        return len(captured)

    as_user(api, outsider)
    for _ in range(5):
        make_practice()
    five = queries()
    for _ in range(20):
        make_practice()
    twenty_five = queries()

    assert api.get(HUB, query).json()["count"] == 25
    assert five == twenty_five
    assert twenty_five <= 10
