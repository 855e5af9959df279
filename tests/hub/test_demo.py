"""`make run`'s Knowledge Hub: setup_demo publishes a handful of items in several languages and
leaves one item in each queue; running it again adds nothing."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from hub import selectors
from hub.demo import ITEMS
from hub.models import Practice, PracticeEvent
from hub.permissions import can_agree, can_publish

Status = Practice.Status


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests-123")
    call_command("setup_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_publishes_items_in_several_languages(demo):
    published = Practice.objects.filter(status=Status.PUBLISHED)
    assert published.count() == sum(item.status == Status.PUBLISHED for item in ITEMS) >= 6
    assert {"en", "fr", "es", "ru", "ar"} <= set(published.values_list("language", flat=True))
    assert published.filter(anonymous=True).count() == 1
    assert published.filter(featured=True).count() == 1
    assert published.filter(files__isnull=False).count() == 1
    # Through the services: each published item has its whole way in the history.
    for practice in published:
        actions = list(practice.events.values_list("action", flat=True))
        assert actions[:3] == [
            PracticeEvent.Action.PROPOSE,
            PracticeEvent.Action.AGREE,
            PracticeEvent.Action.PUBLISH,
        ]


def test_the_demo_fills_both_queues(demo):
    reviewer = User.objects.get(username="unw-reviewer")
    queue = list(selectors.review_queue(reviewer))
    assert [p.title for p in queue] == [
        item.title for item in ITEMS if item.status == Status.AGREED
    ]
    assert can_publish(reviewer, queue[0])
    waiting = Practice.objects.get(status=Status.PROPOSED)
    assert waiting.author.username == "kaz-iat"
    assert can_agree(User.objects.get(username="kaz-coordinator"), waiting)


def test_a_new_user_finds_the_demo_items(demo):
    other = User.objects.get(username="other-iat")
    page = selectors.search_practices("", None, other)
    assert page.count == Practice.objects.filter(status=Status.PUBLISHED).count()
    assert page.results[0].practice.featured


def test_running_the_demo_again_adds_nothing(demo):
    before = (Practice.objects.count(), PracticeEvent.objects.count())
    call_command("setup_hub_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Practice.objects.count(), PracticeEvent.objects.count()) == before


def test_without_demo_users_the_hub_demo_is_skipped(db):
    call_command("setup_demo", no_users=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Practice.objects.exists()
