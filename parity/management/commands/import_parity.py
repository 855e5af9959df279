"""python manage.py import_parity CODE YEAR FILE: a team's staffing table from .xlsx or .csv.

Every row is checked first; with any problem, all of them are printed and nothing is written.
A clean file replaces the team's figures for the year in one transaction.
"""

from datetime import date
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import CountryTeam
from parity import selectors, services


class Command(BaseCommand):
    help = "Import a country team's staffing by entity, grade and sex (.xlsx or .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Country team ISO code, e.g. KAZ.")
        parser.add_argument("year", type=int)
        parser.add_argument("file", type=Path, help="A .xlsx or .csv file.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="Date the figures are as of (YYYY-MM-DD); default 31 December of YEAR.",
        )
        parser.add_argument("--source", help="Where the figures come from; default the file name.")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument(
            "--include-non-staff",
            dest="include_non_staff",
            action="store_true",
            default=None,
            help="Count service contracts, UNV and other non-staff in the headline share.",
        )
        choice.add_argument(
            "--exclude-non-staff",
            dest="include_non_staff",
            action="store_false",
            help="Headline share of women for staff only.",
        )

    def handle(self, *args: object, **options: object) -> None:
        code = str(options["code"]).upper()
        year = int(options["year"])  # type: ignore[call-overload]
        path: Path = options["file"]  # type: ignore[assignment]
        team = CountryTeam.objects.filter(code=code).first()
        if team is None:
            raise CommandError(f"No country team {code}.")
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        with path.open("rb") as handle:
            try:
                result = services.import_staffing(
                    country_team=team,
                    year=year,
                    file=File(handle, name=path.name),
                    as_of=options["as_of"] or date(year, 12, 31),  # type: ignore[arg-type]
                    source=str(options["source"] or f"File {path.name}"),
                    include_non_staff=options["include_non_staff"],  # type: ignore[arg-type]
                    by=None,
                )
            except services.StaffingImportError as error:
                for message in error.messages:
                    self.stderr.write(message)
                raise CommandError(
                    f"{len(error.messages)} problem(s) in {path.name}; nothing was imported."
                ) from error
        headline = selectors.parity_status(result.snapshot).headline
        self.stdout.write(
            f"{code} {year}: imported {result.rows} rows for {result.entities} entities. "
            f"Women {headline.pct_women} % ({headline.status_label})."
        )
