import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scorecard import services
from scorecard.models import Framework


class Command(BaseCommand):
    help = "Create or update a framework version from its JSON document (docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--not-current", action="store_true", help="Do not make it the current framework."
        )
        parser.add_argument(
            "--if-absent",
            action="store_true",
            help="Do nothing when this version is already imported (a deployment's start-up: "
            "a framework edited, or replaced as the current one, since then stays as it is).",
        )

    def handle(
        self, *args: object, file: Path, not_current: bool, if_absent: bool, **options: object
    ) -> None:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
            version = document.get("version") if isinstance(document, dict) else None
            if if_absent and Framework.objects.filter(version=version).exists():
                self.stdout.write(f"Framework {version} already imported: kept as it is.")
                return
            framework = services.import_framework(document=document, make_current=not not_current)
        except (OSError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        except services.DocumentError as error:
            raise CommandError(
                "\n".join([f"{file} cannot be imported:", *error.messages])
            ) from error
        count = framework.indicators.count()
        self.stdout.write(f"Framework {framework.version} imported: {count} PIs.")
