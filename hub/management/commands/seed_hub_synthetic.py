"""The Knowledge Hub at the size of the whole system, for its benchmark (`make bench-hub`).

    python manage.py seed_hub_synthetic [--published 10000] [--private 500] \
        [--evidence 50000] [--seed 42]
    python manage.py seed_hub_synthetic --delete

On the synthetic teams of seed_synthetic (seeded first, 150 teams x 8 years, when there are
none): `--published` published items in the six UN languages, with varied text of the domain
(hub/management/commands/_hub_corpus.py: sentences built from a few hundred words per language
with a fixed seed, so a query word is in a few per cent of the items, as in real text), one or
two PIs each with a rating, 10 % anonymous, a few featured; `--private` items per unpublished
status (proposed, agreed, refused, withdrawn), which the hub must never show; and private
evidence rows added to the synthetic assessments until there are `--evidence` in all.

Each run first deletes what an earlier run added (the synthetic teams' hub items, the evidence
it added); `--delete` only deletes, and leaves the synthetic teams as seed_synthetic made them
(whose --reset cannot delete a team that still has hub items).

Bulk loading, as seed_synthetic: bulk_create, then on PostgreSQL one UPDATE per language that
computes the search vectors as hub.services.refresh_search would (weights A, B, C; Chinese cut
into character pairs in Python first). No history records: a benchmark fixture, not a user path.
Never run this on a production database.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from hub import search
from hub.models import Practice, PracticeEvent, PracticeFile, PracticeIndicator, PracticeLink
from scorecard import selectors as scorecard_selectors
from scorecard.management.commands.seed_synthetic import BENCH_IAT, synthetic_teams
from scorecard.models import Evidence, Indicator, IndicatorAssessment

from ._hub_corpus import VOCABULARIES, text

BATCH = 2000
Status = Practice.Status
# The marker of the evidence rows this command adds (seed_synthetic's use example.org/<team>).
EVIDENCE_URL = "https://example.org/hub-bench/"
UNPUBLISHED = [Status.PROPOSED, Status.AGREED, Status.REFUSED, Status.WITHDRAWN]
# A word only unpublished items hold: the benchmark checks that searching it finds nothing.
PRIVATE_WORD = "confidentialzebra"
LANGUAGE_WEIGHTS = {"en": 40, "fr": 18, "es": 16, "ru": 12, "ar": 9, "zh-hans": 5}


def delete_seeded() -> tuple[int, int]:
    """The hub items of the synthetic teams and the evidence this command added (raw deletes:
    no signals, no history), as (items, evidence)."""
    practices = Practice.objects.filter(country_team__in=synthetic_teams())
    count = practices.count()
    for queryset in (
        PracticeEvent.objects.filter(practice__in=practices),
        PracticeIndicator.objects.filter(practice__in=practices),
        PracticeLink.objects.filter(practice__in=practices),
        PracticeFile.objects.filter(practice__in=practices),
        practices,
    ):
        queryset._raw_delete(queryset.db)
    evidence = Evidence.objects.filter(url__startswith=EVIDENCE_URL)
    evidence_count = evidence.count()
    for queryset in (Evidence.history.filter(url__startswith=EVIDENCE_URL), evidence):
        queryset._raw_delete(queryset.db)
    return count, evidence_count


def refresh_vectors() -> None:
    """The search vectors of every hub item without one, in SQL, one UPDATE per language
    configuration (what hub.services.refresh_search computes one item at a time)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for language, config in search.CONFIGS.items():
            if language in search.CJK_LANGUAGES:
                continue
            cursor.execute(
                f"""
                UPDATE hub_practice SET search_vector =
                    setweight(to_tsvector('{config}', title), 'A')
                    || setweight(to_tsvector('{config}', summary), 'B')
                    || setweight(to_tsvector('{config}', what_done || E'\\n' || result), 'C')
                WHERE search_vector IS NULL AND language = %s
                """,  # noqa: S608 -- config is one of our own constants
                [language],
            )
        for language in search.CJK_LANGUAGES:
            rows = list(
                Practice.objects.filter(search_vector__isnull=True, language=language).values_list(
                    "pk", "title", "summary", "what_done", "result"
                )
            )
            if not rows:
                continue
            cursor.execute(
                """
                UPDATE hub_practice AS p SET search_vector =
                    setweight(to_tsvector('simple', g.title), 'A')
                    || setweight(to_tsvector('simple', g.summary), 'B')
                    || setweight(to_tsvector('simple', g.rest), 'C')
                FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[])
                    AS g(id, title, summary, rest)
                WHERE p.id = g.id
                """,
                [
                    [row[0] for row in rows],
                    [search.cjk_grams(row[1]) for row in rows],
                    [search.cjk_grams(row[2]) for row in rows],
                    [search.cjk_grams(f"{row[3]}\n{row[4]}") for row in rows],
                ],
            )


