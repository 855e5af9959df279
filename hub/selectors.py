"""Reads of the Knowledge Hub. Everything that others than the item's team may see starts from
`_published()`: an unpublished item is never in a list, a search, a count or a filter's
choices for anyone outside its team.

Search on PostgreSQL: the query is parsed by websearch_to_tsquery (never to_tsquery: any text,
quotes, OR, minus signs or stray brackets included, is a valid query) once per text search
configuration and the six are OR-ed, so each item is matched by the stems of its own language
against its stored vector (GIN-indexed); titles within a typo of the query are matched by
trigram word similarity (GIN trigram index). Ranked by ts_rank plus that similarity, featured
items first among equals. On SQLite (development, most tests): icontains.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString

from core.models import Membership, ReviewerScope
from core.permissions import ALL_REGIONS, EDITOR_ROLES, is_admin, reviewer_regions
from scorecard.models import Assessment, Indicator, Rating

from . import search
from .models import Practice, PracticeFile, PracticeIndicator

AnyUser = User | AnonymousUser
Status = Practice.Status
PAGE_SIZE = 20


@dataclass(frozen=True)
class HubFilters:
    """What a search may be narrowed by. Region and rating say something about the team, so
    they never match an item published anonymously."""

    indicator: int | None = None
    dimension: int | None = None
    region: int | None = None
    language: str = ""
    year: int | None = None
    rating: str = ""


@dataclass
class Result:
    practice: Practice
    title: SafeString
    summary: SafeString


@dataclass
class SearchPage:
    results: list[Result]
    number: int
    num_pages: int
    count: int
    has_next: bool = False
    has_previous: bool = False
    query: str = ""
    filters: HubFilters = field(default_factory=HubFilters)


def uses_postgres() -> bool:
    """Full-text search or the icontains fallback (tests switch it to try the fallback)."""
    return connection.vendor == "postgresql"


def _published() -> QuerySet[Practice]:
    return Practice.objects.filter(status=Status.PUBLISHED)


def _filtered(practices: QuerySet[Practice], filters: HubFilters) -> QuerySet[Practice]:
    if filters.dimension is not None:
        practices = practices.filter(
            Q(dimension_id=filters.dimension)
            | Q(indicator_links__indicator__dimension_id=filters.dimension)
        )
    # The PI and its rating on the same link: "rated Meets for PI 1.1", not "any PI rated Meets".
    link_filter: dict[str, object] = {}
    if filters.indicator is not None:
        link_filter["indicator_links__indicator_id"] = filters.indicator
    if filters.rating:
        link_filter["indicator_links__rating"] = filters.rating
    if link_filter:
        practices = practices.filter(**link_filter)
    if filters.region is not None:
        practices = practices.filter(country_team__region_id=filters.region)
    if filters.region is not None or filters.rating:
        practices = practices.filter(anonymous=False)
    if filters.language:
        practices = practices.filter(language=filters.language)
    if filters.year is not None:
        practices = practices.filter(year=filters.year)
    # Joins through links may repeat an item.
    return practices.distinct() if link_filter or filters.dimension is not None else practices


def _with_related(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    # The searched text and vector, and the files' text, hold up to hundreds of kilobytes per
    # item (hub.text): searched in the database, never shown, so never loaded with a page.
    return (
        practices.select_related("country_team__region", "dimension")
        .defer("search_text", "search_vector")
        .prefetch_related(
            Prefetch(
                "indicator_links",
                queryset=PracticeIndicator.objects.select_related("indicator").order_by(
                    "indicator__order"
                ),
            ),
            Prefetch("files", queryset=PracticeFile.objects.defer("text")),
            "links",
        )
    )


def published_practices(filters: HubFilters | None = None) -> QuerySet[Practice]:
    """Published items, featured first, then the newest."""
    return _with_related(_filtered(_published(), filters or HubFilters())).order_by(
        "-featured", "-published_at", "-pk"
    )


def count_published(filters: HubFilters | None = None) -> int:
    return _filtered(_published(), filters or HubFilters()).count()


class _AnyLanguageQuery(SearchQuery):
    """The query parsed by websearch_to_tsquery in each configuration, the distinct results
    OR-ed into one tsquery, in SQL (a subquery PostgreSQL runs once per statement).

    Distinct: "violence" parses to 'violenc' in four configurations, and PostgreSQL estimates an
    OR of six terms as matching a third of the table, then reads every row instead of the GIN
    index. A subquery: the planner cannot know its value, takes the default selectivity of @@,
    and so scans the index (measured over 12,000 items: 10 ms against 110 ms). NULL when the
    text holds no word in any configuration (only stop words): nothing matches through it.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text, search_type="websearch")
        self.configs = list(search.QUERY_CONFIGS)
        self.texts = [
            search.cjk_grams(text, unigrams=False) if config == "simple" else text
            for config in self.configs
        ]

    def as_sql(self, compiler, connection, function=None, template=None):  # type: ignore[no-untyped-def]
        return (
            "(SELECT string_agg(DISTINCT '(' || parsed.q::text || ')', ' | ')::tsquery"
            " FROM (SELECT websearch_to_tsquery(u.c, u.t) AS q"
            " FROM unnest(%s::regconfig[], %s::text[]) AS u(c, t)) AS parsed"
            " WHERE parsed.q::text <> '')",
            [self.configs, self.texts],
        )


