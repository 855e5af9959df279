"""The operator CLIs: import_parity, parity_status and setup_parity_demo, through call_command."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from parity import selectors
from parity.models import (
    EntityWorkforceShare,
    ParityRecommendation,
    RecommendationUpdate,
    StaffingCount,
    StaffingSnapshot,
)
from tests.factories import CountryTeamFactory
from tests.parity.conftest import TWELVE_ENTITIES, csv_bytes, xlsx_bytes


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_import_parity_imports_a_csv(team, entities, tmp_path):
    path = tmp_path / "kaz-2022.csv"
    path.write_bytes(csv_bytes(TWELVE_ENTITIES))

    out, _err = run("import_parity", "kaz", "2022", str(path), "--source", "HR focal points")

    assert out == (
        "KAZ 2022: imported 28 rows for 12 entities. Women 56.7 % (Men under-represented).\n"
    )
    snapshot = StaffingSnapshot.objects.get(country_team=team, year=2022)
    assert (snapshot.as_of, snapshot.source) == (date(2022, 12, 31), "HR focal points")
    assert StaffingCount.objects.count() == 28


def test_import_parity_imports_an_xlsx_with_options(team, entities, tmp_path):
    path = tmp_path / "kaz-2022.xlsx"
    path.write_bytes(xlsx_bytes(TWELVE_ENTITIES))

    out, _err = run(
        "import_parity", "KAZ", "2022", str(path), "--as-of", "2023-01-31", "--exclude-non-staff"
    )

    assert out.endswith("Women 58.4 % (Men under-represented).\n")
    snapshot = StaffingSnapshot.objects.get(country_team=team, year=2022)
    assert (snapshot.as_of, snapshot.source, snapshot.include_non_staff) == (
        date(2023, 1, 31),
        "File kaz-2022.xlsx",
        False,
    )


def test_import_parity_prints_every_error_and_imports_nothing(team, entities, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["UNDP", "P-4", 1, 1], ["UNDP", "P6", 1, 1], ["XX", "G-5", 1, 1]]))
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_parity", "KAZ", "2022", str(path), stdout=io.StringIO(), stderr=err)

    assert str(raised.value) == "2 problem(s) in bad.csv; nothing was imported."
    assert err.getvalue() == "Row 3: unknown grade 'P6'\nRow 4: unknown entity 'XX'\n"
    assert StaffingSnapshot.objects.count() == 0


def test_import_parity_unknown_team_or_file(team, tmp_path):
    with pytest.raises(CommandError, match="No country team ZZZ."):
        run("import_parity", "ZZZ", "2022", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="No file"):
        run("import_parity", "KAZ", "2022", str(tmp_path / "missing.csv"))


def test_parity_status_json_prints_the_figures(twelve):
    out, _err = run("parity_status", "KAZ", "2022", "--json")

    document = json.loads(out)
    assert document == selectors.status_document(selectors.parity_status(twelve))
    assert document["overall_all"]["pct_women"] == "56.7"
    assert document["overall_staff"]["pct_women"] == "58.4"
    assert [c["key"] for c in document["categories"]] == [
        "directors",
        "professional",
        "national_officers",
        "general_service",
        "non_staff",
    ]


def test_parity_status_json_protects_small_cells_when_asked(twelve):
    out, _err = run("parity_status", "KAZ", "2022", "--json", "--protect-small-cells")

    document = json.loads(out)
    directors = document["categories"][0]
    assert (directors["suppressed"], directors["women"], directors["pct_women"]) == (
        True,
        None,
        None,
    )
    assert document["small_cells_protected"] is True


def test_parity_status_text_table(twelve):
    out, _err = run("parity_status", "KAZ", "2022")

    lines = out.splitlines()
    assert lines[1] == "level                         women    men  % women  status"
    assert "  P-4                             4      3     57.1  Men under-represented" in lines
    assert lines[-1] == "Headline: Staff and non-staff."


def test_parity_status_without_figures_is_an_error(team):
    with pytest.raises(CommandError, match="KAZ has no staffing figures for 2022."):
        run("parity_status", "KAZ", "2022", "--json")


def test_setup_parity_demo_loads_seed_000_and_kaz_2022_and_is_idempotent(team):
    first, _err = run("setup_parity_demo")
    second, _err = run("setup_parity_demo")

    assert "Parity staffing KAZ 2022: 93 rows for 12 entities." in first
    assert "Parity staffing KAZ 2022: already there, kept as is." in second
    assert ParityRecommendation.objects.count() == 6
    assert RecommendationUpdate.objects.count() == 6
    assert StaffingSnapshot.objects.count() == 1
    status = selectors.parity_status_for(team, 2022)
    # Seed 001, PI 4.3: 12 agencies, 55 % women and 45 % men, service contracts included.
    assert status.entities == 12
    assert (status.headline.women, status.headline.men) == (220, 180)
    assert status.headline.pct_women == Decimal("55.0")
    assert status.has_non_staff is True
    statuses = list(
        RecommendationUpdate.objects.order_by("recommendation__number").values_list(
            "recommendation__number", "year", "status"
        )
    )
    assert statuses == [
        (1, 2020, "completed_ongoing"),
        (2, 2020, "in_progress"),
        (3, 2020, "completed_ongoing"),
        (4, 2020, "completed_ongoing"),
        (5, 2020, "completed_ongoing"),
        (6, 2020, "completed_efforts_ongoing"),
    ]
    share = EntityWorkforceShare.objects.get()
    assert (share.entity.acronym, share.year, share.women_percent, share.men_percent) == (
        "UN Women",
        2020,
        Decimal("74.00"),
        Decimal("26.00"),
    )


def test_setup_parity_demo_skips_a_missing_team(db):
    CountryTeamFactory(code="XDL", name="Demoland")

    out, _err = run("setup_parity_demo")

    assert "Parity staffing KAZ 2022: no team KAZ yet, skipped." in out
    assert StaffingSnapshot.objects.count() == 0
    assert ParityRecommendation.objects.count() == 6  # the strategy does not need a team


def test_setup_parity_demo_keeps_what_a_user_entered(team, twelve):
    out, _err = run("setup_parity_demo")

    assert "Parity staffing KAZ 2022: already there, kept as is." in out
    assert StaffingCount.objects.filter(snapshot=twelve).count() == 28
