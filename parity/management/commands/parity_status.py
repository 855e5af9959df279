"""python manage.py parity_status CODE YEAR [--json]: a team's parity figures for a year.

--json prints the structure of parity.selectors.status_document (decimals as strings, e.g.
"55.0"); without it, a table for the terminal.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import CountryTeam
from parity import selectors
from parity.figures import Level


class Command(BaseCommand):
    help = "Print a country team's parity status for a year (per grade, category and overall)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Country team ISO code, e.g. KAZ.")
        parser.add_argument("year", type=int)
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument(
            "--protect-small-cells",
            action="store_true",
            help="Hide levels of fewer than 5 people, as when figures leave the team.",
        )

    def handle(self, *args: object, **options: object) -> None:
        code = str(options["code"]).upper()
        year = int(options["year"])  # type: ignore[call-overload]
        team = CountryTeam.objects.filter(code=code).first()
        if team is None:
            raise CommandError(f"No country team {code}.")
        status = selectors.parity_status_for(
            team, year, protect_small_cells=bool(options["protect_small_cells"])
        )
        if status is None:
            raise CommandError(f"{code} has no staffing figures for {year}.")
        if options["json"]:
            document = selectors.status_document(status)
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"{team.name} {year}, as of {status.as_of}: {status.entities} entities. "
            f"Source: {status.source or '-'}"
        )
        self.stdout.write(f"{'level':<28}{'women':>7}{'men':>7}{'% women':>9}  status")
        for block in status.categories:
            for level in [block.summary, *block.grades]:
                self._line(level, indent="" if level.kind == "category" else "  ")
        self._line(status.overall_staff)
        if status.has_non_staff:
            self._line(status.overall_all)
        self.stdout.write(f"Headline: {status.headline.label}.")

    def _line(self, level: Level, indent: str = "") -> None:
        def show(value: object) -> str:
            return "-" if value is None else str(value)

        status = "small cell, not shown" if level.suppressed else str(level.status_label)
        self.stdout.write(
            f"{indent + str(level.label):<28}{show(level.women):>7}{show(level.men):>7}"
            f"{show(level.pct_women):>9}  {status}"
        )
