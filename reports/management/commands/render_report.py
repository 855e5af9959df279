"""Operators' CLI: `python manage.py render_report KAZ 2022 [--language ar] --out report.pdf`.

Renders the assessment's current report in this process (no job, no worker, nothing stored) and
writes it to a file; `--language` picks one of settings.LANGUAGES (the site's language when not
given); `--html` also writes the HTML WeasyPrint laid out. `--format docx` writes the report as a
Word document instead (reports/docx.py), from the same input.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import languages
from reports import document, docx
from scorecard.models import Assessment


def _language_code(value: str) -> str:
    """`zh-Hans`, `zh_hans` and `ZH-HANS` are all zh-hans."""
    return value.strip().lower().replace("_", "-")


class Command(BaseCommand):
    help = "Render one assessment's report (country team code and year) to a PDF or Word file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Country team ISO code, e.g. KAZ")
        parser.add_argument("year", type=int)
        parser.add_argument("--out", type=Path, required=True, help="The file to write.")
        parser.add_argument(
            "--format",
            dest="out_format",
            choices=["pdf", "docx"],
            default="pdf",
            help="PDF (default) or Word document (.docx).",
        )
        parser.add_argument(
            "--language",
            type=_language_code,
            choices=languages.codes(),
            default=settings.LANGUAGE_CODE,
            help="The report's language (default: %(default)s).",
        )
        parser.add_argument("--html", type=Path, help="PDF only: also write its HTML here.")

    def handle(
        self,
        *args: object,
        code: str,
        year: int,
        out: Path,
        html: Path | None,
        language: str,
        out_format: str = "pdf",
        **options: object,
    ) -> None:
        language = _language_code(language)
        if not languages.is_supported(language):  # call_command(language=…) skips argparse
            raise CommandError(
                f"Unknown language {language!r}: choose one of {', '.join(languages.codes())}."
            )
        assessment = (
            Assessment.objects.select_related("country_team__region", "framework")
            .filter(country_team__code=code.upper(), year=year)
            .first()
        )
        if assessment is None:
            raise CommandError(f"No assessment for {code.upper()} {year}.")
        if out_format == "docx":
            if html:
                raise CommandError("--html is for the PDF only.")
            self._docx(assessment, language, out)
            return
        started = time.perf_counter()
        data = document.report_input(assessment, language=language)
        text, made = document.render_input(data)
        seconds = time.perf_counter() - started
        out.write_bytes(made.content)
        if html:
            html.write_text(text, encoding="utf-8")
        self.stdout.write(
            f"{out}: {made.pages} pages, {len(made.content)} bytes, {seconds:.2f} s, "
            f"language {language}, content hash {document.content_hash(data)}"
        )

    def _docx(self, assessment: Assessment, language: str, out: Path) -> None:
        started = time.perf_counter()
        data = document.report_input(assessment, language=language)
        content = docx.render_input_docx(data)
        seconds = time.perf_counter() - started
        out.write_bytes(content)
        self.stdout.write(
            f"{out}: Word document, {len(content)} bytes, {seconds:.2f} s, language {language}, "
            f"content hash {document.content_hash(data)}"
        )
