"""Compile the translation catalogs (locale/*/LC_MESSAGES/django.po → .mo) with Babel.

Django's compilemessages needs GNU gettext's msgfmt, which a fresh machine with only Python does
not have; `make install` and the Docker image run this instead. A catalog with a translation that
changes a placeholder (%(name)s, {name}) is refused, so a broken message never reaches a page.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.catalogs import catalog_problems


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (no system gettext needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing when all is well.")

    def handle(self, *args: object, quiet: bool = False, **options: object) -> None:
        sources = sorted(
            po for root in settings.LOCALE_PATHS for po in Path(root).glob("*/LC_MESSAGES/*.po")
        )
        problems = [p for po in sources for p in catalog_problems(po, complete=False)]
        if problems:
            raise CommandError("\n".join(problems))
        for po in sources:
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
        if not quiet:
            self.stdout.write(f"Compiled {len(sources)} catalog(s).")
