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

The cached request runs in a transaction that is rolled back, with files in a temporary folder
(on local disk, also when AWS_STORAGE_BUCKET_NAME is set): the database, MEDIA_ROOT and the bucket
are left as they were. `--profile` prints where WeasyPrint spends its
time (cProfile, cumulative) on stderr.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import statistics
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from core import languages, pdf
from reports import document, services, worker
from reports.models import ReportJob
from scorecard.models import Assessment

FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"


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

    def handle(
        self,
        *args: object,
        code: str,
        year: int,
        runs: int,
        profile: bool,
        language: str,
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

    def _profile(self, html: str) -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        pdf.html_to_pdf(html)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        self.stderr.write(out.getvalue())
