"""Privacy first: a team's unpublished items are in no list, search or count of the hub, and the
hub's copy of a file lives apart from the team's evidence."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from hub import selectors, services
from hub.models import Practice
from hub.selectors import HubFilters
from scorecard import services as scorecard_services

Status = Practice.Status
UNPUBLISHED = [Status.PROPOSED, Status.AGREED, Status.REFUSED, Status.WITHDRAWN, Status.RETIRED]


@pytest.mark.parametrize("status", UNPUBLISHED)
@pytest.mark.parametrize("user_name", ["outsider", "far_reviewer", "iat", "admin_user"])
def test_unpublished_items_are_never_found_or_counted(request, make_practice, status, user_name):
    user = request.getfixturevalue(user_name)
    make_practice(status, title="Confidential strategy")
    published = make_practice(title="Open strategy")
    page = selectors.search_practices("strategy", None, user)
    assert [result.practice.pk for result in page.results] == [published.pk]
    assert page.count == 1
    assert selectors.count_published() == 1
    assert list(selectors.published_practices()) == [published]
    assert selectors.search_practices("Confidential", None, user).count == 0


def test_a_withdrawn_or_deleted_original_leaves_the_hub_copy_intact(
    evidence, iat, coordinator, reviewer
):
    practice = services.propose_evidence(
        evidence=evidence, by=iat, summary="Our strategy", language="en"
    )
    practice = services.agree_by_team(practice=practice, by=coordinator)
    practice = services.publish(practice=practice, by=reviewer)
    copy = practice.files.get()
    assert copy.file.name.startswith("hub/")
    assert copy.file.name != evidence.file.name
    assert (copy.original_name, copy.size) == ("strategy.pdf", evidence.size)

    scorecard_services.withdraw_evidence(evidence=evidence, by=iat, reason="Outdated")
    evidence.file.storage.delete(evidence.file.name)
    evidence.delete()

    practice.refresh_from_db()
    assert practice.status == Status.PUBLISHED
    assert practice.source_evidence is None
    with copy.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-1.4")
    assert [p.pk for p in selectors.published_practices()] == [practice.pk]


def test_the_hub_copy_can_go_without_touching_the_evidence(evidence, iat):
    practice = services.propose_evidence(evidence=evidence, by=iat, summary="S", language="en")
    copy = practice.files.get()
    copy.file.storage.delete(copy.file.name)
    with evidence.file.open("rb") as original:
        assert original.read().startswith(b"%PDF-1.4")


def test_evidence_is_proposed_once_and_never_once_withdrawn(evidence, iat):
    services.propose_evidence(evidence=evidence, by=iat, summary="S", language="en")
    with pytest.raises(ValidationError, match="already in the Knowledge Hub"):
        services.propose_evidence(evidence=evidence, by=iat, summary="S", language="en")
    scorecard_services.withdraw_evidence(evidence=evidence, by=iat, reason="Wrong file")
    Practice.objects.update(status=Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="Withdrawn evidence cannot be shared"):
        services.propose_evidence(evidence=evidence, by=iat, summary="S", language="en")


def test_anonymous_items_hide_the_team_and_escape_its_filters(
    make_practice, team, outsider, assessment, pi
):
    assessment.indicator_assessments.filter(indicator=pi).update(rating="meets")
    named = make_practice(title="Named strategy")
    hidden = make_practice(title="Hidden strategy", anonymous=True)
    assert named.shown_team == team
    assert hidden.shown_team is None
    by_region = selectors.search_practices("", HubFilters(region=team.region_id), outsider)
    by_rating = selectors.search_practices("", HubFilters(rating="meets"), outsider)
    everything = selectors.search_practices("", None, outsider)
    assert [r.practice.pk for r in by_region.results] == [named.pk]
    assert [r.practice.pk for r in by_rating.results] == [named.pk]
    assert {r.practice.pk for r in everything.results} == {named.pk, hidden.pk}
    # The team's name is not in what is searched.
    assert selectors.search_practices(team.name, None, outsider).count == 0


def test_visitors_who_are_not_logged_in_find_nothing(make_practice):
    make_practice()
    assert selectors.search_practices("strategy", None, AnonymousUser()).count == 0
