"""A synthetic data set the size of the whole system, for benchmarks (`make bench`).

    python manage.py seed_synthetic --teams 150 --years 8 [--seed 42] [--reset]

Creates `--teams` country teams spread over the five regions, with codes from the ISO 3166
user-assigned ranges (QMA-QZZ, then XAA-XZZ), which no real country will ever get, skipping codes
already in use (the demo's XDL); each is named "Synthetic team <code>". Every team gets a
comprehensive assessment and `--years - 1` annual ones, ending in `--last-year`, with all the PI
rows of the framework each year: ratings follow a fixed-seed random walk, 5 to 8 PIs reassessed per
annual assessment and the rest carried over, 2 to 4 evidence links per reassessed PI, 13 to 17
action points per assessment, four IAT members, the history of each PI row (created, then saved
when reassessed) and the workflow events of the assessment's status. Earlier years are approved;
the last year is spread over every workflow state, drafts included.

Users: `bench-iat`, IAT member of every synthetic team, and `bench-reviewer`, UN Women reviewer of
every region, with the password of `--password` (default: $BENCH_PASSWORD, else a fixed benchmark
password). Never run this on a production database.

Bulk loading: rows are written with bulk_create rather than through scorecard.services, which
create one assessment at a time with its per-row history (several queries per row; 1,200
assessments take many minutes). This is a benchmark fixture, not a user path: nothing in the
application calls it, and what it writes has the shape the services would write.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import QuerySet

from core import services as core_services
from core.models import CountryTeam, Membership, Region, ReviewerScope, UNEntity
from scorecard import selectors, services
from scorecard.models import (
    ActionPoint,
    Assessment,
    Comment,
    Evidence,
    Framework,
    IATMember,
    Indicator,
    IndicatorAssessment,
    LevelRule,
    Rating,
    ReopenRequest,
    WorkflowEvent,
)

NAME_PREFIX = "Synthetic team "
BENCH_IAT, BENCH_REVIEWER = "bench-iat", "bench-reviewer"
DEFAULT_PASSWORD = "synthetic-bench-password"  # noqa: S105 -- benchmark data only
BATCH = 2000
Status = Assessment.Status
LEVELS = Rating.ordered()
START_WEIGHTS = [20, 35, 35, 10]  # missing, approaches, meets, exceeds
STEPS = [-1, 0, 0, 1, 1]  # a reassessed PI moves by one level at most, more often up
LAST_YEAR_STATUSES = [
    (Status.DRAFT, 30),
    (Status.AWAITING_ENDORSEMENT, 10),
    (Status.SUBMITTED, 15),
    (Status.IN_REVIEW, 15),
    (Status.RETURNED, 10),
    (Status.APPROVED, 20),
]
# The workflow steps that lead to each status (scorecard.workflow.TRANSITIONS).
PATHS = {
    Status.DRAFT: [],
    Status.AWAITING_ENDORSEMENT: [("send_for_endorsement", Status.DRAFT)],
    Status.SUBMITTED: [
        ("send_for_endorsement", Status.DRAFT),
        ("endorse_and_submit", Status.AWAITING_ENDORSEMENT),
    ],
    Status.IN_REVIEW: [
        ("send_for_endorsement", Status.DRAFT),
        ("endorse_and_submit", Status.AWAITING_ENDORSEMENT),
        ("start_review", Status.SUBMITTED),
    ],
    Status.RETURNED: [
        ("send_for_endorsement", Status.DRAFT),
        ("endorse_and_submit", Status.AWAITING_ENDORSEMENT),
        ("start_review", Status.SUBMITTED),
        ("return_for_revision", Status.IN_REVIEW),
    ],
    Status.APPROVED: [
        ("send_for_endorsement", Status.DRAFT),
        ("endorse_and_submit", Status.AWAITING_ENDORSEMENT),
        ("start_review", Status.SUBMITTED),
        ("approve", Status.IN_REVIEW),
    ],
}
ACTIONS = [
    "Develop a gender-responsive joint work plan for the results group on {topic}.",
    "Organise a capacity-building session on gender mainstreaming for {topic} focal points.",
    "Include sex-disaggregated indicators on {topic} in the Cooperation Framework M&E plan.",
    "Commission a gender analysis of {topic} to inform the next Common Country Analysis.",
    "Hold a joint advocacy campaign with women's organisations on {topic}.",
    "Track and report the share of joint programme budget allocated to {topic}.",
]
TOPICS = ["social protection", "decent work", "climate action", "governance", "health", "education"]
RESPONSIBLE = ["Gender Theme Group", "Results Group 1", "PMT", "RCO", "UNCT", "M&E Group"]
ACTION_STATUS_WEIGHTS = [
    (ActionPoint.Status.NOT_STARTED, 30),
    (ActionPoint.Status.IN_PROGRESS, 45),
    (ActionPoint.Status.COMPLETED, 20),
    (ActionPoint.Status.NOT_APPLICABLE, 5),
]


def synthetic_codes(taken: set[str]) -> Iterator[str]:
    """QMA..QZZ, then XAA..XZZ (user-assigned in ISO 3166), minus the codes already taken."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for first, seconds in (("Q", letters[letters.index("M") :]), ("X", letters)):
        for second in seconds:
            for third in letters:
                code = first + second + third
                if code not in taken:
                    yield code


