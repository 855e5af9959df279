import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scorecard import selectors
from scorecard.models import Framework


class Command(BaseCommand):
    help = "Print a framework version as its JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version")

    def handle(self, *args: object, version: str, **options: object) -> None:
        framework = Framework.objects.filter(version=version).first()
        if framework is None:
            raise CommandError(f"No framework version {version!r}.")
        document = selectors.framework_document(framework)
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
