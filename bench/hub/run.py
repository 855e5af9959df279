"""The Knowledge Hub's search timings on its synthetic data set (manage.py seed_hub_synthetic).

    DATABASE_URL=postgres://... python bench/hub/run.py [-n 200]

Runs N searches (default 200) through hub.selectors.search_practices, as the Hub page does, and
materialises each page's results the way the page shows them (highlighted title and summary,
team and region unless anonymous, PIs with ratings, files, links). The mix: single words in each
of the six languages, inflected forms of words in the items, two words, a phrase in quotes, typos,
with filters (PI, language, year, region, rating), page 2, and no query at all (the featured and
newest first). Prints, one figure a line (`name: value unit`):

    hub_search_median: X ms      hub_search_p95: X ms      hub_search_cpu_median: X ms
    hub_search_match_median: X %  (share of the published items a query matches)
    hub_search_uses_gin: yes|no  (EXPLAIN of a word search names both GIN indexes)
    hub_page_queries: N queries  (the Hub page at /hub/?q=…, logged in; "not available" without it)
    hub_page_median: X ms        hub_private_found: N items (must be 0)

On SQLite the fallback (icontains) is timed instead: the targets are PostgreSQL's.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from hub import selectors  # noqa: E402
from hub.management.commands.seed_hub_synthetic import PRIVATE_WORD  # noqa: E402
from hub.models import Practice  # noqa: E402
from hub.selectors import HubFilters  # noqa: E402
from scorecard.management.commands.seed_synthetic import BENCH_IAT  # noqa: E402
from scorecard.models import Indicator  # noqa: E402

# (query, page): words as a searcher types them, often in another grammatical form than the text.
QUERIES = [
    # English
    ("budgeting", 1),
    ("violence", 1),
    ("parity", 1),
    ("advocacy campaign", 1),  # the text says "campaigns"
    ("trainings", 1),  # the text says "training"
    ("women's organisations", 1),
    ("sex-disaggregated data", 2),
    ('"joint action plan"', 1),
    ("procurment", 1),  # typo
    ("harrasment prevention", 1),  # typo
    ("statistics surveys", 1),
    ("unpaid care", 1),
    # French
    ("budgétisation", 1),
    ("violences", 1),
    ("campagne plaidoyer", 1),
    ("parité", 1),
    ('"groupe thématique genre"', 1),
    ("évaluations", 1),
    ("formations", 2),
    ("handicapée", 1),
    # Spanish
    ("presupuestación", 1),
    ("violencias", 1),
    ("paridad", 1),
    ("campaña incidencia", 1),
    ("sobreviviente", 1),
    ("capacitaciones", 1),
    ('"análisis común de país"', 1),
    # Russian
    ("бюджетирование", 1),
    ("насилие", 1),
    ("паритет", 1),
    ("кампания", 1),
    ("женские организации", 1),
    ("статистика", 2),
    # Arabic
    ("العنف", 1),
    ("الميزنة", 1),
    ("التكافؤ", 1),
    ("حملات المناصرة", 1),
    # Chinese
    ("性别平等", 1),
    ("预算", 1),
    ("暴力", 1),
    ("妇女组织", 1),
    # Nothing typed: the featured and newest first
    ("", 1),
    ("", 2),
]


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def materialise(page: selectors.SearchPage) -> None:
    """What the page reads of each result (all prefetched: no query here)."""
    for result in page.results:
        practice = result.practice
        str(result.title), str(result.summary)
        team = practice.shown_team
        if team is not None:
            str(team.name), str(team.region)
        for link in practice.indicator_links.all():
            str(link.indicator.code), link.get_rating_display()
        list(practice.files.all()), list(practice.links.all())
        practice.get_language_display()


def filters_for(i: int, pis: list[int], region: int | None) -> HubFilters:
    """Every fourth search has a filter: PI, language, year, region or rating in turn."""
    if i % 4:
        return HubFilters()
    kind = (i // 4) % 5
    if kind == 0:
        return HubFilters(indicator=pis[i % len(pis)])
    if kind == 1:
        return HubFilters(language=["en", "fr", "es", "ru", "ar", "zh-hans"][i % 6])
    if kind == 2:
        return HubFilters(year=2018 + i % 8)
    if kind == 3:
        return HubFilters(region=region)
    return HubFilters(rating="meets")


def main() -> None:
    # One line per request in the log would drown the figures.
    logging.getLogger("unct_swap.request").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="searches (200)")
    arguments = parser.parse_args()
    user = User.objects.filter(username=BENCH_IAT).first()
    published = Practice.objects.filter(status=Practice.Status.PUBLISHED).count()
    if user is None or not published:
        raise SystemExit("No hub data: run `manage.py seed_hub_synthetic` first.")
    pis = list(Indicator.objects.values_list("pk", flat=True))
    region = (
        Practice.objects.filter(status=Practice.Status.PUBLISHED)
        .values_list("country_team__region_id", flat=True)
        .first()
    )
    print(
        f"hub: {published} published items, database {connection.vendor}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, n={arguments.n}"
    )
    # Warm-up: each language's dictionaries are loaded by the first query that uses them.
    for query, page in QUERIES:
        selectors.search_practices(query, None, user, page=page)

    times, cpu, matched = [], [], []
    for i in range(arguments.n):
        query, page = QUERIES[i % len(QUERIES)]
        filters = filters_for(i, pis, region)
        started, started_cpu = time.perf_counter(), time.process_time()
        result = selectors.search_practices(query, filters, user, page=page)
        materialise(result)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if query and filters == HubFilters():
            matched.append(100 * result.count / published)
        if any(r.practice.status != Practice.Status.PUBLISHED for r in result.results):
            raise SystemExit(f"{query!r}: an unpublished item was found")
    print(f"hub_search_median: {statistics.median(times):.1f} ms")
    print(f"hub_search_p95: {p95(times):.1f} ms")
    print(f"hub_search_max: {max(times):.1f} ms")
    # This process's CPU only (not PostgreSQL's): steadier than wall time on a shared machine.
    print(f"hub_search_cpu_median: {statistics.median(cpu):.1f} ms")
    print(f"hub_search_match_median: {statistics.median(matched):.1f} %")
    print(f"hub_search_match_max: {max(matched):.1f} %")
    private = selectors.search_practices(PRIVATE_WORD, None, user).count
    print(f"hub_private_found: {private} items")

    if connection.vendor == "postgresql":
        plan = selectors._postgres_search(selectors._published(), "violence").explain()
        uses = "hub_practice_search_gin" in plan and "hub_practice_title_trgm" in plan
        print(f"hub_search_uses_gin: {'yes' if uses else 'no'}")
    else:
        print("hub_search_uses_gin: no (not PostgreSQL)")

    try:
        url = reverse("hub:search")
    except NoReverseMatch:
        print("hub_page_queries: not available")
        return
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)

    def fetch(query: str, page: int = 1) -> None:
        response = client.get(f"{url}?{urlencode({'q': query, 'page': page})}")
        if response.status_code != 200:
            raise SystemExit(f"{url}?q={query}: HTTP {response.status_code}")

    fetch("violence")  # warm-up
    with CaptureQueriesContext(connection) as captured:
        fetch("violence")
    print(f"hub_page_queries: {len(captured.captured_queries)} queries")
    page_times = []
    for i in range(max(arguments.n // 5, 10)):
        query, page = QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        fetch(query, page)
        page_times.append((time.perf_counter() - started) * 1000)
    print(f"hub_page_median: {statistics.median(page_times):.1f} ms")
    print(f"hub_page_p95: {p95(page_times):.1f} ms")


if __name__ == "__main__":
    main()