def synthetic_teams() -> QuerySet[CountryTeam]:
    return CountryTeam.objects.filter(name__startswith=NAME_PREFIX)


def _at(year: int, month: int, day: int = 15) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@dataclass
class IndicatorPlan:
    """What it takes to reach each level of a PI: criteria to tick, or the number to enter."""

    indicator: Indicator
    criteria: dict[str, list[str]]  # level → check criteria introduced at or below it
    numbers: dict[str, Decimal | None]  # level → a number inside that level's band
    suggestions: dict[str, str]  # level → the suggested rating for those criteria and number
    categories: list[int] = field(default_factory=list)


def _plan(indicator: Indicator) -> IndicatorPlan:
    check = [c for c in indicator.criteria.all() if c.kind == "check"]
    criteria = {
        level: [c.code for c in check if Rating(c.level).rank <= Rating(level).rank]
        for level in LEVELS
    }
    numbers: dict[str, Decimal | None] = dict.fromkeys(LEVELS)
    bands = {r.level: r for r in indicator.rules.all() if r.kind == LevelRule.Kind.BAND}
    band_criteria = [c for c in indicator.criteria.all() if c.kind == "band"]
    if bands:
        for level, rule in bands.items():
            low = rule.min_value if rule.min_value is not None else Decimal(0)
            high = rule.max_value if rule.max_value is not None else Decimal(100)
            numbers[level] = ((low + high) / 2).quantize(Decimal("0.01"))
        lowest = min((r.min_value for r in bands.values() if r.min_value is not None), default=0)
        numbers[Rating.MISSING] = (Decimal(lowest) / 2).quantize(Decimal("0.01"))
    elif band_criteria:
        band = band_criteria[0]
        inside = ((band.min_value or 0) + (band.max_value or 100)) / 2
        for level in LEVELS:
            numbers[level] = Decimal(inside).quantize(Decimal("0.01"))
    suggestions = {
        level: str(services.suggested_rating_for(indicator, criteria[level], numbers[level]))
        for level in LEVELS
    }
    return IndicatorPlan(
        indicator,
        criteria,
        numbers,
        suggestions,
        [c.pk for c in indicator.evidence_categories.all()],
    )


