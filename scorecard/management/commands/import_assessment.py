import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scorecard import services


class Command(BaseCommand):
    help = "Import one assessment from its JSON document; nothing is written unless all is valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="Replace the team's assessment for that year."
        )

    def handle(self, *args: object, file: Path, replace: bool, **options: object) -> None:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
            assessment = services.import_assessment(document=document, replace=replace)
        except (OSError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        except services.DocumentError as error:
            raise CommandError(
                "\n".join([f"{file} cannot be imported:", *error.messages])
            ) from error
        self.stdout.write(f"Imported {assessment}.")
