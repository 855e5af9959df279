"""What the load run reads and saves, from the synthetic data set, as JSON on stdout.

    python bench/pages/targets.py > targets.json   (load.sh does it; locustfile.py reads it)

Each simulated team member saves its own PI row (a reassessed PI of a draft or returned
assessment), so that saves never collide; reads go anywhere the user may look.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from core.models import Region  # noqa: E402
from scorecard.management.commands.seed_synthetic import synthetic_teams  # noqa: E402
from scorecard.models import Assessment, IndicatorAssessment  # noqa: E402
from scorecard.states import EDITABLE, REVIEWER_VISIBLE  # noqa: E402


def main() -> None:
    assessments = Assessment.objects.filter(country_team__in=synthetic_teams())
    if not assessments.exists():
        raise SystemExit("No synthetic data: run `manage.py seed_synthetic` first.")
    last_year = assessments.latest("year").year
    rows = IndicatorAssessment.objects.filter(assessment__in=assessments)
    document = {
        "last_year": last_year,
        "years": sorted(set(assessments.values_list("year", flat=True))),
        "pis": list(
            rows.order_by("indicator__order").values_list("indicator__code", flat=True).distinct()
        ),
        "teams": sorted(assessments.values_list("country_team__code", flat=True).distinct()),
        "regions": list(Region.objects.order_by("code").values_list("code", flat=True)),
        "editable": list(
            rows.filter(assessment__status__in=EDITABLE, reassessed=True)
            .order_by("assessment__country_team__code", "indicator__order")
            .values_list("assessment__country_team__code", "assessment__year", "indicator__code")
        ),
        "submitted": list(
            assessments.filter(status__in=REVIEWER_VISIBLE, year=last_year)
            .order_by("country_team__code")
            .values_list("country_team__code", "year")
        ),
    }
    json.dump(document, sys.stdout)


if __name__ == "__main__":
    main()
