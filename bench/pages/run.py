"""Page timings on the synthetic data set (manage.py seed_synthetic), in-process.

    DATABASE_URL=postgres://... python bench/pages/run.py [-n 30]

For each main page, as the user who would open it: one warm-up request, one request under
CaptureQueriesContext for the query count, then N timed requests (rotating over teams and PIs).
Prints `name_median: X ms`, `name_p95: X ms`, `name_queries: N` (and `name_cpu_median`, the
Python side's CPU time) per page, and the same for the API list endpoints when /api/v1/ exists
("api: not available" otherwise).

Then the pages again in each other language (`--languages`, default the five besides English),
named `name_<language>_…` (e.g. `pi_page_ar_median`), and per language the ratio of its summed
CPU medians to English's (`pages_ar_cpu_vs_en: 1.03 x`): translation must not cost more than a
few per cent, nor change a query count.

The Django test Client calls the whole stack (middleware, views, templates) without a network or
a server process: these are the application's own times, on a warm database.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

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

from scorecard.management.commands.seed_synthetic import (  # noqa: E402
    BENCH_IAT,
    BENCH_REVIEWER,
    synthetic_teams,
)
from scorecard.models import Assessment, IndicatorAssessment  # noqa: E402

# DRF router names of the main API lists (config/api_urls.py), measured when they exist.
API_LISTS = [
    ("api_country_teams", "country-team-list"),
    ("api_assessments", "assessment-list"),
    ("api_pi_ratings", "pi-rating-list"),
    ("api_action_points", "action-point-list"),
    ("api_evidence", "evidence-list"),
]


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def client_for(username: str, language: str = "en") -> Client:
    # The language as a browser asks for it: the bench users have no language of their own.
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def fetch(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    asked = client.defaults["HTTP_ACCEPT_LANGUAGE"]
    if response.get("Content-Language", asked) != asked:
        raise SystemExit(f"{url}: answered in {response['Content-Language']}, not {asked}")
    if response.streaming:
        b"".join(response.streaming_content)


def measure(name: str, client: Client, urls: Callable[[int], str], n: int) -> tuple[float, int]:
    """Prints the page's figures; returns its CPU median (ms) and its query count."""
    fetch(client, urls(0))  # warm-up
    with CaptureQueriesContext(connection) as captured:
        fetch(client, urls(0))
    queries = len(captured.captured_queries)  # now: the next request clears the log
    times, cpu = [], []
    for i in range(n):
        url = urls(i)
        started, started_cpu = time.perf_counter(), time.process_time()
        fetch(client, url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"{name}_median: {statistics.median(times):.1f} ms")
    print(f"{name}_p95: {p95(times):.1f} ms")
    print(f"{name}_queries: {queries}")
    # This process's CPU only (not PostgreSQL's): steadier than wall time on a shared machine.
    print(f"{name}_cpu_median: {statistics.median(cpu):.1f} ms")
    sys.stdout.flush()
    return statistics.median(cpu), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="timed requests per page (30)")
    parser.add_argument(
        "--languages",
        default="ar,zh-hans,fr,ru,es",
        help="the pages again in these languages, comma-separated ('' for none)",
    )
    arguments = parser.parse_args()
    n = arguments.n
    languages = [code for code in arguments.languages.split(",") if code]

    teams = list(synthetic_teams().order_by("code").values_list("code", flat=True))
    if not teams:
        raise SystemExit("No synthetic data: run `manage.py seed_synthetic --teams 150 --years 8`.")
    last_year = Assessment.objects.filter(country_team__code=teams[0]).latest("year").year
    # Reassessed PIs of the last year (they have evidence, findings and a history), per team.
    rows = list(
        IndicatorAssessment.objects.filter(
            assessment__country_team__code__in=teams,
            assessment__year=last_year,
            reassessed=True,
        )
        .order_by("assessment__country_team__code", "indicator__order")
        .values_list("assessment__country_team__code", "indicator__code")
    )
    sample = teams[:: max(len(teams) // n, 1)][:n]
    vendor = connection.vendor
    print(
        f"pages: {len(teams)} synthetic teams, last year {last_year}, database {vendor}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, n={n}"
    )
    step = max(len(rows) // n, 1)

    def pi_url(i: int) -> str:
        code, pi = rows[(i * step) % len(rows)]
        return f"/teams/{code}/{last_year}/pi/{pi}/"

    def pages(language: str) -> tuple[float, int]:
        """Every page in one language; the sums of their CPU medians and query counts."""
        iat, reviewer = client_for(BENCH_IAT, language), client_for(BENCH_REVIEWER, language)
        tag = "" if language == "en" else f"_{language.replace('-', '_')}"
        figures = [
            measure(f"team_assessments{tag}", iat, lambda i: f"/teams/{team(i)}/", n),
            measure(
                f"assessment_overview{tag}", iat, lambda i: f"/teams/{team(i)}/{last_year}/", n
            ),
            measure(f"pi_page{tag}", iat, pi_url, n),
            measure(f"global_dashboard{tag}", reviewer, lambda i: "/dashboards/global/", n),
            measure(f"team_dashboard{tag}", iat, lambda i: f"/dashboards/teams/{team(i)}/", n),
            measure(
                f"global_export_csv{tag}",
                reviewer,
                lambda i: f"/dashboards/global/export/ratings.csv?year={last_year}",
                max(n // 3, 3),
            ),
        ]
        return sum(cpu for cpu, _ in figures), sum(queries for _, queries in figures)

    def team(i: int) -> str:
        return sample[i % len(sample)]

    english = pages("en")
    iat = client_for(BENCH_IAT)
    available = []
    for name, route in API_LISTS:
        try:
            available.append((name, reverse(route)))
        except NoReverseMatch:
            continue
    if not available:
        print("api: not available")
    for name, url in available:
        measure(name, iat, lambda i, url=url: url, n)

    for language in languages:
        cpu, queries = pages(language)
        tag = language.replace("-", "_")
        print(f"pages_{tag}_cpu_vs_en: {cpu / english[0]:.2f} x")
        print(f"pages_{tag}_queries_vs_en: {queries - english[1]:+d} queries")


if __name__ == "__main__":
    main()
