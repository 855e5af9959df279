"""Parity across country teams: by category, per team, region and overall, small cells hidden."""

from __future__ import annotations

from decimal import Decimal as D

from core.models import CountryTeam
from parity import selectors
from tests.factories import CountryTeamFactory, RegionFactory
from tests.parity.conftest import import_rows


def cells(row):
    return {cell.key: (cell.total, cell.pct_women, cell.suppressed) for cell in row.cells}


def test_global_parity_sums_teams_and_regions(team, entities):
    africa = RegionFactory(code="africa", name="Africa")
    ken = CountryTeamFactory(code="KEN", name="Kenya", region=africa)
    xdl = CountryTeamFactory(code="XDL", name="Demoland")  # same region as KAZ
    import_rows(team, 2022, [["UNDP", "G-5", 12, 8], ["UNDP", "P-4", 3, 7]])
    import_rows(xdl, 2022, [["UNDP", "G-5", 6, 4], ["UNDP", "P-4", 5, 5]])
    import_rows(ken, 2022, [["UNDP", "G-5", 20, 20], ["UNICEF", "P-4", 30, 10]])
    import_rows(ken, 2021, [["UNDP", "G-5", 1, 1]])

    data = selectors.global_parity(teams=CountryTeam.objects.all())

    assert (data.year, data.years, data.teams_count) == (2022, [2022, 2021], 3)
    assert [block.region.name for block in data.regions] == ["Africa", "Europe and Central Asia"]
    europe = data.regions[1]
    assert [row.label for row in europe.teams] == ["Demoland", "Kazakhstan"]
    assert cells(europe.summary)["general_service"] == (30, D("60.0"), False)  # 18 / 30
    assert cells(europe.summary)["professional"] == (20, D("40.0"), False)  # 8 / 20
    assert cells(europe.teams[1])["overall_staff"] == (30, D("50.0"), False)  # KAZ 15 / 30
    assert cells(data.total)["professional"] == (60, D("63.3"), False)  # (3+5+30) / 60
    assert cells(data.total)["overall_staff"] == (130, D("58.5"), False)  # (15+11+50) / 130


def test_global_parity_hides_small_cells_and_their_complements(team, entities):
    xdl = CountryTeamFactory(code="XDL", name="Demoland")
    import_rows(team, 2022, [["UNDP", "G-5", 12, 8], ["UNDP", "P-4", 1, 2]])  # P: 3 people
    import_rows(xdl, 2022, [["UNDP", "G-5", 6, 4], ["UNDP", "P-4", 5, 5]])

    data = selectors.global_parity(teams=CountryTeam.objects.all())

    kaz, demoland = data.regions[0].teams[1], data.regions[0].teams[0]
    assert cells(kaz)["professional"] == (None, None, True)
    # KAZ's all-staff total is shown, so its only other category goes too...
    assert cells(kaz)["general_service"] == (None, None, True)
    # ...and the region total is shown, so Demoland's professional cell goes too.
    assert cells(demoland)["professional"] == (None, None, True)
    assert cells(data.regions[0].summary)["professional"] == (13, D("46.2"), False)
    assert cells(kaz)["overall_staff"] == (23, D("56.5"), False)


def test_global_parity_only_covers_the_given_teams(team, entities):
    xdl = CountryTeamFactory(code="XDL", name="Demoland")
    import_rows(team, 2022, [["UNDP", "G-5", 12, 8]])
    import_rows(xdl, 2023, [["UNDP", "G-5", 6, 4]])

    data = selectors.global_parity(teams=CountryTeam.objects.filter(code="KAZ"), year=2023)

    assert (data.year, data.years, data.teams_count) == (2022, [2022], 1)


def test_global_parity_without_any_figures(db):
    data = selectors.global_parity(teams=CountryTeam.objects.all())

    assert (data.year, data.regions, data.total) == (None, [], None)


def test_global_page_shows_the_table_and_chart(client, admin_user, team, entities):
    import_rows(team, 2022, [["UNDP", "G-5", 12, 8], ["UNDP", "P-4", 3, 7]])
    client.force_login(admin_user)

    html = client.get("/parity/global/?year=2022").content.decode()

    assert 'data-testid="parity-global-table"' in html
    assert '<tr class="" data-team="KAZ">' in html
    assert html.count('data-testid="parity-bar"') == 3  # professional, general service, all staff
