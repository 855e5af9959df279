"""The hub's benchmark data set (seed_hub_synthetic), at a small size: published items in the
six languages with varied text, unpublished ones that search never shows, private evidence up to
the asked total; a second run replaces the first; --delete leaves seed_synthetic's teams
deletable again."""

import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from hub import selectors
from hub.management.commands.seed_hub_synthetic import PRIVATE_WORD
from hub.models import Practice
from scorecard.management.commands.seed_synthetic import BENCH_IAT, synthetic_teams
from scorecard.models import Evidence


def seed(**options) -> None:
    options = {"published": 120, "private": 5, "evidence": 400} | options
    call_command("seed_hub_synthetic", stdout=io.StringIO(), **options)


@pytest.fixture
def synthetic(framework):
    call_command("seed_synthetic", teams=3, years=2, stdout=io.StringIO())


def synthetic_evidence():
    return Evidence.objects.filter(
        indicator_assessment__assessment__country_team__in=synthetic_teams()
    )


def test_the_seed_has_published_items_in_six_languages_and_private_ones(synthetic):
    seed()
    published = Practice.objects.filter(status=Practice.Status.PUBLISHED)
    assert published.count() == 120
    assert set(published.values_list("language", flat=True)) == {
        "en",
        "fr",
        "es",
        "ru",
        "ar",
        "zh-hans",
    }
    assert Counter(
        Practice.objects.exclude(status="published").values_list("status", flat=True)
    ) == {
        "proposed": 5,
        "agreed": 5,
        "refused": 5,
        "withdrawn": 5,
    }
    # Varied text: hardly two titles alike, and every item with PIs.
    titles = set(published.values_list("title", flat=True))
    assert len(titles) > 100
    assert not published.filter(indicator_links__isnull=True).exists()
    assert synthetic_evidence().count() == 400


def test_search_never_finds_the_unpublished_items(synthetic):
    seed()
    user = User.objects.get(username=BENCH_IAT)
    assert Practice.objects.filter(summary__contains=PRIVATE_WORD).count() == 20
    assert selectors.search_practices(PRIVATE_WORD, None, user).count == 0


def test_a_second_run_replaces_the_first_and_delete_undoes_it(synthetic):
    before = synthetic_evidence().count()
    seed()
    seed(published=50)
    assert Practice.objects.filter(status="published").count() == 50
    assert synthetic_evidence().count() == 400
    call_command("seed_hub_synthetic", delete=True, stdout=io.StringIO())
    assert not Practice.objects.exists()
    assert synthetic_evidence().count() == before
    # seed_synthetic can delete its teams again (a hub item would protect them).
    call_command("seed_synthetic", teams=2, years=1, reset=True, stdout=io.StringIO())
    assert synthetic_teams().count() == 2


def test_on_postgres_every_item_has_its_vector_in_its_language(synthetic):
    if connection.vendor != "postgresql":
        pytest.skip("search vectors are PostgreSQL's")
    seed()
    assert not Practice.objects.filter(search_vector__isnull=True).exists()
    user = User.objects.get(username=BENCH_IAT)
    # French stemming: the plural finds the French items that say "la violence".
    page = selectors.search_practices("violences", None, user)
    assert "fr" in {r.practice.language for r in page.results}
    # Chinese by character pairs.
    page = selectors.search_practices("性别平等", None, user)
    assert "zh-hans" in {r.practice.language for r in page.results}