class Command(BaseCommand):
    help = "Seed a synthetic data set the size of the whole system (benchmarks only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams", type=int, default=150)
        parser.add_argument("--years", type=int, default=8)
        parser.add_argument("--last-year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--reset", action="store_true", help="Delete the synthetic teams first."
        )
        parser.add_argument(
            "--password",
            default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD),
            help="Password of bench-iat and bench-reviewer (default: $BENCH_PASSWORD).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        teams, years = options["teams"], options["years"]
        if not 1 <= teams <= 1000 or not 1 <= years <= 30:
            raise CommandError("--teams must be 1 to 1000 and --years 1 to 30.")
        started = time.monotonic()
        existing = synthetic_teams().count()
        if existing and not options["reset"]:
            raise CommandError(
                f"{existing} synthetic teams are already there; "
                "run with --reset to delete them and seed again."
            )
        with transaction.atomic():
            if existing:
                deleted = self._delete()
                self.stdout.write(f"Deleted {deleted} synthetic teams and their assessments.")
            counts = self._seed(
                teams=teams,
                years=list(range(options["last_year"] - years + 1, options["last_year"] + 1)),
                rng=random.Random(options["seed"]),  # noqa: S311 -- reproducible data, not secrets
                password=options["password"],
            )
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as a database that grew over years has: right after a
            # bulk load autovacuum has not run yet, and the planner would scan whole tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"seconds: {elapsed:.1f}")

    # --- Deleting ---------------------------------------------------------------------------

    def _delete(self) -> int:
        """Delete the synthetic teams with everything hanging from them, history included.

        Raw deletes, child tables first: Model.delete() would load every row into memory and
        write a "deleted" history record for each.
        """
        teams = synthetic_teams()
        assessments = Assessment.objects.filter(country_team__in=teams)
        rows = IndicatorAssessment.objects.filter(assessment__in=assessments)
        for queryset in (
            Evidence.history.filter(indicator_assessment__in=rows),
            ActionPoint.history.filter(assessment__in=assessments),
            IndicatorAssessment.history.filter(assessment__in=assessments),
            Assessment.history.filter(country_team__in=teams),
            Evidence.objects.filter(indicator_assessment__in=rows),
            Comment.objects.filter(indicator_assessment__in=rows, parent__isnull=False),
            Comment.objects.filter(indicator_assessment__in=rows),
            WorkflowEvent.indicators.through.objects.filter(
                workflowevent__assessment__in=assessments
            ),
            WorkflowEvent.objects.filter(assessment__in=assessments),
            ReopenRequest.objects.filter(assessment__in=assessments),
            ActionPoint.objects.filter(assessment__in=assessments),
            IATMember.objects.filter(assessment__in=assessments),
            rows,
            assessments,
        ):
            queryset._raw_delete(queryset.db)
        count = teams.count()
        teams.delete()  # memberships, and anything of other apps, through the ORM's cascade
        return count

    # --- Seeding ----------------------------------------------------------------------------

    def _framework(self) -> Framework:
        import json  # noqa: PLC0415

        fixtures = settings.BASE_DIR / "fixtures"
        core_services.load_reference_data(
            document=json.loads((fixtures / "reference.json").read_text(encoding="utf-8"))
        )
        framework = selectors.current_framework()
        if framework is None:
            framework = services.import_framework(
                document=json.loads((fixtures / "framework_2018.json").read_text(encoding="utf-8"))
            )
        return framework

    def _user(self, username: str, full_name: str, password: str) -> User:
        user, _created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        user.first_name, _sep, user.last_name = full_name.partition(" ")
        user.set_password(password)
        user.save()
        return user

    def _seed(
        self, *, teams: int, years: list[int], rng: random.Random, password: str
    ) -> dict[str, int]:
        framework = self._framework()
        regions = list(Region.objects.order_by("code"))
        entities = list(UNEntity.objects.order_by("acronym").values_list("pk", "acronym"))
        plans = [
            _plan(i)
            for i in framework.indicators.prefetch_related(
                "criteria", "rules", "evidence_categories"
            ).order_by("order")
        ]
        iat = self._user(BENCH_IAT, "Bench IAT-member", password)
        reviewer = self._user(BENCH_REVIEWER, "Bench Reviewer", password)
        scope, _created = ReviewerScope.objects.get_or_create(user=reviewer)
        scope.regions.set(regions)

        taken = set(CountryTeam.objects.values_list("code", flat=True))
        codes = synthetic_codes(taken)
        new_teams = CountryTeam.objects.bulk_create(
            CountryTeam(
                code=(code := next(codes)),
                name=f"{NAME_PREFIX}{code}",
                region=regions[n % len(regions)],
                cf_name=f"UNSDCF {years[0]}-{years[-1]}",
                cf_start_year=years[0],
                cf_end_year=years[-1],
            )
            for n in range(teams)
        )
        Membership.objects.bulk_create(
            Membership(user=iat, country_team=team, role=Membership.Role.IAT_MEMBER)
            for team in new_teams
        )

        # Assessments: a comprehensive one, then annual ones; earlier years approved.
        last_statuses = [s for s, _w in LAST_YEAR_STATUSES]
        last_weights = [w for _s, w in LAST_YEAR_STATUSES]
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    country_team=team,
                    year=year,
                    kind=Assessment.Kind.COMPREHENSIVE if i == 0 else Assessment.Kind.ANNUAL,
                    framework=framework,
                    status=rng.choices(last_statuses, last_weights)[0]
                    if year == years[-1]
                    else Status.APPROVED,
                    process_description=(
                        "The Inter-Agency Assessment Team met four times to review the evidence "
                        f"for {year} and agreed the ratings with the UNCT."
                    ),
                    participation="UN Women and UNDP coordinated; 9 entities took part.",
                )
                for team in new_teams
                for i, year in enumerate(years)
            ],
            batch_size=BATCH,
        )
        rows, history = self._ratings(assessments, plans, rng, iat, len(years))
        evidence = self._evidence(rows, plans, rng, iat, entities)
        points = self._action_points(assessments, plans, rng, entities)
        members = IATMember.objects.bulk_create(
            (
                IATMember(
                    assessment=a,
                    name=f"IAT member {k + 1}",
                    title="Gender focal point",
                    entity_id=rng.choice(entities)[0],
                    is_coordinator=k == 0,
                    order=k,
                )
                for a in assessments
                for k in range(4)
            ),
            batch_size=BATCH,
        )
        events = WorkflowEvent.objects.bulk_create(
            (
                WorkflowEvent(
                    assessment=a,
                    action=action,
                    from_status=source,
                    to_status=(
                        PATHS[a.status][k + 1][1] if k + 1 < len(PATHS[a.status]) else a.status
                    ),
                    actor=reviewer
                    if action in {"start_review", "approve", "return_for_revision"}
                    else iat,
                    actor_name="Bench Reviewer"
                    if action in {"start_review", "approve", "return_for_revision"}
                    else "Bench IAT-member",
                    at=_at(a.year, 9 + k),
                    comment="Please strengthen the evidence for PI 2.2."
                    if action == "return_for_revision"
                    else "",
                )
                for a in assessments
                for k, (action, source) in enumerate(PATHS[a.status])
            ),
            batch_size=BATCH,
        )
        return {
            "teams": len(new_teams),
            "assessments": len(assessments),
            "pi_ratings": len(rows),
            "pi_rating_history": history,
            "evidence": evidence,
            "action_points": points,
            "iat_members": len(members),
            "workflow_events": len(events),
            "memberships": len(new_teams),
        }

    def _ratings(
        self,
        assessments: list[Assessment],
        plans: list[IndicatorPlan],
        rng: random.Random,
        iat: User,
        years: int,
    ) -> tuple[list[IndicatorAssessment], int]:
        """All PI rows, by a random walk per team and PI, with their history records."""
        rows: list[IndicatorAssessment] = []
        rank: dict[int, int] = {}  # PI index → current level rank, for the team being seeded
        assessed_in: dict[int, int] = {}  # PI index → the year it was last assessed
        for index, assessment in enumerate(assessments):
            if index % years == 0:
                rank, assessed_in = {}, {}
            comprehensive = assessment.kind == Assessment.Kind.COMPREHENSIVE
            reassessed = (
                set(range(len(plans)))
                if comprehensive
                else set(rng.sample(range(len(plans)), rng.randint(5, 8)))
            )
            for p, plan in enumerate(plans):
                if p not in rank:
                    rank[p] = rng.choices(range(4), START_WEIGHTS)[0]
                elif p in reassessed:
                    rank[p] = min(3, max(0, rank[p] + rng.choice(STEPS)))
                level = LEVELS[rank[p]]
                criteria = plan.criteria[level]
                number = plan.numbers[level]
                suggestion = plan.suggestions[level]
                fresh = p in reassessed
                row = IndicatorAssessment(
                    assessment=assessment,
                    indicator=plan.indicator,
                    rating=level,
                    suggested_rating=suggestion,
                    criteria_met=criteria,
                    numeric_value=number,
                    findings={
                        code: f"Finding for ({code}) in {assessment.year}." for code in criteria
                    },
                    explanation=(
                        f"In {assessment.year} the UNCT "
                        f"{'strengthened' if rank[p] > 1 else 'started'} "
                        f"its work on PI {plan.indicator.code}: evidence was reviewed by the IAT "
                        "against each criterion, with the Gender Theme Group."
                    ),
                    override_justification=(
                        "" if suggestion == level else "Rated by the IAT on the full evidence."
                    ),
                    means_of_verification="Joint work plans; UNCT meeting minutes; GTG reports.",
                    reassessed=fresh,
                    carried_from_year=None if fresh else assessed_in.get(p),
                    version=2 if fresh else 1,
                    updated_by=iat,
                )
                if fresh:
                    assessed_in[p] = assessment.year
                row._history_date = _at(assessment.year, 3 if fresh else 2)  # type: ignore[attr-defined]
                rows.append(row)
        IndicatorAssessment.objects.bulk_create(rows, batch_size=BATCH)
        History = IndicatorAssessment.history.model  # noqa: N806
        tracked = [f.attname for f in History.tracked_fields]
        records = []
        for row in rows:
            values = {name: getattr(row, name) for name in tracked}
            if row.reassessed:
                # Created blank in February, rated in March (scorecard.services' two writes).
                blank = dict(
                    values,
                    rating="",
                    criteria_met=[],
                    findings={},
                    explanation="",
                    override_justification="",
                    numeric_value=None,
                    version=1,
                )
                records.append(
                    History(
                        **blank,
                        history_type="+",
                        history_user=row.updated_by,
                        history_date=_at(row.assessment.year, 2),
                    )
                )
                records.append(
                    History(
                        **values,
                        history_type="~",
                        history_user=row.updated_by,
                        history_date=_at(row.assessment.year, 3),
                    )
                )
            else:
                records.append(
                    History(
                        **values,
                        history_type="+",
                        history_user=row.updated_by,
                        history_date=_at(row.assessment.year, 2),
                    )
                )
        History.objects.bulk_create(records, batch_size=BATCH)
        return rows, len(records)

    def _evidence(
        self,
        rows: list[IndicatorAssessment],
        plans: list[IndicatorPlan],
        rng: random.Random,
        iat: User,
        entities: list[tuple[int, str]],
    ) -> int:
        categories = {plan.indicator.pk: plan.categories for plan in plans}
        evidence = []
        for row in rows:
            if not row.reassessed:
                continue
            year, code = row.assessment.year, row.indicator.code
            team = row.assessment.country_team.code
            for k in range(rng.randint(2, 4)):
                entity_pk, acronym = rng.choice(entities)
                own = categories[row.indicator_id]
                evidence.append(
                    Evidence(
                        indicator_assessment=row,
                        category_id=rng.choice(own) if own else None,
                        title=f"{acronym} report on PI {code}, {year} ({k + 1})",
                        url=f"https://example.org/{team}/{year}/{code}/{k + 1}",
                        entity_id=entity_pk,
                        uploaded_by=iat,
                        uploaded_by_name="Bench IAT-member",
                        uploaded_at=_at(year, 3, 1 + k),
                        order=k,
                    )
                )
        Evidence.objects.bulk_create(evidence, batch_size=BATCH)
        return len(evidence)

    def _action_points(
        self,
        assessments: list[Assessment],
        plans: list[IndicatorPlan],
        rng: random.Random,
        entities: list[tuple[int, str]],
    ) -> int:
        statuses = [s for s, _w in ACTION_STATUS_WEIGHTS]
        weights = [w for _s, w in ACTION_STATUS_WEIGHTS]
        points = []
        for assessment in assessments:
            for k in range(rng.randint(13, 17)):
                plan = rng.choice(plans)
                status = rng.choices(statuses, weights)[0]
                started = status in {ActionPoint.Status.IN_PROGRESS, ActionPoint.Status.COMPLETED}
                points.append(
                    ActionPoint(
                        assessment=assessment,
                        indicator=plan.indicator,
                        text=rng.choice(ACTIONS).format(topic=rng.choice(TOPICS)),
                        responsible_entity_id=rng.choice(entities)[0],
                        responsible=rng.choice(RESPONSIBLE),
                        timeline=date(assessment.year, rng.randint(3, 12), 28),
                        resources="Staff time; USD 10,000 from the joint programme.",
                        status=status,
                        activities_year_1="Terms of reference agreed; first meeting held."
                        if started
                        else "",
                        activities_year_2="Training delivered to 25 focal points."
                        if status == ActionPoint.Status.COMPLETED
                        else "",
                        order=k,
                    )
                )
        ActionPoint.objects.bulk_create(points, batch_size=BATCH)
        return len(points)
