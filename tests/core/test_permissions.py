"""core.permissions and scorecard.permissions called as functions, one persona at a time.

Personas come from tests/conftest.py: `iat` and `coordinator` edit Kazakhstan (KAZ), `rc` and
`viewer` read it, `outsider` is an IAT member of Demoland (XDL) and must not learn KAZ exists.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.permissions import (
    can_coordinate_team,
    can_edit_team_content,
    can_view_team,
    country_teams_visible_to,
    get_country_team_for_user,
    team_roles,
)
from scorecard import services, workflow
from scorecard.models import Assessment, Indicator
from scorecard.permissions import (
    can_coordinate_assessment,
    can_edit_assessment,
    can_view_assessment,
    get_action_point_for_user,
    get_assessment_for_user,
    get_evidence_for_user,
    get_indicator_assessment_for_user,
)

# persona → (can view, can edit, can coordinate) on Kazakhstan and on Demoland.
ON_KAZ = {
    "iat": (True, True, False),
    "coordinator": (True, True, True),
    "rc": (True, False, False),
    "viewer": (True, False, False),
    "outsider": (False, False, False),
    "admin_user": (True, True, True),
    "anonymous": (False, False, False),
}
ON_XDL = {
    "iat": (False, False, False),
    "coordinator": (False, False, False),
    "rc": (False, False, False),
    "viewer": (False, False, False),
    "outsider": (True, True, False),
    "admin_user": (True, True, True),
    "anonymous": (False, False, False),
}


def persona(request, name):
    if name == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(name)


@pytest.fixture
def pi_2_2(assessment):
    return assessment.indicator_assessments.get(indicator__code="2.2")


@pytest.fixture
def evidence_link(pi_2_2, iat):
    return services.add_evidence(
        row=pi_2_2,
        by=iat,
        title="Joint 16 Days campaign plan",
        category=None,
        url="https://example.org/16-days-plan",
    )


@pytest.fixture
def action_point(assessment, iat):
    return services.create_action_point(
        assessment=assessment,
        by=iat,
        indicator=Indicator.objects.get(framework=assessment.framework, code="2.2"),
        text="Run one joint advocacy campaign on GEEW a year",
    )


@pytest.fixture
def completed_kaz_2022(kaz_2022, coordinator):
    """The seed 2022 annual assessment (5 PIs reassessed and rated), sent for endorsement:
    from then on nobody edits it until it is sent back or returned."""
    workflow.transition(assessment=kaz_2022, action="send_for_endorsement", by=coordinator)
    return kaz_2022


# --- team_roles ------------------------------------------------------------------------------


def test_team_roles_second_call_makes_no_query(iat, team, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert team_roles(iat) == {team.pk: "iat_member"}
    with django_assert_num_queries(0):
        assert team_roles(iat) == {team.pk: "iat_member"}


def test_team_roles_checks_on_many_teams_reuse_the_cache(
    coordinator, team, other_team, django_assert_num_queries
):
    team_roles(coordinator)
    with django_assert_num_queries(0):
        assert can_view_team(coordinator, team.pk) is True
        assert can_edit_team_content(coordinator, team.pk) is True
        assert can_coordinate_team(coordinator, team.pk) is True
        assert can_view_team(coordinator, other_team.pk) is False


def test_team_roles_anonymous_is_empty_without_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert team_roles(AnonymousUser()) == {}


def test_team_roles_lists_one_role_per_team(outsider, other_team):
    assert team_roles(outsider) == {other_team.pk: "iat_member"}


# --- can_view / can_edit / can_coordinate on teams ----------------------------------------


@pytest.mark.parametrize("name", list(ON_KAZ))
def test_team_permissions_on_own_team(request, name, team, other_team):
    user = persona(request, name)
    got = (
        can_view_team(user, team.pk),
        can_edit_team_content(user, team.pk),
        can_coordinate_team(user, team.pk),
    )
    assert got == ON_KAZ[name]


@pytest.mark.parametrize("name", list(ON_XDL))
def test_team_permissions_on_other_team(request, name, team, other_team):
    user = persona(request, name)
    got = (
        can_view_team(user, other_team.pk),
        can_edit_team_content(user, other_team.pk),
        can_coordinate_team(user, other_team.pk),
    )
    assert got == ON_XDL[name]


def test_country_teams_visible_to_admin_sees_all(admin_user, team, other_team):
    assert [t.code for t in country_teams_visible_to(admin_user)] == ["XDL", "KAZ"]


def test_country_teams_visible_to_member_sees_own_team_only(iat, other_team):
    assert [t.code for t in country_teams_visible_to(iat)] == ["KAZ"]


def test_country_teams_visible_to_anonymous_sees_nothing(team, other_team):
    assert list(country_teams_visible_to(AnonymousUser())) == []


def test_get_country_team_for_user_accepts_lower_case_code(viewer):
    assert get_country_team_for_user(viewer, "kaz").name == "Kazakhstan"


@pytest.mark.parametrize("code", ["KAZ", "ZZZ"])
def test_get_country_team_for_user_outsider_gets_404(outsider, team, code):
    with pytest.raises(Http404):
        get_country_team_for_user(outsider, code)


def test_get_country_team_for_user_anonymous_gets_404(team):
    with pytest.raises(Http404):
        get_country_team_for_user(AnonymousUser(), "KAZ")


# --- can_view / can_edit / can_coordinate on assessments ---------------------------------


@pytest.mark.parametrize("name", list(ON_KAZ))
def test_assessment_permissions_on_draft_follow_team_role(request, name, assessment, other_team):
    user = persona(request, name)
    got = (
        can_view_assessment(user, assessment),
        can_edit_assessment(user, assessment),
        can_coordinate_assessment(user, assessment),
    )
    assert got == ON_KAZ[name]


@pytest.mark.parametrize("name", ["iat", "coordinator", "rc", "viewer", "admin_user"])
def test_assessment_permissions_complete_is_read_only_for_everyone(
    request, name, completed_kaz_2022
):
    user = persona(request, name)
    assert completed_kaz_2022.status == Assessment.Status.AWAITING_ENDORSEMENT
    got = (
        can_view_assessment(user, completed_kaz_2022),
        can_edit_assessment(user, completed_kaz_2022),
        can_coordinate_assessment(user, completed_kaz_2022),
    )
    assert got == (True, False, False)


# --- get_assessment_for_user --------------------------------------------------------------


def test_get_assessment_for_user_returns_it_to_members(viewer, assessment):
    assert get_assessment_for_user(viewer, "kaz", 2022) == assessment


def test_get_assessment_for_user_write_allowed_to_iat(iat, assessment):
    assert get_assessment_for_user(iat, "KAZ", 2022, write=True) == assessment


def test_get_assessment_for_user_outsider_gets_404(outsider, assessment):
    with pytest.raises(Http404):
        get_assessment_for_user(outsider, "KAZ", 2022)


def test_get_assessment_for_user_anonymous_gets_404(assessment):
    with pytest.raises(Http404):
        get_assessment_for_user(AnonymousUser(), "KAZ", 2022)


def test_get_assessment_for_user_unknown_year_gets_404(iat, assessment):
    with pytest.raises(Http404):
        get_assessment_for_user(iat, "KAZ", 2031)


@pytest.mark.parametrize("name", ["viewer", "rc"])
def test_get_assessment_for_user_reader_write_is_denied(request, name, assessment):
    with pytest.raises(PermissionDenied):
        get_assessment_for_user(persona(request, name), "KAZ", 2022, write=True)


def test_get_assessment_for_user_write_on_complete_denied_to_coordinator(
    coordinator, completed_kaz_2022
):
    assert get_assessment_for_user(coordinator, "KAZ", 2022) == completed_kaz_2022
    with pytest.raises(PermissionDenied):
        get_assessment_for_user(coordinator, "KAZ", 2022, write=True)


def test_get_assessment_for_user_admin_reads_and_writes_any_team(admin_user, assessment):
    assert get_assessment_for_user(admin_user, "KAZ", 2022, write=True) == assessment


# --- get_indicator_assessment_for_user ------------------------------------------------------


def test_get_indicator_assessment_for_user_returns_the_pi_row(viewer, pi_2_2):
    assert get_indicator_assessment_for_user(viewer, "KAZ", 2022, "2.2") == pi_2_2


def test_get_indicator_assessment_for_user_write_allowed_to_iat(iat, pi_2_2):
    assert get_indicator_assessment_for_user(iat, "KAZ", 2022, "2.2", write=True) == pi_2_2


def test_get_indicator_assessment_for_user_outsider_gets_404(outsider, pi_2_2):
    with pytest.raises(Http404):
        get_indicator_assessment_for_user(outsider, "KAZ", 2022, "2.2")


@pytest.mark.parametrize(("year", "pi"), [(2031, "2.2"), (2022, "9.9")])
def test_get_indicator_assessment_for_user_unknown_gets_404(iat, pi_2_2, year, pi):
    with pytest.raises(Http404):
        get_indicator_assessment_for_user(iat, "KAZ", year, pi)


def test_get_indicator_assessment_for_user_viewer_write_is_denied(viewer, pi_2_2):
    with pytest.raises(PermissionDenied):
        get_indicator_assessment_for_user(viewer, "KAZ", 2022, "2.2", write=True)


def test_get_indicator_assessment_for_user_write_on_complete_denied(
    coordinator, completed_kaz_2022
):
    with pytest.raises(PermissionDenied):
        get_indicator_assessment_for_user(coordinator, "KAZ", 2022, "2.2", write=True)


# --- get_evidence_for_user ----------------------------------------------------------------


def test_get_evidence_for_user_returns_it_to_members(viewer, evidence_link):
    evidence = get_evidence_for_user(viewer, evidence_link.pk)
    assert evidence.title == "Joint 16 Days campaign plan"
    assert evidence.url == "https://example.org/16-days-plan"


def test_get_evidence_for_user_write_allowed_to_iat(iat, evidence_link):
    assert get_evidence_for_user(iat, evidence_link.pk, write=True) == evidence_link


def test_get_evidence_for_user_outsider_gets_404(outsider, evidence_link):
    with pytest.raises(Http404):
        get_evidence_for_user(outsider, evidence_link.pk)


def test_get_evidence_for_user_unknown_pk_gets_404(iat, evidence_link):
    with pytest.raises(Http404):
        get_evidence_for_user(iat, evidence_link.pk + 1000)


def test_get_evidence_for_user_viewer_write_is_denied(viewer, evidence_link):
    with pytest.raises(PermissionDenied):
        get_evidence_for_user(viewer, evidence_link.pk, write=True)


# --- get_action_point_for_user ------------------------------------------------------------


def test_get_action_point_for_user_returns_it_to_members(rc, action_point):
    point = get_action_point_for_user(rc, action_point.pk)
    assert point.text == "Run one joint advocacy campaign on GEEW a year"
    assert point.indicator.code == "2.2"


def test_get_action_point_for_user_write_allowed_to_iat(iat, action_point):
    assert get_action_point_for_user(iat, action_point.pk, write=True) == action_point


def test_get_action_point_for_user_outsider_gets_404(outsider, action_point):
    with pytest.raises(Http404):
        get_action_point_for_user(outsider, action_point.pk)


def test_get_action_point_for_user_unknown_pk_gets_404(iat, action_point):
    with pytest.raises(Http404):
        get_action_point_for_user(iat, action_point.pk + 1000)


def test_get_action_point_for_user_viewer_write_is_denied(viewer, action_point):
    with pytest.raises(PermissionDenied):
        get_action_point_for_user(viewer, action_point.pk, write=True)
