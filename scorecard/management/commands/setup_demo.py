"""Everything `make run` needs in the database: reference data, the 2018 framework, the demo
assessments and one demo user per role. Safe to run again: it updates, never duplicates."""

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from core import services as core_services
from core.models import CountryTeam, Membership, Region, ReviewerScope, UNEntity
from scorecard import services
from scorecard.models import Assessment

FIXTURES = settings.BASE_DIR / "fixtures"
Role = Membership.Role

# username, full name, team code, role, entity
DEMO_USERS = [
    ("kaz-iat", "Gaukhar Nursha", "KAZ", Role.IAT_MEMBER, "UNDP"),
    ("kaz-coordinator", "Dina Amrisheva", "KAZ", Role.IAT_COORDINATOR, "UN Women"),
    ("kaz-rc", "Kazakhstan Resident Coordinator", "KAZ", Role.RESIDENT_COORDINATOR, "RCO"),
    ("kaz-viewer", "Kazakhstan UNCT viewer", "KAZ", Role.VIEWER, None),
    ("other-iat", "Demoland IAT member", "XDL", Role.IAT_MEMBER, "UNICEF"),
]


# username, full name, region reviewed
DEMO_REVIEWERS = [
    ("unw-reviewer", "UN Women reviewer (ECA)", "europe-central-asia"),
    ("unw-reviewer-africa", "UN Women reviewer (Africa)", "africa"),
]


def demo_password() -> str:
    """DEMO_PASSWORD when set; else one generated on first run and kept in .demo-password."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    path: Path = settings.BASE_DIR / ".demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class Command(BaseCommand):
    help = "Load the framework, reference and demo data, and create the demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-users", action="store_true", help="Skip the demo users.")

    def _load(self, name: str) -> dict:
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    @transaction.atomic
    def handle(self, *args: object, no_users: bool, **options: object) -> None:
        regions, entities = core_services.load_reference_data(document=self._load("reference.json"))
        self.stdout.write(f"Reference data: {regions} regions, {entities} UN entities.")
        framework = services.import_framework(document=self._load("framework_2018.json"))
        self.stdout.write(f"Framework {framework.version}: {framework.indicators.count()} PIs.")
        for path in sorted((FIXTURES / "demo").glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            code, year = document["country_team"]["code"], document["year"]
            if Assessment.objects.filter(country_team__code=code, year=year).exists():
                self.stdout.write(f"Demo assessment {code} {year}: already there, kept as is.")
                continue
            services.import_assessment(document=document)
            self.stdout.write(f"Demo assessment {code} {year}: loaded.")
        if not no_users:
            self._users()
        # The other apps' demo data builds on the teams and users above.
        call_command("setup_commitments_demo", no_users=no_users, stdout=self.stdout)
        call_command("setup_parity_demo", stdout=self.stdout)
        call_command("setup_hub_demo", no_users=no_users, stdout=self.stdout)

    def _users(self) -> None:
        password = demo_password()
        admin, _created = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@localhost"}
        )
        admin.is_staff = admin.is_superuser = True
        admin.first_name, admin.last_name = "Platform", "Administrator"
        admin.set_password(password)
        admin.save()
        lines = [("admin", "administrator (all country teams)")]
        for username, full_name, team_code, role, entity in DEMO_USERS:
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, _sep, user.last_name = full_name.partition(" ")
            user.email = f"{username}@example.org"
            user.set_password(password)
            user.save()
            team = CountryTeam.objects.get(code=team_code)
            core_services.set_membership(
                user=user,
                country_team=team,
                role=role,
                entity=UNEntity.objects.filter(acronym=entity).first() if entity else None,
            )
            lines.append((username, f"{Role(role).label}, {team.name}"))
        for username, full_name, region_code in DEMO_REVIEWERS:
            user, _created = User.objects.get_or_create(username=username)
            user.first_name, _sep, user.last_name = full_name.partition(" ")
            user.email = f"{username}@example.org"
            user.set_password(password)
            user.save()
            scope, _created = ReviewerScope.objects.get_or_create(user=user)
            region = Region.objects.get(code=region_code)
            scope.regions.set([region])
            lines.append((username, f"UN Women reviewer, {region.name}"))
        self.stdout.write(f"\nDemo users (password for all: {password})")
        for username, what in lines:
            self.stdout.write(f"  {username:<20} {what}")
