"""Load or refresh the regions and UN entities (fixtures/reference.json); safe to re-run.

Production's start-up runs it (docker-compose.yml, `setup`); `setup_demo` loads the same file.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import services

DEFAULT = settings.BASE_DIR / "fixtures" / "reference.json"


class Command(BaseCommand):
    help = "Load the regions and UN entities (default: fixtures/reference.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT))

    def handle(self, *args: object, file: str, **options: object) -> None:
        try:
            document = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        regions, entities = services.load_reference_data(document=document)
        self.stdout.write(f"{regions} regions, {entities} UN entities loaded.")
