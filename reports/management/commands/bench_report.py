"""`make bench`: the PDF report's figures, measured in this process on the demo report.

One figure per line, `name: value unit`:

    pages, bytes              the demo report (KAZ 2022 in English unless told otherwise:
                              --code, --year, --language)
    render_median             the whole pipeline (queries, context, template, WeasyPrint), median
                              of --runs runs after one warm-up run, wall clock (interleaved
                              with the WeasyPrint-only runs)
    render_cpu_median         the same in CPU time (steadier on a shared machine)
    weasyprint_only_median    WeasyPrint alone on the final HTML (render + write_pdf)
    overhead_ratio            render_median / weasyprint_only_median
    queries                   the queries the report's input costs
    peak_memory               the process's peak resident memory (ru_maxrss)
    cached_request            a request for unchanged data: served from the stored file

Then the worst case (unless --no-worst-case): the same assessment with every free text at its
limit (core/limits.py: each PI's findings per criterion, explanation, justification and means of
verification, the process section, the IAT's names, evidence titles, and --action-points action
points per PI with every cell full), rendered as the report task renders it (worker.run_job):

    report_worst_case_characters   the free text the report input carries
    report_worst_case_input_seconds  reading that input (done in the web request)
    report_worst_case_seconds      the task's body: claim, render, store, finish (wall clock)
    report_worst_case_pages, report_worst_case_bytes
    report_worst_case_peak_rss     the process's peak resident memory after it (ru_maxrss)
    report_worst_case_time_limit   the report task's soft time limit (reports/tasks.py)
    report_worst_case_headroom     the time limit over report_worst_case_seconds
    docx_worst_case_seconds        the same input as a Word document (reports/docx.py), made in
                                   the web request: the Report card's "Word (.docx)"

The worst case exceeding the time limit is an error: lower the limits in core/limits.py.

The cached request and the worst case run in a transaction that is rolled back, with files in a
temporary folder (on local disk, also when AWS_STORAGE_BUCKET_NAME is set): the database,
MEDIA_ROOT and the bucket are left as they were. `--profile` prints where WeasyPrint spends its
time (cProfile, cumulative) on stderr.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import resource
import statistics
import tempfile
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from core import languages, limits, pdf
from core.models import UNEntity
from reports import document, docx, services, worker
from reports.models import ReportJob
from scorecard.models import (
    FINDING_MAX_LENGTH,
    ActionPoint,
    Assessment,
    Evidence,
    IATMember,
    Indicator,
    IndicatorAssessment,
)

FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
RENDER_TASK = "reports.tasks.render_report"
# Words as a country team writes them, in the six languages: the report's fonts and shaping are
# part of the cost (Latin, Cyrillic, Arabic, CJK).
SENTENCES = (
    "The UNCT strengthened gender mainstreaming in the Cooperation Framework through joint "
    "programmes, sex-disaggregated data and the Gender Theme Group's annual work plan. "
    "L'équipe de pays a renforcé la coordination interinstitutions et le suivi des résultats. "
    "El equipo de país apoyó la participación de organizaciones de mujeres y la igualdad. "
    "Страновая группа ООН укрепила координацию и сбор данных в разбивке по полу. "
    "عزز الفريق القطري تعميم مراعاة المنظور الجنساني في إطار التعاون "
    "联合国国家工作队加强了性别平等主流化 和按性别分列的数据",
)
WORDS = [word for sentence in SENTENCES for word in sentence.split()]


def prose(length: int, seed: int) -> str:
    """Exactly `length` characters of sentences in paragraphs, ending with a full stop."""
    pick = random.Random(seed).choice  # noqa: S311 -- sample text, not a secret
    parts: list[str] = []
    size = paragraph = 0
    while size < length:
        word = pick(WORDS)
        paragraph += len(word) + 1
        if paragraph > 700:  # a paragraph of about 700 characters, as people write them
            word, paragraph = word.rstrip(".") + ".\n\n", 0
        parts.append(word)
        size += len(word) + 1
    return " ".join(parts)[: length - 1].rstrip().ljust(length - 1, "x") + "."


def _limit(model: type[Any], name: str) -> int:
    return limits.field_limit(model, name)


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure the PDF report: pages, bytes, render time, WeasyPrint time, queries, memory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", default="KAZ")
        parser.add_argument("--year", type=int, default=2022)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--language", choices=languages.codes(), default=settings.LANGUAGE_CODE)
        parser.add_argument("--profile", action="store_true")
        parser.add_argument(
            "--no-worst-case",
            dest="worst_case",
            action="store_false",
            help="Skip the worst case (every free text at its limit).",
        )
        parser.add_argument(
            "--action-points",
            type=int,
            default=3,
            help="Action points per PI in the worst case (their number has no limit).",
        )

    def handle(
        self,
        *args: object,
        code: str,
        year: int,
        runs: int,
        profile: bool,
        language: str,
        worst_case: bool,
        action_points: int,
        **options: object,
    ) -> None:
        assessment = (
            Assessment.objects.select_related("country_team__region", "framework")
            .filter(country_team__code=code.upper(), year=year)
            .first()
        )
        if assessment is None:
            raise CommandError(f"No assessment {code.upper()} {year}: run `manage.py setup_demo`.")

        with CaptureQueriesContext(connection) as captured:
            html, made = document.render_input(
                document.report_input(assessment, language=language)
            )  # warm-up
        queries = sum(1 for q in captured.captured_queries if not q["sql"].startswith("SAVEPOINT"))

        # Interleaved, so that whatever else the machine does weighs on both figures alike.
        wall, cpu, alone = [], [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            html, made = document.render_input(document.report_input(assessment, language=language))
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            started = time.perf_counter()
            pdf.html_to_pdf(html)
            alone.append(time.perf_counter() - started)

        cached = self._cached_request(assessment, language)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        render, weasyprint_only = statistics.median(wall), statistics.median(alone)
        for line in [
            f"pages: {made.pages}",
            f"bytes: {len(made.content)} B",
            f"render_median: {render:.3f} s",
            f"render_cpu_median: {statistics.median(cpu):.3f} s",
            f"weasyprint_only_median: {weasyprint_only:.3f} s",
            f"overhead_ratio: {render / weasyprint_only:.3f}",
            f"queries: {queries}",
            f"peak_memory: {peak_mb:.0f} MB",
            f"cached_request: {cached * 1000:.1f} ms",
        ]:
            self.stdout.write(line)
        if profile:
            self._profile(html)
        if worst_case:
            self._worst_case(assessment, language, action_points)

    def _cached_request(self, assessment: Assessment, language: str) -> float:
        """Time of a request for data that already has its stored PDF."""
        # On local disk even when the files are in a bucket: the bench leaves the bucket alone.
        local = {**settings.STORAGES, "default": {"BACKEND": FILE_SYSTEM_STORAGE}}
        with (
            tempfile.TemporaryDirectory() as media,
            override_settings(MEDIA_ROOT=media, STORAGES=local),
        ):
            try:
                with transaction.atomic():
                    job = services.request_report(assessment=assessment, by=None, language=language)
                    worker.run_job(job.pk)
                    started = time.perf_counter()
                    again = services.request_report(
                        assessment=assessment, by=None, language=language
                    )
                    seconds = time.perf_counter() - started
                    if again.pk != job.pk or again.status != ReportJob.Status.DONE:
                        raise CommandError("The repeated request was not served from the file.")
                    raise Rollback
            except Rollback:
                pass
        return seconds

    def _worst_case(self, assessment: Assessment, language: str, per_pi: int) -> None:
        """Every free text at its limit, rendered by the report task's body (worker.run_job);
        the database and the files are left as they were."""
        from celery import current_app  # noqa: PLC0415 -- the tasks are registered by now

        task = current_app.tasks[RENDER_TASK]
        local = {**settings.STORAGES, "default": {"BACKEND": FILE_SYSTEM_STORAGE}}
        with (
            tempfile.TemporaryDirectory() as media,
            override_settings(MEDIA_ROOT=media, STORAGES=local),
        ):
            try:
                with transaction.atomic():
                    points = self._fill_to_the_limits(assessment, per_pi)
                    started = time.perf_counter()
                    job = services.request_report(assessment=assessment, by=None, language=language)
                    input_seconds = time.perf_counter() - started
                    characters = _free_text(job.report_input)
                    started = time.perf_counter()
                    outcome = worker.run_job(job.pk)
                    seconds = time.perf_counter() - started
                    job.refresh_from_db()
                    if outcome != "done" or job.status != ReportJob.Status.DONE:
                        raise CommandError(f"The worst case failed: {job.error or outcome}")
                    started = time.perf_counter()
                    docx.render_input_docx(job.report_input)
                    docx_seconds = time.perf_counter() - started
                    raise Rollback
            except Rollback:
                pass
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for line in [
            f"report_worst_case_characters: {characters}",
            f"report_worst_case_action_points: {points}",
            f"report_worst_case_input_seconds: {input_seconds:.1f} s",
            f"report_worst_case_seconds: {seconds:.1f} s",
            f"report_worst_case_pages: {job.pages} pages",
            f"report_worst_case_bytes: {job.size} B",
            f"report_worst_case_peak_rss: {peak_mb:.0f} MB",
            f"report_worst_case_time_limit: {task.soft_time_limit} s",
            f"report_worst_case_headroom: {task.soft_time_limit / seconds:.1f} x",
            f"docx_worst_case_seconds: {docx_seconds:.1f} s",
        ]:
            self.stdout.write(line)
        if seconds > task.soft_time_limit:
            raise CommandError(
                f"The worst case takes {seconds:.0f} s, more than the report task's time limit "
                f"({task.soft_time_limit} s): lower the limits in core/limits.py."
            )

    @staticmethod
    def _fill_to_the_limits(assessment: Assessment, per_pi: int) -> int:
        """Every free text the report prints at its field's limit; `per_pi` full action points
        under each PI instead of the plan's own. Returns the number of action points."""
        seed = iter(range(1_000_000))
        for name in ("process_description", "participation", "additional_comments"):
            setattr(assessment, name, prose(_limit(Assessment, name), next(seed)))
        assessment.save()
        for member in IATMember.objects.filter(assessment=assessment):
            member.name = prose(_limit(IATMember, "name"), next(seed))
            member.title = prose(_limit(IATMember, "title"), next(seed))
            member.save(update_fields=["name", "title"])
        rows = IndicatorAssessment.objects.filter(assessment=assessment).prefetch_related(
            "indicator__criteria"
        )
        for row in rows:
            for name in ("explanation", "override_justification", "means_of_verification"):
                setattr(row, name, prose(_limit(IndicatorAssessment, name), next(seed)))
            row.findings = {
                c.code: prose(FINDING_MAX_LENGTH, next(seed)) for c in row.indicator.criteria.all()
            }
            row.save()
        for evidence in Evidence.objects.filter(indicator_assessment__assessment=assessment):
            evidence.title = prose(_limit(Evidence, "title"), next(seed))
            evidence.save(update_fields=["title"])
        assessment.action_points.all().delete()
        texts = ("text", "resources", *(f"activities_year_{n}" for n in (1, 2, 3, 4)))
        # Who and when too: the annual report prints them under each action point.
        entity = UNEntity.objects.order_by("-acronym").first()
        points = [
            ActionPoint(
                assessment=assessment,
                indicator=indicator,
                responsible_entity=entity,
                responsible=prose(_limit(ActionPoint, "responsible"), next(seed)),
                timeline=date(assessment.year + 1, 12, 31),
                status=ActionPoint.Status.NOT_APPLICABLE,
                order=order,
                **{name: prose(_limit(ActionPoint, name), next(seed)) for name in texts},
            )
            for indicator in Indicator.objects.filter(framework_id=assessment.framework_id)
            for order in range(per_pi)
        ]
        ActionPoint.objects.bulk_create(points)
        return len(points)

    def _profile(self, html: str) -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        pdf.html_to_pdf(html)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        self.stderr.write(out.getvalue())


def _free_text(data: Any) -> int:
    """The characters of every text in the report input (the framework's and the assessment's)."""
    if isinstance(data, str):
        return len(data)
    if isinstance(data, dict):
        return sum(_free_text(v) for v in data.values())
    if isinstance(data, list):
        return sum(_free_text(v) for v in data)
    return 0