class Command(BaseCommand):
    help = "Seed the Knowledge Hub at the size of the whole system (benchmarks only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--published", type=int, default=10_000)
        parser.add_argument("--private", type=int, default=500, help="per unpublished status")
        parser.add_argument("--evidence", type=int, default=50_000, help="private evidence in all")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--delete", action="store_true", help="Only delete what it added.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["delete"]:
            with transaction.atomic():
                items, evidence = delete_seeded()
            self.stdout.write(f"Deleted {items} hub items and {evidence} evidence rows.")
            return
        if not 0 <= options["published"] <= 100_000 or not 0 <= options["private"] <= 10_000:
            raise CommandError("--published must be 0 to 100000 and --private 0 to 10000.")
        if not synthetic_teams().exists():
            call_command("seed_synthetic", teams=150, years=8, stdout=self.stdout)
        rng = random.Random(options["seed"])  # noqa: S311 -- reproducible data, not secrets
        with transaction.atomic():
            delete_seeded()
            counts = self._seed(rng, options["published"], options["private"])
            counts["evidence_added"] = self._evidence(rng, options["evidence"])
            refresh_vectors()
        if connection.vendor == "postgresql":
            # Fresh statistics, hint bits and visibility map, as a table that grew over years
            # has: right after a bulk load the first searches would write every page they read.
            # (VACUUM cannot run inside a transaction: a test's, for one; ANALYZE then.)
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(f"{vacuum} hub_practice")
                cursor.execute(f"{vacuum} hub_practiceindicator")
                cursor.execute("ANALYZE scorecard_evidence")
        counts["evidence"] = Evidence.objects.filter(
            indicator_assessment__assessment__country_team__in=synthetic_teams()
        ).count()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"seconds: {time.monotonic() - started:.1f}")

    def _seed(self, rng: random.Random, published: int, private: int) -> dict[str, int]:
        teams = list(synthetic_teams().order_by("code"))
        if not teams:
            raise CommandError("No synthetic teams: run `manage.py seed_synthetic` first.")
        # Each team's rating of each PI in its latest assessment (the rating captured when
        # proposed); ordered by year, so the latest wins.
        ratings = {
            (team_id, indicator_id): rating
            for team_id, indicator_id, rating in IndicatorAssessment.objects.filter(
                assessment__country_team__in=teams
            )
            .order_by("assessment__year")
            .values_list("assessment__country_team_id", "indicator_id", "rating")
        }
        framework = scorecard_selectors.current_framework()
        indicators = list(
            Indicator.objects.filter(framework=framework)
            .select_related("dimension")
            .order_by("order")
        )
        author = User.objects.filter(username=BENCH_IAT).first()
        languages = list(LANGUAGE_WEIGHTS)
        weights = list(LANGUAGE_WEIGHTS.values())
        now = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)
        statuses = [Status.PUBLISHED] * published + [
            status for status in UNPUBLISHED for _ in range(private)
        ]
        practices, chosen = [], []
        for k, status in enumerate(statuses):
            language = rng.choices(languages, weights)[0]
            body = text(language, rng)
            team = teams[k % len(teams)] if k % 7 else rng.choice(teams)
            year = rng.randint(2018, 2025)
            when = now - timedelta(days=rng.randint(0, 7 * 365), minutes=k)
            title = body.title
            summary = body.summary
            if status != Status.PUBLISHED:
                summary = f"{summary} {PRIVATE_WORD}"
            pis = rng.sample(indicators, rng.choice([1, 1, 1, 2]))
            chosen.append(pis)
            practices.append(
                Practice(
                    kind=Practice.Kind.GOOD_PRACTICE if k % 3 else Practice.Kind.EVIDENCE,
                    status=status,
                    country_team=team,
                    author=author,
                    author_name="Bench IAT-member",
                    title=title,
                    summary=summary,
                    what_done=body.what_done,
                    result=body.result,
                    dimension=pis[0].dimension if len(pis) == 1 and k % 2 else None,
                    year=year,
                    language=language,
                    anonymous=rng.random() < 0.1,
                    featured=status == Status.PUBLISHED and rng.random() < 0.002,
                    search_text="\n".join([title, summary, body.what_done, body.result]),
                    agreed_at=None if status == Status.PROPOSED else when,
                    published_at=when if status == Status.PUBLISHED else None,
                )
            )
        Practice.objects.bulk_create(practices, batch_size=BATCH)
        links = PracticeIndicator.objects.bulk_create(
            (
                PracticeIndicator(
                    practice=practice,
                    indicator=indicator,
                    rating=ratings.get((practice.country_team_id, indicator.pk), ""),
                )
                for practice, pis in zip(practices, chosen, strict=True)
                for indicator in pis
            ),
            batch_size=BATCH,
        )
        return {
            "hub_published": published,
            "hub_unpublished": len(statuses) - published,
            "hub_pi_links": len(links),
            "languages": len(VOCABULARIES),
        }

    def _evidence(self, rng: random.Random, total: int) -> int:
        """Private evidence rows on the synthetic teams' reassessed PIs, up to `total` in all."""
        rows = list(
            IndicatorAssessment.objects.filter(
                assessment__country_team__in=synthetic_teams(), reassessed=True
            ).values_list("pk", "assessment__year", "indicator__code")
        )
        have = Evidence.objects.filter(indicator_assessment_id__in=[r[0] for r in rows]).count()
        missing = max(total - have, 0)
        if not rows or not missing:
            return 0
        uploaded = datetime(2025, 3, 1, tzinfo=UTC)
        languages = list(LANGUAGE_WEIGHTS)
        evidence = []
        for k in range(missing):
            pk, year, code = rows[k % len(rows)]
            body = text(rng.choice(languages), rng)
            evidence.append(
                Evidence(
                    indicator_assessment_id=pk,
                    title=f"{body.title[:250]} ({code}, {year})",
                    url=f"{EVIDENCE_URL}{k}",
                    uploaded_by_name="Bench IAT-member",
                    uploaded_at=uploaded,
                    order=10 + k // len(rows),
                )
            )
        Evidence.objects.bulk_create(evidence, batch_size=BATCH)
        return len(evidence)
