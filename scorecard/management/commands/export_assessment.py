import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scorecard import selectors
from scorecard.models import Assessment


class Command(BaseCommand):
    help = "Print one assessment (country team ISO code and year) as its JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Country team ISO code, e.g. KAZ")
        parser.add_argument("year", type=int)
        parser.add_argument("--out", type=Path, help="Write to this file instead of stdout.")

    def handle(
        self, *args: object, code: str, year: int, out: Path | None, **options: object
    ) -> None:
        assessment = (
            Assessment.objects.select_related("country_team__region", "framework")
            .filter(country_team__code=code.upper(), year=year)
            .first()
        )
        if assessment is None:
            raise CommandError(f"No assessment for {code.upper()} {year}.")
        text = json.dumps(selectors.assessment_document(assessment), indent=2, ensure_ascii=False)
        if out:
            out.write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
