"""Search: full-text in each item's language on PostgreSQL (stems, trigram typos, Chinese
bigrams), icontains elsewhere; any text typed is a valid query; results ranked, highlighted
(safely) and paged.

The PostgreSQL tests need DATABASE_URL on PostgreSQL (CI: .ci/run); elsewhere they are skipped,
unless REQUIRE_POSTGRES=1 makes that a failure.
"""

import os

import pytest
from django.db import connection

from hub import selectors
from hub.models import Practice
from hub.selectors import HubFilters

HOSTILE_QUERIES = [
    '"foo" OR -bar ((',
    "a & b | !c",
    "stratégie:* <-> x",
    "'; DROP TABLE hub_practice; --",
    "\\",
    "))))",
    "nul\x00byte",
    "\ue000marked\ue001",
    "-",
    '"',
    "x" * 5000,
]


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
        pytest.skip("full-text search needs PostgreSQL (DATABASE_URL)")


@pytest.fixture
def corpus(make_practice):
    items = {
        "fr": make_practice(
            title="Une stratégie nationale",
            summary="L'équipe pays a adopté une stratégie pour l'égalité des sexes.",
            language="fr",
        ),
        "ru": make_practice(
            title="Гендерная стратегия",
            summary="Страновая группа приняла стратегия по гендерному равенству.",
            language="ru",
        ),
        "en": make_practice(
            title="Gender-responsive procurement",
            summary="Suppliers owned by women were invited to every tender.",
            language="en",
        ),
        "es": make_practice(
            title="Presupuestos con enfoque de género",
            summary="Marcadores de género en todos los programas conjuntos.",
            language="es",
        ),
        "ar": make_practice(
            title="المساواة بين الجنسين في التوظيف",
            summary="خطة عمل للمساواة بين الجنسين",
            language="ar",
        ),
        "zh": make_practice(
            title="性别平等战略",
            summary="国家工作队制定了性别平等战略。",
            language="zh-hans",
        ),
    }
    return items


def found(query, user, filters=None) -> list[int]:
    return [r.practice.pk for r in selectors.search_practices(query, filters, user).results]


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("stratégies", "fr"),  # French stemming: the plural finds the singular
        ("стратегии", "ru"),  # Russian stemming: another case of the same noun
        ("procurment", "en"),  # a typo, found by trigram similarity on the title
        ("suppliers tender", "en"),  # every word, in the summary
        ("presupuesto", "es"),  # Spanish stemming
        ("التوظيف", "ar"),
        ("平等战略", "zh"),  # Chinese: character pairs, no spaces needed
        ("性别", "zh"),
    ],
)
def test_each_language_is_found_by_its_own_rules(postgres, corpus, outsider, query, language):
    assert found(query, outsider)[0] == corpus[language].pk
    # And only what matches (no stray hits from another language's stems).
    assert corpus["en"].pk not in found(query, outsider) or language == "en"


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_text_is_a_valid_query(postgres, corpus, outsider, query):
    page = selectors.search_practices(query, None, outsider)
    assert page.count >= 0


def test_title_matches_rank_above_summary_matches(postgres, make_practice, outsider):
    in_summary = make_practice(title="Annual plan", summary="It includes a parity strategy.")
    in_title = make_practice(title="Parity strategy", summary="A plan.")
    assert found("parity strategy", outsider) == [in_title.pk, in_summary.pk]


def test_matches_are_highlighted_and_the_rest_escaped(postgres, make_practice, outsider):
    make_practice(title="<script>alert(1)</script> gender strategy", summary="A strategy.")
    result = selectors.search_practices("strategy", None, outsider).results[0]
    assert "<script>" not in result.title
    assert "&lt;script&gt;" in result.title
    assert "<mark>strategy</mark>" in result.title
    assert "<mark>strategy</mark>" in result.summary


def test_filters_and_pages_on_postgres(postgres, make_practice, outsider):
    for n in range(5):
        make_practice(title=f"Strategy {n}", year=2020 + n % 2)
    page = selectors.search_practices("strategy", HubFilters(year=2020), outsider, page_size=2)
    assert (page.count, page.num_pages, len(page.results), page.has_next) == (3, 2, 2, True)
    last = selectors.search_practices(
        "strategy", HubFilters(year=2020), outsider, page=2, page_size=2
    )
    assert len(last.results) == 1
    assert {r.practice.year for r in page.results + last.results} == {2020}


def test_a_query_with_pi_and_dimension_filters_on_postgres(postgres, make_practice, outsider, pi):
    # The filters join the PI links (DISTINCT), the query adds ranked, highlighted columns.
    wanted = make_practice(title="Parity strategy")
    make_practice(title="Parity strategy", indicators=[pi.framework.indicators.get(code="5.1")])
    filters = HubFilters(indicator=pi.pk, dimension=pi.dimension_id)
    assert found("parity", outsider, filters) == [wanted.pk]


# --- The fallback (SQLite, and any database when full-text search is off) ----------------------


@pytest.fixture
def fallback(monkeypatch):
    monkeypatch.setattr(selectors, "uses_postgres", lambda: False)


def test_fallback_finds_words_in_titles_and_summaries(fallback, make_practice, outsider):
    title = make_practice(title="Gender parity strategy", summary="A plan.")
    summary = make_practice(title="Annual plan", summary="Includes a PARITY target.")
    make_practice(title="Something else", summary="Nothing to see.")
    assert set(found("parity", outsider)) == {title.pk, summary.pk}


def test_fallback_highlights_safely(fallback, make_practice, outsider):
    make_practice(title="<b>Parity</b> & strategy", summary="parity")
    result = selectors.search_practices("parity", None, outsider).results[0]
    assert str(result.title) == "&lt;b&gt;<mark>Parity</mark>&lt;/b&gt; &amp; strategy"


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_fallback_takes_any_text(fallback, make_practice, outsider, query):
    make_practice()
    assert selectors.search_practices(query, None, outsider).count == 0


def test_filters_by_pi_dimension_language_and_year(make_practice, framework, outsider, pi):
    other_pi = framework.indicators.get(code="5.1")
    first = make_practice(language="fr", year=2023)
    second = make_practice(indicators=[other_pi], language="en", year=2024)
    assert found("", outsider, HubFilters(indicator=pi.pk)) == [first.pk]
    assert found("", outsider, HubFilters(dimension=other_pi.dimension_id)) == [second.pk]
    assert found("", outsider, HubFilters(language="fr")) == [first.pk]
    assert found("", outsider, HubFilters(year=2024)) == [second.pk]
    assert selectors.count_published(HubFilters(indicator=pi.pk)) == 1


def test_search_pages_take_a_fixed_number_of_queries(
    make_practice, outsider, django_assert_max_num_queries
):
    for n in range(6):
        make_practice(title=f"Strategy {n}")
    with django_assert_max_num_queries(6):
        page = selectors.search_practices("strategy", None, outsider)
        for result in page.results:
            list(result.practice.indicator_links.all())
            str(result.practice.country_team.region)
    assert page.count == len(Practice.objects.filter(status="published"))
