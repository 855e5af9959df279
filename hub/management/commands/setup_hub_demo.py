"""The Knowledge Hub's demo items (hub/demo.py), run by setup_demo after the demo teams and
users exist. Safe to run again: an item already there (same team and title) is kept as is."""

from django.core.management.base import BaseCommand, CommandParser

from hub import demo
from scorecard.management.commands.setup_demo import demo_password


class Command(BaseCommand):
    help = "Publish the Knowledge Hub's demo good practices and fill its queues."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-users", action="store_true", help="Skip: the demo items need the demo users."
        )

    def handle(self, *args: object, no_users: bool, **options: object) -> None:
        if no_users:
            self.stdout.write("Knowledge Hub demo: skipped (no demo users).")
            return
        added, kept = demo.load(password=demo_password())
        self.stdout.write(f"Knowledge Hub demo: {added} items added, {kept} already there.")
        username, full_name, code = demo.XDL_COORDINATOR
        self.stdout.write(f"  {username:<20} IAT coordinator, {code} ({full_name})")
