from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scorecard import selectors, workbook
from scorecard.models import Assessment


class Command(BaseCommand):
    help = (
        "Write one assessment (country team ISO code and year) as its workbook (.xlsx), to fill "
        "in offline and upload back (import_workbook, or the assessment's page)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Country team ISO code, e.g. KAZ")
        parser.add_argument("year", type=int)
        parser.add_argument("--out", type=Path, required=True, help="The .xlsx file to write.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The workbook's language (labels and the framework's text).",
        )

    def handle(
        self, *args: object, code: str, year: int, out: Path, language: str, **options: object
    ) -> None:
        assessment = (
            Assessment.objects.select_related("country_team__region", "framework")
            .filter(country_team__code=code.upper(), year=year)
            .first()
        )
        if assessment is None:
            raise CommandError(f"No assessment for {code.upper()} {year}.")
        body = workbook.build_workbook(selectors.workbook_data(assessment), language=language)
        out.write_bytes(body)
        self.stdout.write(f"Wrote {out} ({len(body)} bytes, {language}).")
