"""The Generation Equality reference data, demo makers and commitments, and the demo user
`kaz-gov-editor` (editor of the Government of Kazakhstan). Safe to run again: it adds what is
missing and never duplicates. Run after setup_demo, which loads the country teams and the KAZ 2022
assessment the Kazakhstan commitments are linked to; without them the links are skipped."""

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from commitments import services
from commitments.models import (
    ActionCoalition,
    Commitment,
    CommitmentMaker,
    CompactArea,
    MakerMembership,
    ProgressReport,
)
from core.models import CountryTeam
from scorecard.management.commands.setup_demo import demo_password
from scorecard.models import IndicatorAssessment

FIXTURES = settings.BASE_DIR / "fixtures" / "commitments"
DEMO_EDITOR = ("kaz-gov-editor", "Generation Equality", "focal point (Kazakhstan)")
DEMO_EDITOR_MAKER = "Government of Kazakhstan"


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


class Command(BaseCommand):
    help = "Load the Generation Equality reference data, demo commitments and the demo editor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-users", action="store_true", help="Skip the demo user.")

    def _load(self, name: str) -> dict[str, Any]:
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    @transaction.atomic
    def handle(self, *args: object, no_users: bool, **options: object) -> None:
        coalitions, areas = services.load_reference_data(document=self._load("reference.json"))
        self.stdout.write(
            f"Generation Equality: {coalitions} Action Coalitions, {areas} Compact areas."
        )
        created = 0
        for maker_doc in self._load("demo.json")["makers"]:
            maker = self._maker(maker_doc)
            for doc in maker_doc["commitments"]:
                created += self._commitment(maker, doc)
        self.stdout.write(
            f"Demo commitments: {created} added, {Commitment.objects.count()} in all."
        )
        if not no_users:
            self._user()

    def _maker(self, doc: dict[str, Any]) -> CommitmentMaker:
        maker = CommitmentMaker.objects.filter(name__iexact=doc["name"]).first()
        team = CountryTeam.objects.filter(code=doc.get("country_team") or "").first()
        if maker is None:
            # Demoland (XDL) is a country only where its demo country team exists.
            country = doc.get("country", "")
            if (
                country
                and services.resolve_country(country, {team.code: team.name} if team else {})
                is None
            ):
                country = ""
            maker = services.create_maker(
                name=doc["name"],
                category=doc["category"],
                country_code=country,
                leads=list(ActionCoalition.objects.filter(code__in=doc.get("leads", []))),
                country_team=team,
            )
        elif team is not None and maker.country_team_id is None:
            maker.country_team = team
            maker.save(update_fields=["country_team"])
        return maker

    def _link(self, doc: dict[str, Any]) -> dict[str, Any]:
        link = doc.get("link") or {}
        team = CountryTeam.objects.filter(code=link.get("country_team", "")).first()
        if team is None:
            return {}
        row = None
        if link.get("year") and link.get("pi"):
            row = (
                IndicatorAssessment.objects.select_related("assessment")
                .filter(
                    assessment__country_team=team,
                    assessment__year=link["year"],
                    indicator__code=link["pi"],
                )
                .first()
            )
        return {"country_team": team, "indicator_assessment": row}

    def _commitment(self, maker: CommitmentMaker, doc: dict[str, Any]) -> int:
        commitment = Commitment.objects.filter(maker=maker, title=doc["title"]).first()
        added = 0
        if commitment is None:
            data = services.CommitmentInput(
                title=doc["title"],
                description=doc.get("description", ""),
                coalitions=list(ActionCoalition.objects.filter(code__in=doc["coalitions"])),
                compact_areas=list(CompactArea.objects.filter(letter__in=doc["compact_areas"])),
                types=doc["types"],
                start_year=doc["start_year"],
                end_year=doc["end_year"],
                amount=_decimal(doc.get("amount")),
                currency=doc.get("currency", ""),
                geography=doc.get("geography", ""),
                status=doc["status"],
                **doc.get("criteria", {}),
                **self._link(doc),
            )
            commitment = services.create_commitment(maker=maker, data=data, by=None)
            added = 1
        for report in doc.get("progress_reports", []):
            if ProgressReport.objects.filter(commitment=commitment, year=report["year"]).exists():
                continue
            services.file_progress_report(
                commitment=commitment,
                data=services.ProgressInput(
                    year=report["year"],
                    progress_status=report["progress_status"],
                    narrative=report.get("narrative", ""),
                    amount_disbursed=_decimal(report.get("amount_disbursed")),
                    currency=report.get("currency", ""),
                ),
                by=None,
            )
        return added

    def _user(self) -> None:
        username, first_name, last_name = DEMO_EDITOR
        password = demo_password()
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.email = f"{username}@example.org"
        user.set_password(password)
        user.save()
        maker = CommitmentMaker.objects.get(name=DEMO_EDITOR_MAKER)
        services.set_maker_membership(user=user, maker=maker, role=MakerMembership.Role.EDITOR)
        self.stdout.write(f"\nDemo commitment editor (password: {password})")
        self.stdout.write(f"  {username:<16} editor, {maker.name}")
