"""The hub's state machine: each step from the statuses it may start from, by the roles that may
take it (hub.permissions), with its history (PracticeEvent)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.limits import MEDIUM_TEXT
from hub import permissions, services
from hub.models import Practice, PracticeEvent

Status = Practice.Status
Action = PracticeEvent.Action
USERS = ["iat", "coordinator", "rc", "viewer", "outsider", "reviewer", "far_reviewer", "admin_user"]


def outcome(request, user_name, practice, action) -> str:
    user = request.getfixturevalue(user_name)
    try:
        permissions.get_practice_for_user(user, practice.pk, action=action)
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


def test_the_whole_way_is_in_the_history(make_practice, iat, coordinator, reviewer):
    practice = make_practice(Status.WITHDRAWN)
    events = list(practice.events.values_list("action", "from_status", "to_status", "by"))
    assert events == [
        (Action.PROPOSE, "", Status.PROPOSED, iat.pk),
        (Action.AGREE, Status.PROPOSED, Status.AGREED, coordinator.pk),
        (Action.PUBLISH, Status.AGREED, Status.PUBLISHED, reviewer.pk),
        (Action.WITHDRAW, Status.PUBLISHED, Status.WITHDRAWN, iat.pk),
    ]
    assert practice.agreed_at is not None
    assert practice.published_at is not None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # Before the coordinator agrees, nothing has left the team: not even its region's reviewer.
        (Status.PROPOSED, {"iat", "coordinator", "rc", "viewer", "admin_user"}),
        (Status.REFUSED, {"iat", "coordinator", "rc", "viewer", "admin_user"}),
        (Status.AGREED, {"iat", "coordinator", "rc", "viewer", "admin_user", "reviewer"}),
        (Status.WITHDRAWN, {"iat", "coordinator", "rc", "viewer", "admin_user", "reviewer"}),
        (Status.RETIRED, {"iat", "coordinator", "rc", "viewer", "admin_user", "reviewer"}),
        (Status.PUBLISHED, set(USERS)),
    ],
)
def test_who_may_know_an_item_exists(request, make_practice, status, expected):
    practice = make_practice(status)
    seen = {name for name in USERS if outcome(request, name, practice, "view") == "ok"}
    assert seen == expected


def test_anonymous_visitors_see_not_even_published_items(make_practice):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        permissions.get_practice_for_user(AnonymousUser(), make_practice().pk)


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        # Only the team's own coordinator consents: not an administrator on its behalf.
        (Status.PROPOSED, "agree", {"coordinator"}),
        (Status.AGREED, "agree", set()),
        (Status.AGREED, "publish", {"reviewer", "admin_user"}),
        (Status.PROPOSED, "publish", set()),
        (Status.PUBLISHED, "withdraw", {"iat", "coordinator"}),
        (Status.PROPOSED, "withdraw", {"iat", "coordinator"}),
        (Status.REFUSED, "withdraw", set()),
        (Status.PUBLISHED, "curate", {"admin_user"}),
        (Status.AGREED, "curate", set()),
    ],
)
def test_who_may_take_each_step(request, make_practice, status, action, allowed):
    practice = make_practice(status)
    results = {name: outcome(request, name, practice, action) for name in USERS}
    assert {name for name, result in results.items() if result == "ok"} == allowed
    # Whoever may not know the item exists gets 404, never 403.
    for name, result in results.items():
        if outcome(request, name, practice, "view") != "ok":
            assert result == "404", name


@pytest.mark.parametrize(
    ("user_name", "allowed"),
    [
        ("iat", True),
        ("coordinator", True),
        ("rc", False),
        ("viewer", False),
        ("outsider", False),
        ("reviewer", False),
        ("admin_user", False),
    ],
)
def test_who_may_propose(request, team, user_name, allowed):
    assert permissions.can_propose(request.getfixturevalue(user_name), team.pk) is allowed


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Status.PUBLISHED, "agree_by_team"),
        (Status.AGREED, "refuse_by_team"),
        (Status.PROPOSED, "publish"),
        (Status.PUBLISHED, "refuse_by_reviewer"),
        (Status.REFUSED, "withdraw"),
        (Status.RETIRED, "withdraw"),
        (Status.PROPOSED, "feature"),
        (Status.WITHDRAWN, "retire"),
    ],
)
def test_steps_from_the_wrong_status_are_refused_in_words(make_practice, admin_user, status, step):
    practice = make_practice(status)
    kwargs = {"practice": practice, "by": admin_user}
    if step.startswith("refuse"):
        kwargs["reason"] = "Not now"
    with pytest.raises(ValidationError, match="Not possible now: the item's status is"):
        getattr(services, step)(**kwargs)
    practice.refresh_from_db()
    assert practice.status == status
    assert not practice.events.filter(by=admin_user, action__in=[step]).exists()


def test_refusals_need_a_reason_and_keep_it(make_practice, coordinator, reviewer):
    proposed = make_practice(Status.PROPOSED)
    with pytest.raises(ValidationError) as error:
        services.refuse_by_team(practice=proposed, by=coordinator, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why."]}
    services.refuse_by_team(practice=proposed, by=coordinator, reason="Not ours to share")
    agreed = make_practice(Status.AGREED)
    services.refuse_by_reviewer(practice=agreed, by=reviewer, reason="Personal data on page 3")
    reasons = PracticeEvent.objects.filter(
        action__in=[Action.REFUSE_TEAM, Action.REFUSE_REVIEW]
    ).values_list("action", "reason")
    assert sorted(reasons) == [
        (Action.REFUSE_REVIEW, "Personal data on page 3"),
        (Action.REFUSE_TEAM, "Not ours to share"),
    ]


def test_featuring_and_retiring(make_practice, admin_user):
    practice = services.feature(practice=make_practice(), by=admin_user)
    assert practice.featured
    practice = services.retire(practice=practice, by=admin_user, reason="Superseded")
    assert (practice.status, practice.featured) == (Status.RETIRED, False)
    assert list(practice.events.values_list("action", flat=True))[-2:] == [
        Action.FEATURE,
        Action.RETIRE,
    ]


def test_texts_over_their_limit_are_refused_before_anything_is_saved(make_practice):
    with pytest.raises(ValidationError) as error:
        make_practice(Status.PROPOSED, summary="x" * (MEDIUM_TEXT + 1))
    assert "summary" in error.value.message_dict
    assert not Practice.objects.exists()


def test_a_practice_needs_what_it_serves(make_practice):
    with pytest.raises(ValidationError) as error:
        make_practice(Status.PROPOSED, indicators=[])
    assert error.value.message_dict == {
        "indicators": ["Choose the PIs or the dimension it serves."]
    }


def test_the_rating_is_the_teams_latest_for_the_pi(make_practice, assessment, pi):
    assessment.indicator_assessments.filter(indicator=pi).update(rating="meets")
    practice = make_practice(Status.PROPOSED)
    assert list(practice.indicator_links.values_list("indicator", "rating")) == [(pi.pk, "meets")]
