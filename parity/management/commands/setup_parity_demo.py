"""python manage.py setup_parity_demo: the parity demo data from fixtures/parity/.

- strategy-*.json: an entity's parity strategy recommendations with their yearly status, notes
  and future plans, and its workforce shares (seed 000: UN Women, 2020). Updated in place.
- *-staffing.json: a team's staffing snapshot (KAZ 2022: 12 entities, 55.0 % women with service
  contracts, as in seed 001; the split by grade is illustrative). Loaded once: a snapshot that is
  already there is kept as it is, so the demo never overwrites what a user entered.

Safe to run twice; a team that does not exist yet is skipped with a note.
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from core import services as core_services
from core.models import CountryTeam, UNEntity
from parity import services
from parity.models import StaffingSnapshot
from parity.selectors import TEMPLATE_HEADER

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "parity"


class Command(BaseCommand):
    help = "Load the parity demo data (strategy tracker for UN Women, KAZ 2022 staffing)."

    def handle(self, *args: object, **options: object) -> None:
        if not UNEntity.objects.exists():
            reference = json.loads((FIXTURES.parent / "reference.json").read_text("utf-8"))
            core_services.load_reference_data(document=reference)
        for path in sorted(FIXTURES.glob("strategy-*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if not UNEntity.objects.filter(acronym=document["entity"]).exists():
                self.stdout.write(f"Parity strategy {document['entity']}: no such entity, skipped.")
                continue
            recommendations, updates, shares = services.load_strategy_document(document=document)
            self.stdout.write(
                f"Parity strategy {document['entity']}: {recommendations} recommendations, "
                f"{updates} updates, {shares} workforce share(s)."
            )
        for path in sorted(FIXTURES.glob("*-staffing.json")):
            self._staffing(json.loads(path.read_text(encoding="utf-8")))

    @transaction.atomic
    def _staffing(self, document: dict) -> None:
        code, year = document["country_team"], document["year"]
        team = CountryTeam.objects.filter(code=code).first()
        if team is None:
            self.stdout.write(f"Parity staffing {code} {year}: no team {code} yet, skipped.")
            return
        if StaffingSnapshot.objects.filter(country_team=team, year=year).exists():
            self.stdout.write(f"Parity staffing {code} {year}: already there, kept as is.")
            return
        rows = [(1, TEMPLATE_HEADER)] + [
            (number, [row.get(column, 0) for column in TEMPLATE_HEADER])
            for number, row in enumerate(document["rows"], start=2)
        ]
        result = services.import_staffing_rows(
            country_team=team,
            year=year,
            rows=rows,
            as_of=date.fromisoformat(document["as_of"]),
            source=document.get("source", ""),
            include_non_staff=document.get("include_non_staff", True),
            by=None,
        )
        self.stdout.write(
            f"Parity staffing {code} {year}: {result.rows} rows for {result.entities} entities."
        )
