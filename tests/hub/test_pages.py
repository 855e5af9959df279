"""The Knowledge Hub's pages: who sees what, the whole way by forms, refusals, curation, the
search page's bounds and hostile input, and the PI page's panel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Membership
from hub import services
from hub.models import Practice, PracticeEvent
from scorecard import services as scorecard_services
from scorecard.models import Indicator
from tests.factories import MembershipFactory, UserFactory
from tests.hub.conftest import PDF

Status = Practice.Status
HOSTILE = ['"', "OR", "-", "(", "<script>alert(1)</script>", "' OR 1=1 --", "&|!:*", "a & (b | !c"]


@pytest.fixture
def pi_2_2(framework) -> Indicator:
    return Indicator.objects.get(framework=framework, code="2.2")


@pytest.fixture
def other_iat(outsider):
    """An IAT member of another team (Demoland): sees only what is published."""
    return outsider


def _login(client, user):
    client.force_login(user)
    return client


# --- Who sees what ------------------------------------------------------------------------------


def test_hub_page_shows_published_items_with_their_language_team_and_ratings(
    client, other_iat, make_practice
):
    make_practice(title="Stratégie de genre", summary="Une stratégie.", language="fr")
    make_practice(title="Hidden team", anonymous=True)
    make_practice(status=Status.PROPOSED, title="Not yet shared")
    html = _login(client, other_iat).get("/hub/").content.decode()
    assert "Stratégie de genre" in html
    assert '<span lang="fr" data-testid="practice-language">Français</span>' in html
    assert "Kazakhstan" in html  # the team of the item that is not anonymous
    assert "A country team (anonymous)" in html
    assert "Not yet shared" not in html
    assert 'data-rating=""' in html or "data-rating=" in html


def test_hub_pages_need_a_login(client, make_practice):
    practice = make_practice()
    for url in ("/hub/", f"/hub/{practice.pk}/", "/hub/proposals/", "/hub/propose/KAZ/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("status", [Status.PROPOSED, Status.AGREED, Status.REFUSED])
def test_outsiders_get_404_for_unpublished_items_and_their_files(
    client, other_iat, make_practice, status
):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    practice = make_practice(status=status, files=[upload])
    stored = practice.files.get()
    _login(client, other_iat)
    assert client.get(f"/hub/{practice.pk}/").status_code == 404
    assert client.get(f"/hub/{practice.pk}/files/{stored.pk}/").status_code == 404


def test_published_file_downloads_for_any_user_and_history_only_for_the_team(
    client, other_iat, iat, make_practice
):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    practice = make_practice(files=[upload])
    stored = practice.files.get()
    _login(client, other_iat)
    response = client.get(f"/hub/{practice.pk}/files/{stored.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="plan.pdf"' in response["Content-Disposition"]
    assert 'data-testid="history"' not in client.get(f"/hub/{practice.pk}/").content.decode()
    _login(client, iat)
    assert 'data-testid="history"' in client.get(f"/hub/{practice.pk}/").content.decode()
    # A file of another item is not reachable through this one's address.
    other = make_practice(files=[SimpleUploadedFile("b.pdf", PDF)])
    assert client.get(f"/hub/{practice.pk}/files/{other.files.get().pk}/").status_code == 404


def test_links_open_without_referrer(client, other_iat, make_practice):
    make_practice(links=[services.Link(url="https://example.org/a", title="A model")])
    practice = Practice.objects.get()
    html = _login(client, other_iat).get(f"/hub/{practice.pk}/").content.decode()
    assert 'href="https://example.org/a" rel="noopener noreferrer nofollow"' in html


# --- The whole way by forms ---------------------------------------------------------------------


def test_the_whole_way_from_the_form_to_another_teams_pi_page(
    client, iat, coordinator, reviewer, other_iat, other_team, admin_user, assessment, pi_2_2
):
    _login(client, iat)
    form_page = client.get("/hub/propose/KAZ/?pi=2.2").content.decode()
    assert f'value="{pi_2_2.pk}"' in form_page
    assert f'value="{pi_2_2.pk}" id="id_indicators_4" checked' in form_page or (
        "checked" in form_page.split(f'value="{pi_2_2.pk}"')[1].split(">")[0]
    )
    response = client.post(
        "/hub/propose/KAZ/",
        {
            "title": "Communication strategies with women's groups",
            "summary": "The team co-wrote its advocacy plan with women's organisations.",
            "what_done": "Monthly meetings.",
            "result": "A joint plan.",
            "indicators": [pi_2_2.pk],
            "year": 2024,
            "language": "en",
            "files": [SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")],
            "link_url_1": "https://example.org/plan",
            "link_title_1": "The plan",
        },
    )
    practice = Practice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hub/{practice.pk}/"
    assert practice.files.count() == 1
    assert practice.links.count() == 1
    assert practice.indicator_links.get().indicator == pi_2_2

    _login(client, coordinator)
    response = client.post(f"/hub/{practice.pk}/agree/")
    assert response.status_code == 302
    _login(client, reviewer)
    assert "Communication strategies" in client.get("/hub/proposals/").content.decode()
    response = client.post(f"/hub/{practice.pk}/publish/", follow=True)
    assert "Published: every user" in response.content.decode()
    practice.refresh_from_db()
    assert practice.status == Status.PUBLISHED

    _login(client, other_iat)
    html = client.get("/hub/", {"q": "strategies"}).content.decode()
    assert f'data-practice="{practice.pk}"' in html
    assert "<mark>" in html
    scorecard_services.create_comprehensive_assessment(
        country_team=other_team, year=2022, by=admin_user
    )
    pi_page = client.get("/teams/XDL/2022/pi/2.2/").content.decode()
    panel = pi_page.split('data-testid="pi-hub"')[1]
    assert f"/hub/{practice.pk}/" in panel
    assert f"/hub/?pi={pi_2_2.pk}" in panel
    assert 'data-testid="pi-hub-share"' in panel  # other_iat may share for their own team
    assert [e.action for e in practice.events.all()] == ["propose", "agree", "publish"]


def test_propose_form_keeps_what_was_typed_and_says_what_to_correct(client, iat, assessment):
    response = _login(client, iat).post(
        "/hub/propose/KAZ/",
        {"title": "", "summary": "Kept summary text", "year": 2024, "language": "fr"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in html
    assert "Kept summary text" in html
    assert "Choose the PIs or the dimension it serves." in html
    assert not Practice.objects.exists()


def test_propose_form_refuses_a_bad_file_and_too_many_files(client, iat, assessment, pi_2_2):
    data = {
        "title": "T",
        "summary": "S",
        "indicators": [pi_2_2.pk],
        "year": 2024,
        "language": "en",
    }
    _login(client, iat)
    bad = SimpleUploadedFile(
        "evil.pdf", b"<html><script>x</script>", content_type="application/pdf"
    )
    response = client.post("/hub/propose/KAZ/", {**data, "files": [bad]})
    assert response.status_code == 400
    assert "not a valid PDF file" in response.content.decode()
    many = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)]
    response = client.post("/hub/propose/KAZ/", {**data, "files": many})
    assert response.status_code == 400
    assert "At most 5 files." in response.content.decode()
    assert not Practice.objects.exists()


def test_propose_page_for_the_team_s_editors_only(client, team, viewer, reviewer, other_iat):
    assert _login(client, viewer).get("/hub/propose/KAZ/").status_code == 403
    assert _login(client, reviewer).get("/hub/propose/KAZ/").status_code == 403
    assert _login(client, other_iat).get("/hub/propose/KAZ/").status_code == 404
    assert _login(client, other_iat).get("/hub/propose/NOPE/").status_code == 404


def test_propose_evidence_from_the_pi_page(client, iat, other_iat, evidence, assessment, pi):
    _login(client, iat)
    pi_page = client.get(f"/teams/KAZ/2022/pi/{pi.code}/").content.decode()
    assert f"/hub/propose/evidence/{evidence.pk}/" in pi_page
    form = client.get(f"/hub/propose/evidence/{evidence.pk}/").content.decode()
    assert 'value="Gender strategy 2024"' in form
    response = client.post(
        f"/hub/propose/evidence/{evidence.pk}/",
        {"title": "Gender strategy 2024", "summary": "Our strategy.", "language": "en"},
    )
    practice = Practice.objects.get()
    assert response["Location"] == f"/hub/{practice.pk}/"
    assert practice.kind == Practice.Kind.EVIDENCE
    assert practice.files.count() == 1
    # Once proposed, it is no longer offered; proposing again says why.
    pi_page = client.get(f"/teams/KAZ/2022/pi/{pi.code}/").content.decode()
    assert f"/hub/propose/evidence/{evidence.pk}/" not in pi_page
    again = client.post(
        f"/hub/propose/evidence/{evidence.pk}/", {"title": "x", "summary": "y", "language": "en"}
    )
    assert again.status_code == 400
    assert "already in the Knowledge Hub" in again.content.decode()
    assert _login(client, other_iat).get(f"/hub/propose/evidence/{evidence.pk}/").status_code == 404


# --- Refusals, withdrawal, curation -------------------------------------------------------------


def test_refusal_needs_a_reason_and_keeps_what_was_typed(client, coordinator, make_practice):
    practice = make_practice(status=Status.PROPOSED)
    _login(client, coordinator)
    response = client.post(f"/hub/{practice.pk}/refuse-team/", {"refuse-team-reason": "  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in html
    assert "Say why." in html
    assert 'href="#id_refuse-team-reason"' in html
    too_long = "Too long. " * 210
    response = client.post(f"/hub/{practice.pk}/refuse-team/", {"refuse-team-reason": too_long})
    assert response.status_code == 400
    assert too_long.strip() in response.content.decode()
    practice.refresh_from_db()
    assert practice.status == Status.PROPOSED
    response = client.post(
        f"/hub/{practice.pk}/refuse-team/", {"refuse-team-reason": "Names of people in it"}
    )
    assert response.status_code == 302
    event = practice.events.get(action=PracticeEvent.Action.REFUSE_TEAM)
    assert event.reason == "Names of people in it"
    html = client.get(f"/hub/{practice.pk}/").content.decode()
    assert "Refused by the team" in html
    assert "Names of people in it" in html


def test_reviewer_refuses_with_a_reason(client, reviewer, make_practice):
    practice = make_practice(status=Status.AGREED)
    _login(client, reviewer)
    assert client.post(f"/hub/{practice.pk}/refuse-review/", {}).status_code == 400
    client.post(f"/hub/{practice.pk}/refuse-review/", {"refuse-review-reason": "Out of scope"})
    practice.refresh_from_db()
    assert practice.status == Status.REFUSED


def test_author_withdraws_and_the_item_leaves_the_hub(client, iat, other_iat, make_practice):
    practice = make_practice(title="Soon gone")
    _login(client, iat)
    assert 'data-step="withdraw"' in client.get(f"/hub/{practice.pk}/").content.decode()
    response = client.post(f"/hub/{practice.pk}/withdraw/", {"withdraw-reason": ""})
    assert response.status_code == 302
    _login(client, other_iat)
    assert client.get(f"/hub/{practice.pk}/").status_code == 404
    assert "Soon gone" not in client.get("/hub/", {"q": "Soon"}).content.decode()


def test_feature_and_retire_are_for_administrators_only(
    client, reviewer, other_iat, admin_user, make_practice
):
    practice = make_practice()
    for user in (reviewer, other_iat):
        _login(client, user)
        assert 'data-step="feature"' not in client.get(f"/hub/{practice.pk}/").content.decode()
        assert client.post(f"/hub/{practice.pk}/feature/").status_code == 403
        assert client.post(f"/hub/{practice.pk}/retire/").status_code == 403
    _login(client, admin_user)
    assert client.post(f"/hub/{practice.pk}/feature/").status_code == 302
    practice.refresh_from_db()
    assert practice.featured
    assert 'data-step="unfeature"' in client.get(f"/hub/{practice.pk}/").content.decode()
    client.post(f"/hub/{practice.pk}/retire/", {"retire-reason": "Superseded"})
    practice.refresh_from_db()
    assert practice.status == Status.RETIRED
    # Administrators do not agree for a team.
    proposed = make_practice(status=Status.PROPOSED)
    assert client.post(f"/hub/{proposed.pk}/agree/").status_code == 403


def test_unknown_step_is_404(client, admin_user, make_practice):
    practice = make_practice()
    assert _login(client, admin_user).post(f"/hub/{practice.pk}/explode/").status_code == 404


# --- The proposals page -------------------------------------------------------------------------


def test_proposals_page_for_each_role(
    client, iat, coordinator, reviewer, far_reviewer, other_iat, make_practice
):
    proposed = make_practice(status=Status.PROPOSED, title="To agree")
    agreed = make_practice(status=Status.AGREED, title="To publish")
    _login(client, coordinator)
    html = client.get("/hub/proposals/").content.decode()
    to_agree = html.split('data-testid="to-agree"')[1].split("</section>")[0]
    assert f'data-practice="{proposed.pk}"' in to_agree
    assert f'data-practice="{agreed.pk}"' not in to_agree
    _login(client, reviewer)
    html = client.get("/hub/proposals/").content.decode()
    assert f'data-practice="{agreed.pk}"' in html
    assert "To agree" not in html
    _login(client, iat)
    html = client.get("/hub/proposals/").content.decode()
    assert "To agree" in html
    assert "To publish" in html
    for user in (far_reviewer, other_iat):
        html = _login(client, user).get("/hub/proposals/").content.decode()
        assert "To agree" not in html
        assert "To publish" not in html


def test_hub_page_links_to_proposals_only_for_those_with_some(
    client, iat, reviewer, other_iat, make_practice
):
    make_practice(status=Status.AGREED)
    for user, shown in ((iat, True), (reviewer, True), (other_iat, False)):
        html = _login(client, user).get("/hub/").content.decode()
        assert ('data-testid="queue-link"' in html) is shown, user


# --- The search page: bounds and hostile input ----------------------------------------------


def _many(make_practice, team, n: int) -> None:
    languages = ["en", "fr", "es", "ru", "ar", "zh-hans"]
    for i in range(n):
        make_practice(
            title=f"Strategy {i}",
            summary=f"Summary {i} of a strategy",
            language=languages[i % 6],
            anonymous=i % 5 == 0,
            files=[SimpleUploadedFile(f"{i}.pdf", PDF)] if i % 3 == 0 else (),
            links=[services.Link(url=f"https://example.org/{i}")] if i % 4 == 0 else (),
        )


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "strategy"}, {"q": "strategy", "language": "fr", "year": "2024"}, {"page": "2"}],
)
def test_hub_page_stays_within_ten_queries(client, other_iat, team, make_practice, params):
    _many(make_practice, team, 30)
    _login(client, other_iat)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/hub/", params)
    assert response.status_code == 200
    assert len(queries) <= 10, "\n".join(q["sql"][:200] for q in queries.captured_queries)
    assert response.content.decode().count("data-practice=") >= 1


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer(client, other_iat, make_practice, query):
    make_practice(title="A <b>bold</b> plan")
    response = _login(client, other_iat).get("/hub/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    assert "<b>bold</b>" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"pi": "abc"},
        {"dimension": "1; DROP TABLE"},
        {"region": "-1"},
        {"language": "xx"},
        {"year": "twenty"},
        {"rating": "superb"},
        {"page": "last"},
        {"pi": "99999999999999999999"},
    ],
)
def test_bad_filter_values_are_ignored_and_said(client, other_iat, make_practice, params):
    make_practice(title="Still listed")
    response = _login(client, other_iat).get("/hub/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Still listed" in html
    if "page" not in params:
        assert 'data-testid="ignored-filters"' in html


def test_filters_offer_only_what_is_published(client, other_iat, make_practice, far_reviewer):
    make_practice(year=2021)
    make_practice(status=Status.AGREED, year=2019)
    html = _login(client, other_iat).get("/hub/").content.decode()
    year_select = html.split('name="year"')[1].split("</select>")[0]
    assert ">2021<" in year_select
    assert ">2019<" not in year_select


def test_featured_items_come_first_without_a_query(client, other_iat, admin_user, make_practice):
    first = make_practice(title="Older but featured")
    make_practice(title="Newer")
    services.feature(practice=first, by=admin_user)
    html = _login(client, other_iat).get("/hub/").content.decode()
    assert html.index("Older but featured") < html.index("Newer")


# --- The PI page panel --------------------------------------------------------------------------


def test_pi_panel_shows_published_practices_of_the_pi_only(
    client, viewer, assessment, make_practice, pi, pi_2_2
):
    make_practice(title="For 1.1")
    make_practice(title="For 2.2", indicators=[pi_2_2])
    make_practice(status=Status.PROPOSED, title="Not yet for 1.1")
    html = _login(client, viewer).get(f"/teams/KAZ/2022/pi/{pi.code}/").content.decode()
    panel = html.split('data-testid="pi-hub"')[1]
    assert "For 1.1" in panel
    assert "For 2.2" not in panel
    assert "Not yet" not in panel
    assert 'data-testid="pi-hub-share"' not in panel  # a viewer does not share


def test_pi_panel_adds_a_constant_number_of_queries(
    client, iat, assessment, make_practice, pi, django_assert_max_num_queries
):
    url = f"/teams/KAZ/2022/pi/{pi.code}/"
    _login(client, iat)
    make_practice(title="One")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        make_practice(title=f"More {n}")
    with django_assert_max_num_queries(len(one)):
        html = client.get(url).content.decode()
    assert html.split('data-testid="pi-hub-practices"')[1].count("<li") == 3


def test_another_team_member_sees_the_panel_but_no_share_for_a_team_they_only_view(
    client, team, make_practice, assessment, pi
):
    reader = UserFactory(username="reader")
    MembershipFactory(user=reader, country_team=team, role=Membership.Role.RESIDENT_COORDINATOR)
    make_practice(title="Visible")
    html = _login(client, reader).get(f"/teams/KAZ/2022/pi/{pi.code}/").content.decode()
    assert "Visible" in html
    assert 'data-testid="pi-hub-share"' not in html
