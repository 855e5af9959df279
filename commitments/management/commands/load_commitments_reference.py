"""Load or refresh the six Action Coalitions and the WPS-HA Compact areas (safe to re-run)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from commitments import services

DEFAULT = settings.BASE_DIR / "fixtures" / "commitments" / "reference.json"


class Command(BaseCommand):
    help = "Load the Generation Equality Action Coalitions and WPS-HA Compact areas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT))

    def handle(self, *args: object, file: str, **options: object) -> None:
        document = json.loads(Path(file).read_text(encoding="utf-8"))
        coalitions, areas = services.load_reference_data(document=document)
        self.stdout.write(f"{coalitions} Action Coalitions, {areas} Compact areas loaded.")
