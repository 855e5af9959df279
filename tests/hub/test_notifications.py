"""Each step of a hub item tells the people it concerns, in the app, in the step's own
transaction; never the one who took it. Messages are stored as msgids with placeholders and
read in each reader's language (core.selectors.notification_text)."""

import pytest
from django.db import transaction
from django.utils import translation

from core.models import Membership, Notification, ReviewerScope
from core.selectors import notification_text
from hub import services
from hub.models import Practice
from tests.factories import MembershipFactory, UserFactory

Status = Practice.Status


def told(practice=None) -> dict[str, str]:
    """username → the msgid of the one notification they got (each gets one at most here)."""
    notes = Notification.objects.select_related("recipient")
    if practice is not None:
        notes = notes.filter(url=f"/hub/{practice.pk}/")
    result = {}
    for note in notes:
        assert note.recipient.username not in result, "told twice"
        result[note.recipient.username] = note.message
    return result


@pytest.fixture
def everyone(iat, coordinator, rc, viewer, outsider, reviewer, far_reviewer, admin_user):
    """Every role exists, so a test shows who is NOT told as well."""


def test_a_proposal_tells_the_team_coordinators(everyone, make_practice, iat):
    practice = make_practice(Status.PROPOSED)
    message = "%(who)s proposes to share “%(title)s” in the Knowledge Hub: agree or refuse."
    assert told() == {"coordinator": message}
    note = Notification.objects.get()
    assert note.url == f"/hub/{practice.pk}/"
    assert note.params["who"] == iat.get_full_name()
    assert note.params["title"] == "A gender strategy"
    assert note.params["team"] == {"country": "KAZ", "name": "Kazakhstan"}


def test_proposing_evidence_tells_the_coordinators_too(everyone, evidence, iat):
    services.propose_evidence(evidence=evidence, by=iat, summary="Our strategy.", language="en")
    assert set(told()) == {"coordinator"}


def test_the_agreement_tells_the_region_reviewers_only(everyone, make_practice, coordinator):
    practice = make_practice(Status.PROPOSED)
    Notification.objects.all().delete()
    ReviewerScope.objects.create(user=UserFactory(username="global-reviewer"), is_global=True)
    services.agree_by_team(practice=practice, by=coordinator)
    # The far region's reviewer and the administrator are not told.
    assert told() == {
        "reviewer": "%(team)s agreed to share “%(title)s” in the Knowledge Hub: publish or refuse.",
        "global-reviewer": (
            "%(team)s agreed to share “%(title)s” in the Knowledge Hub: publish or refuse."
        ),
    }


def test_publishing_tells_the_author_and_the_coordinators(everyone, make_practice, reviewer):
    practice = make_practice(Status.AGREED)
    Notification.objects.all().delete()
    services.publish(practice=practice, by=reviewer)
    message = "%(who)s published “%(title)s” in the Knowledge Hub."
    assert told() == {"iat": message, "coordinator": message}
    assert Notification.objects.get(recipient__username="iat").params["who"] == (
        reviewer.get_full_name()
    )


def test_an_anonymous_item_tells_its_team_all_the_same(everyone, make_practice, reviewer):
    practice = make_practice(Status.AGREED, anonymous=True)
    Notification.objects.all().delete()
    services.publish(practice=practice, by=reviewer)
    assert set(told()) == {"iat", "coordinator"}


def test_the_team_refusal_tells_the_author_with_the_reason(everyone, make_practice, coordinator):
    practice = make_practice(Status.PROPOSED)
    Notification.objects.all().delete()
    services.refuse_by_team(practice=practice, by=coordinator, reason="  Names of  partners ")
    assert told() == {
        "iat": "%(who)s refused to share “%(title)s” in the Knowledge Hub: %(reason)s"
    }
    assert Notification.objects.get().params["reason"] == "Names of partners"


def test_the_reviewer_refusal_tells_the_author_and_coordinators(everyone, make_practice, reviewer):
    practice = make_practice(Status.AGREED)
    Notification.objects.all().delete()
    services.refuse_by_reviewer(practice=practice, by=reviewer, reason="Too local")
    message = "%(who)s refused to publish “%(title)s” in the Knowledge Hub: %(reason)s"
    assert told() == {"iat": message, "coordinator": message}
    assert {n.params["reason"] for n in Notification.objects.all()} == {"Too local"}


def test_a_coordinator_withdrawal_tells_the_author(everyone, make_practice, coordinator):
    practice = make_practice(Status.PUBLISHED)
    Notification.objects.all().delete()
    services.withdraw(practice=practice, by=coordinator, reason="Outdated")
    assert told() == {"iat": "%(who)s withdrew “%(title)s” from the Knowledge Hub: %(reason)s"}


def test_the_author_withdrawing_tells_nobody(everyone, make_practice, iat):
    practice = make_practice(Status.PUBLISHED)
    Notification.objects.all().delete()
    services.withdraw(practice=practice, by=iat)
    assert told() == {}


def test_retiring_tells_the_author(everyone, make_practice, admin_user):
    practice = make_practice(Status.PUBLISHED)
    Notification.objects.all().delete()
    services.retire(practice=practice, by=admin_user)
    assert told() == {"iat": "%(who)s retired “%(title)s” from the Knowledge Hub."}


def test_the_one_who_acts_is_not_told(team, make_practice, coordinator):
    """A coordinator who proposes is not told of their own proposal; the other one is."""
    author = UserFactory(username="lead")
    MembershipFactory(user=author, country_team=team, role=Membership.Role.IAT_COORDINATOR)
    make_practice(Status.PROPOSED, by=author)
    assert set(told()) == {"coordinator"}


def test_nothing_is_told_when_the_step_fails(everyone, make_practice, reviewer):
    practice = make_practice(Status.AGREED)
    Notification.objects.all().delete()

    def publish_then_fail():
        with transaction.atomic():
            services.publish(practice=practice, by=reviewer)
            raise RuntimeError("the request fails after the step")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert told() == {}
    practice.refresh_from_db()
    assert practice.status == Status.AGREED


def test_each_reader_reads_it_in_their_language(everyone, make_practice, coordinator, iat):
    """The stored text is the msgid; it is rendered when read, in the active language (the
    French text once the catalogs hold it: here, at least filled in, never the raw msgid)."""
    make_practice(Status.PROPOSED, title="Une stratégie")
    note = Notification.objects.get(recipient=coordinator)
    with translation.override("fr"):
        shown = notification_text(note)
    assert "%(" not in shown
    assert iat.get_full_name() in shown
    assert "Une stratégie" in shown
