"""E-mail the editors of every commitment maker whose progress report for YEAR is missing; each
maker is reminded once per year (a Celery beat schedule can call this, or the task in tasks.py)."""

from django.core.management.base import BaseCommand, CommandParser

from commitments import services


class Command(BaseCommand):
    help = "Remind commitment makers whose progress report for YEAR is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args: object, year: int, **options: object) -> None:
        result = services.send_missing_report_reminders(year=year)
        self.stdout.write(
            f"{year}: {len(result.sent)} makers reminded ({result.emails} e-mails), "
            f"{len(result.already_reminded)} reminded earlier, "
            f"{len(result.no_editor)} without an editor to write to."
        )
        for maker in result.no_editor:
            self.stdout.write(f"  no editor with an e-mail address: {maker.name}")