def _query(text: str) -> SearchQuery:
    return _AnyLanguageQuery(text)


def _row_config() -> Case:
    """The item's own text search configuration, for its highlighted extract."""
    return Case(
        *[When(language=code, then=Value(config)) for code, config in search.CONFIGS.items()],
        default=Value("simple"),
    )


def _postgres_search(practices: QuerySet[Practice], text: str) -> QuerySet[Practice]:
    """The matching items, best first (no highlights: those are made for one page only)."""
    query = _query(text)
    similar = TrigramWordSimilar(F("title"), Value(text))
    # Two index scans united, rather than one OR that the planner can only answer by reading
    # every row (measured: about twice as fast over 10,000 items). order_by(): no sorting
    # inside the union (the model's default ordering would sort both).
    words = Practice.objects.filter(search_vector=query).order_by().values("pk")
    typos = Practice.objects.filter(similar).order_by().values("pk")
    # The title's similarity to the query counts only for the titles found by it (the trigram
    # index): computed for every match it cost three times the rest of the ranking (measured:
    # 24 ms for 1,800 matches), and a title holding the query's word is among them anyway.
    similarity = Case(
        When(pk__in=typos, then=TrigramWordSimilarity(Value(text), "title") * 0.5),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return (
        practices.filter(pk__in=words.union(typos))
        .annotate(rank=Coalesce(SearchRank(F("search_vector"), query), 0.0) + similarity)
        .order_by("-rank", "-featured", "-published_at", "-pk")
    )


def _postgres_headlines(practices: QuerySet[Practice], text: str) -> QuerySet[Practice]:
    """The title and summary with the query's words marked, in each item's own language."""
    query = _query(text)
    options = {"start_sel": search.START, "stop_sel": search.STOP, "max_fragments": 2}
    return practices.annotate(
        # The plain text where the query has no word (found by a typo only): NULL query.
        title_marked=Coalesce(
            SearchHeadline(
                "title",
                query,
                config=_row_config(),
                highlight_all=True,
                start_sel=search.START,
                stop_sel=search.STOP,
            ),
            F("title"),
            output_field=TextField(),
        ),
        summary_marked=Coalesce(
            SearchHeadline("summary", query, config=_row_config(), **options),
            F("summary"),
            output_field=TextField(),
        ),
    )


def _fallback_search(practices: QuerySet[Practice], text: str) -> QuerySet[Practice]:
    return practices.filter(
        Q(title__icontains=text) | Q(summary__icontains=text) | Q(search_text__icontains=text)
    ).order_by("-featured", "-published_at", "-pk")


def search_practices(
    query: str,
    filters: HubFilters | None,
    user: AnyUser,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """A page of published items matching the query and filters, best first, with the title
    and summary highlighted (safe HTML: the text escaped, the matches in <mark>). Anonymous
    visitors find nothing: the hub is for logged-in users."""
    filters = filters or HubFilters()
    text = search.query_text(query)
    if not user.is_authenticated:
        return SearchPage(results=[], number=1, num_pages=1, count=0, query=text, filters=filters)
    practices = _filtered(_published(), filters)
    if practices.query.distinct:
        # A filter through the PIs joins one row per link: as a semi-join (pk IN …) instead,
        # there is one row per item without a DISTINCT over whole rows, and the count below
        # counts items.
        practices = Practice.objects.filter(pk__in=practices.values("pk"))
    postgres = bool(text) and uses_postgres()
    if not text:
        practices = practices.order_by("-featured", "-published_at", "-pk")
    elif postgres:
        practices = _postgres_search(practices, text)
    else:
        practices = _fallback_search(practices, text)
    # One query ranks every match on narrow rows (the id, the rank, the count of all matches
    # by a window), and a second reads and highlights only the page's items: sorting whole
    # rows and highlighting every match cost far more (docs/knowledge-hub.md, "Speed").
    ranked = practices.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    try:
        number = max(int(page), 1)
    except (TypeError, ValueError):
        number = 1
    rows = list(ranked[(number - 1) * page_size : number * page_size])
    count = rows[0][1] if rows else 0
    if not rows and number > 1:
        # Past the last page: the last page, as Paginator.get_page gives it.
        count = practices.count()
        number = max(math.ceil(count / page_size), 1)
        rows = list(ranked[(number - 1) * page_size : number * page_size])
    num_pages = max(math.ceil(count / page_size), 1)
    ids = [pk for pk, _total in rows]
    found = _with_related(Practice.objects.filter(pk__in=ids)) if ids else Practice.objects.none()
    if postgres and ids:
        found = _postgres_headlines(found, text)
    by_pk = {practice.pk: practice for practice in found}
    results = []
    for pk in ids:
        practice = by_pk[pk]
        if postgres:
            title = search.mark(practice.title_marked)
            summary = search.mark(practice.summary_marked)
        else:
            title = search.mark_words(practice.title, text)
            summary = search.mark_words(practice.summary, text)
        results.append(Result(practice=practice, title=title, summary=summary))
    return SearchPage(
        results=results,
        number=number,
        num_pages=num_pages,
        count=count,
        has_next=number < num_pages,
        has_previous=number > 1,
        query=text,
        filters=filters,
    )


def team_practices(country_team_id: int) -> QuerySet[Practice]:
    """Every item of one team, whatever its status: for the team's own page (gate first)."""
    return _with_related(Practice.objects.filter(country_team_id=country_team_id)).order_by(
        "-created_at", "-pk"
    )


def review_queue(user: AnyUser) -> QuerySet[Practice]:
    """Items the teams agreed to share, waiting for a reviewer of their region (or an
    administrator) to publish or refuse them; oldest first."""
    practices = _with_related(Practice.objects.filter(status=Status.AGREED)).order_by(
        "agreed_at", "pk"
    )
    if is_admin(user):
        return practices
    regions = reviewer_regions(user)
    if regions == ALL_REGIONS:
        return practices
    return practices.filter(country_team__region_id__in=list(regions))


# --- Reads for the pages (hub/views.py, hub/templatetags) ----------------------------------


@dataclass
class FilterChoices:
    """What the search page's filters offer: only what published items carry (a region or
    a year of an unpublished item would say that something is on its way), plus whether the
    user has a list of proposals to look at."""

    indicators: list[Indicator]
    regions: list[tuple[int, str]]
    years: list[int]
    has_queue: bool


def _queue_condition(user: AnyUser) -> Q:
    """The items of the user's proposals page: their own teams' (IAT members and
    coordinators), and the agreed items waiting for them as a reviewer or administrator."""
    if is_admin(user):
        return Q(status=Status.AGREED)
    own_team = Exists(
        Membership.objects.filter(
            user=user, role__in=EDITOR_ROLES, country_team_id=OuterRef("country_team_id")
        )
    )
    reviews = Exists(
        ReviewerScope.objects.filter(user=user).filter(
            Q(is_global=True) | Q(regions=OuterRef("country_team__region_id"))
        )
    )
    return Q(own_team) | (Q(status=Status.AGREED) & Q(reviews))


def filter_choices(user: AnyUser) -> FilterChoices:
    """The filters' choices and the proposals link, in two queries whatever the size of the
    hub: the PIs (with their dimensions) of published items, and one pass over the published
    items plus the user's own proposals for the regions and years."""
    indicators = list(
        Indicator.objects.filter(
            pk__in=PracticeIndicator.objects.filter(practice__status=Status.PUBLISHED).values(
                "indicator_id"
            )
        )
        .select_related("dimension", "framework")
        .order_by("-framework__is_current", "framework__version", "order")
    )
    queue = _queue_condition(user)
    rows = (
        Practice.objects.filter(Q(status=Status.PUBLISHED) | queue)
        .annotate(
            is_published=Case(
                When(status=Status.PUBLISHED, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            in_queue=Case(When(queue, then=Value(True)), default=Value(False)),
        )
        .values_list(
            "is_published",
            "in_queue",
            "anonymous",
            "year",
            "country_team__region_id",
            "country_team__region__name",
        )
        .order_by()
        .distinct()
    )
    regions: dict[int, str] = {}
    years: set[int] = set()
    has_queue = False
    for published, in_queue, anonymous, year, region_id, region_name in rows:
        has_queue = has_queue or in_queue
        if not published:
            continue
        years.add(year)
        if not anonymous:  # the region filter never matches anonymous items
            regions[region_id] = region_name
    return FilterChoices(
        indicators=indicators,
        regions=sorted(regions.items(), key=lambda item: item[1]),
        years=sorted(years, reverse=True),
        has_queue=has_queue,
    )


def practice_details(practice: Practice, *, with_history: bool) -> Practice:
    """The item's PIs (with their ratings and dimensions), files, links and, for those who may
    read it, its history, as prefetched lists (one query each)."""
    lookups: list[str | Prefetch] = [
        Prefetch(
            "indicator_links",
            queryset=PracticeIndicator.objects.select_related("indicator__dimension").order_by(
                "indicator__order"
            ),
        ),
        Prefetch("files", queryset=PracticeFile.objects.defer("text")),
        "links",
    ]
    if with_history:
        lookups.append("events")
    prefetch_related_objects([practice], *lookups)
    return practice


def practices_of_teams(country_team_ids: Iterable[int]) -> QuerySet[Practice]:
    """Every item of these teams, whatever its status, newest first: for the proposals page
    of their own members (gate first)."""
    return _with_related(
        Practice.objects.filter(country_team_id__in=list(country_team_ids))
    ).order_by("-created_at", "-pk")


def top_for_indicator(indicator_id: int, *, limit: int = 3) -> list[Practice]:
    """The most relevant published items for one PI: featured first, then the best rating the
    team gave that PI (none for anonymous items, whose rating is not shown), then the newest.
    One query; `pi_rating` is the rating for this PI (empty when anonymous)."""
    rank = Case(
        *[
            When(indicator_links__rating=rating, then=Value(rank))
            for rank, rating in enumerate(Rating.ordered(), 1)
        ],
        default=Value(0),
    )
    return list(
        _published()
        .filter(indicator_links__indicator_id=indicator_id)
        .select_related("country_team__region")
        .defer("search_text", "search_vector")
        .annotate(
            pi_rating=Case(
                When(anonymous=True, then=Value("")),
                default=F("indicator_links__rating"),
            ),
            rating_rank=Case(When(anonymous=True, then=Value(0)), default=rank),
        )
        .order_by("-featured", "-rating_rank", "-published_at", "-pk")[:limit]
    )


def active_evidence_ids(evidence_ids: Iterable[int]) -> set[int]:
    """Which of these evidence items are already proposed, agreed or published in the hub."""
    ids = list(evidence_ids)
    if not ids:
        return set()
    return set(
        Practice.objects.filter(
            source_evidence_id__in=ids,
            status__in=[Status.PROPOSED, Status.AGREED, Status.PUBLISHED],
        ).values_list("source_evidence_id", flat=True)
    )


def team_framework_indicators(country_team_id: int) -> list[Indicator]:
    """The PIs a team's good practice may serve: those of the framework of its latest
    assessment, or of the current framework when it has none yet."""
    latest = (
        Assessment.objects.filter(country_team_id=country_team_id)
        .order_by("-year")
        .values("framework_id")[:1]
    )
    indicators = Indicator.objects.select_related("dimension").order_by("order")
    found = list(indicators.filter(framework_id__in=latest))
    return found or list(indicators.filter(framework__is_current=True))
