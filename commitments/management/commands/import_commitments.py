"""Import commitments from an .xlsx or .csv file laid out like the template (see
docs/commitments.md). Every row is checked first; nothing is written unless all are valid."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commitments import services


class Command(BaseCommand):
    help = "Import Generation Equality commitments from an .xlsx or .csv file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: object, file: str, **options: object) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            result = services.import_commitments(
                file_name=path.name, content=path.read_bytes(), by=None
            )
        except services.ImportFileError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{len(error.messages)} problem(s) found; nothing was imported."
            ) from error
        self.stdout.write(
            f"Imported {len(result.commitments)} commitments "
            f"({len(result.makers_created)} new makers)."
        )
