"""The public dashboard: filters, totals (checked against sums computed here from the literal
amounts), charts, pagination and the CSV/XLSX exports of exactly what is filtered."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from commitments import selectors
from commitments.filters import CommitmentFilter
from commitments.models import Commitment, MakerCategory
from tests.commitments.factories import CommitmentFactory, CommitmentMakerFactory

# The data set, written out: maker, coalitions, areas, types, amount, currency, status.
ROWS = [
    ("A", "kaz", ["ejr"], [], ["financial"], "1000.50", "USD", "in_progress"),
    ("B", "kaz", ["gbv"], [], ["financial", "policy"], "2000000", "KZT", "completed"),
    ("C", "aurora", ["technology-innovation"], [], ["financial", "programmatic"], "300.25", "EUR",
     "in_progress"),
    ("D", "aurora", ["ejr"], [], ["financial"], "2500.25", "USD", "planned"),
    ("E", "northwind", ["gbv"], ["B"], ["advocacy"], None, "", "in_progress"),
    ("F", "kaz", [], ["A"], ["policy"], None, "", "discontinued"),
]  # fmt: skip
MAKERS = {
    "kaz": ("Government of Kazakhstan", MakerCategory.MEMBER_STATE, "KAZ", "Kazakhstan"),
    "aurora": ("Aurora Telecom", MakerCategory.PRIVATE_SECTOR, "", ""),
    "northwind": ("Northwind Foundation", MakerCategory.PHILANTHROPY, "USA", "United States"),
}


@pytest.fixture
def dataset(reference):
    makers = {
        key: CommitmentMakerFactory(
            name=name, category=category, country_code=code, country_name=country
        )
        for key, (name, category, code, country) in MAKERS.items()
    }
    created = {}
    for title, maker, coalitions, areas, types, amount, currency, status in ROWS:
        created[title] = CommitmentFactory(
            maker=makers[maker],
            title=title,
            coalitions=[reference[c] for c in coalitions],
            compact_areas=[reference[a] for a in areas],
            types=types,
            amount=Decimal(amount) if amount else None,
            currency=currency,
            status=status,
        )
    return created


def expected(predicate) -> dict:
    """Totals computed from ROWS, independently of the code under test."""
    rows = [r for r in ROWS if predicate(r)]
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for _title, _maker, _c, _a, _t, amount, currency, _s in rows:
        if amount:
            amounts[currency] += Decimal(amount)
            counts[currency] += 1
    return {
        "titles": sorted(r[0] for r in rows),
        "commitments": len(rows),
        "makers": len({r[1] for r in rows}),
        "amounts": sorted((c, amounts[c], counts[c]) for c in amounts),
    }


FILTERS = [
    ({}, lambda r: True),
    ({"coalition": "ejr"}, lambda r: "ejr" in r[2]),
    ({"compact_area": "A"}, lambda r: "A" in r[3]),
    ({"category": "member_state"}, lambda r: r[1] == "kaz"),
    ({"country": "KAZ"}, lambda r: r[1] == "kaz"),
    ({"type": "financial"}, lambda r: "financial" in r[4]),
    ({"type": "policy"}, lambda r: "policy" in r[4]),
    ({"status": "in_progress"}, lambda r: r[7] == "in_progress"),
    ({"q": "aurora"}, lambda r: r[1] == "aurora"),
    (
        {"coalition": "ejr", "type": "financial", "category": "private_sector"},
        lambda r: "ejr" in r[2] and "financial" in r[4] and r[1] == "aurora",
    ),
]
FILTER_IDS = ["all", "coalition", "area", "category", "country", "financial", "policy",
              "status", "search", "combined"]  # fmt: skip


def filtered(params: dict):
    filterset = CommitmentFilter(params or None, queryset=selectors.public_commitments())
    assert not params or filterset.is_valid(), filterset.errors
    return filterset.qs


@pytest.mark.parametrize(("params", "predicate"), FILTERS, ids=FILTER_IDS)
def test_filters_and_totals(dataset, params, predicate):
    want = expected(predicate)
    queryset = filtered(params)
    assert sorted(c.title for c in queryset) == want["titles"]
    totals = selectors.totals(queryset)
    assert (totals.commitments, totals.makers, totals.amounts) == (
        want["commitments"],
        want["makers"],
        want["amounts"],
    )


def test_totals_by_currency_are_never_summed_across_currencies(dataset):
    totals = selectors.totals(filtered({}))
    assert totals.amounts == [
        ("EUR", Decimal("300.25"), 1),
        ("KZT", Decimal("2000000"), 1),
        ("USD", Decimal("1000.50") + Decimal("2500.25"), 2),
    ]


def text_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert match, testid
    return " ".join(match.group(1).split())


def test_page_shows_the_totals(client, dataset):
    html = client.get("/commitments/?coalition=ejr").content.decode()
    want = expected(lambda r: "ejr" in r[2])
    assert text_of(html, "total-commitments") == str(want["commitments"]) == "2"
    assert text_of(html, "total-makers") == str(want["makers"]) == "2"
    amounts = re.findall(r'data-currency="(\w+)"><strong class="amount">([^<]+)</strong>', html)
    assert amounts == [("USD", "USD 3,500.75")]
    rows = re.findall(
        r'<tr data-testid="commitment-row">.*?<a href="[^"]+">([^<]+)</a>', html, re.S
    )
    assert sorted(rows) == ["A", "D"]


def test_page_shows_the_amounts_per_currency(client, dataset):
    html = client.get("/commitments/").content.decode()
    amounts = re.findall(r'data-currency="(\w+)"><strong class="amount">([^<]+)</strong>', html)
    assert amounts == [("EUR", "EUR 300.25"), ("KZT", "KZT 2,000,000.00"), ("USD", "USD 3,500.75")]


def test_strong_badge_only_for_strong_commitments(client, reference):
    all_five = dict.fromkeys(["impact", "funding", "endorsement", "collective", "smart"], True)
    CommitmentFactory(title="Strong one", coalitions=[reference["gbv"]], **all_five)
    CommitmentFactory(
        title="Almost", coalitions=[reference["gbv"]], **{**all_five, "collective": False}
    )
    html = client.get("/commitments/").content.decode()
    rows = re.findall(r'<tr data-testid="commitment-row">(.*?)</tr>', html, re.S)
    badges = {re.search(r">([^<]+)</a>", r).group(1): "strong-badge" in r for r in rows}
    assert badges == {"Strong one": True, "Almost": False}
    assert text_of(html, "total-strong") == "1"


def test_charts_count_the_filtered_commitments(client, dataset):
    html = client.get("/commitments/?type=financial").content.decode()
    bars = dict(re.findall(r'data-label="([^"]+)" data-value="(\d+)"', html))
    # Commitments A, B, C, D are financial: ejr A, D; gbv B; technology C.
    assert bars["Economic Justice and Rights"] == "2"
    assert bars["Gender-Based Violence"] == "1"
    assert bars["Technology and Innovation for Gender Equality"] == "1"
    assert bars["Feminist Movements and Leadership"] == "0"
    assert bars["Financial"] == "4"
    assert bars["Policy"] == "1"
    assert bars["Advocacy"] == "0"
    assert bars["A. Financing WPS and gender in humanitarian action"] == "0"
    # Each bar filters further, keeping the current filters.
    assert 'href="?type=financial&amp;coalition=ejr"' in html


def test_unknown_filter_value_shows_nothing_and_says_why(client, dataset):
    response = client.get("/commitments/?coalition=peace")
    html = response.content.decode()
    assert text_of(html, "total-commitments") == "0"
    assert "Select a valid choice. That choice is not one of the available choices." in html


def test_pagination_keeps_the_filters(client, reference):
    for n in range(30):
        CommitmentFactory(title=f"Item {n:02d}", coalitions=[reference["ejr"]])
    CommitmentFactory(title="Zebra GBV only", coalitions=[reference["gbv"]])
    first = client.get("/commitments/?coalition=ejr").content.decode()
    assert first.count('data-testid="commitment-row"') == 25
    assert 'href="?coalition=ejr&amp;page=2"' in first
    second = client.get("/commitments/?coalition=ejr&page=2").content.decode()
    assert second.count('data-testid="commitment-row"') == 5
    assert "Zebra GBV only" not in first + second


# --- Exports --------------------------------------------------------------------------------

# The header of an English user; the keys are the same in every language.
EXPORT_HEADER = [
    "Commitment maker", "Maker category", "Country", "Title", "Description", "Action Coalitions",
    "WPS-HA Compact areas", "Types", "Start year", "End year", "Amount", "Currency", "Geography",
    "Status", "Potential for impact", "Funding", "Level of endorsement", "Collective nature",
    "SMART", "ID", "Country name", "Strong commitment", "Country team", "Latest report",
]  # fmt: skip


@pytest.mark.parametrize(("params", "predicate"), FILTERS, ids=FILTER_IDS)
def test_csv_export_holds_exactly_the_filtered_rows(client, dataset, params, predicate):
    response = client.get("/commitments/export.csv", params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="commitments-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_HEADER
    assert sorted(r[3] for r in rows[1:]) == expected(predicate)["titles"]


@pytest.mark.parametrize(("params", "predicate"), FILTERS[:4], ids=FILTER_IDS[:4])
def test_xlsx_export_holds_exactly_the_filtered_rows(client, dataset, params, predicate):
    response = client.get("/commitments/export.xlsx", params)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert rows[0] == EXPORT_HEADER
    assert sorted(r[3] for r in rows[1:]) == expected(predicate)["titles"]


def test_export_row_content(client, dataset):
    body = client.get("/commitments/export.csv?q=B").content.decode("utf-8-sig")
    keys = selectors.EXPORT_COLUMNS.keys
    rows = [dict(zip(keys, r, strict=True)) for r in list(csv.reader(io.StringIO(body)))[1:]]
    b = next(r for r in rows if r["title"] == "B")
    assert {k: b[k] for k in ("maker", "maker_category", "country", "coalitions", "types")} == {
        "maker": "Government of Kazakhstan",
        "maker_category": "Member State or other government entity",
        "country": "KAZ",
        "coalitions": "Gender-Based Violence",
        "types": "Financial;Policy",
    }
    assert (b["amount"], b["currency"], b["status"], b["strong_commitment"]) == (
        "2000000.00",
        "KZT",
        "Completed",
        "No",
    )


def test_export_defuses_spreadsheet_formulas(client, reference):
    CommitmentFactory(title='=HYPERLINK("http://evil")', coalitions=[reference["gbv"]])
    csv_rows = list(csv.reader(io.StringIO(client.get("/commitments/export.csv").content.decode())))
    assert csv_rows[1][3] == '\'=HYPERLINK("http://evil")'
    sheet = load_workbook(io.BytesIO(client.get("/commitments/export.xlsx").content)).worksheets[0]
    cell = sheet.cell(row=2, column=4)
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://evil")', "s")


def test_unknown_export_format_is_404(client, db):
    assert client.get("/commitments/export.pdf").status_code == 404


def test_queryset_counts_each_commitment_once_with_two_joins(dataset, reference):
    CommitmentFactory(
        title="G",
        coalitions=[reference["ejr"], reference["gbv"]],
        compact_areas=[reference["A"], reference["B"]],
        types=["financial"],
        amount=Decimal("7"),
        currency="USD",
    )
    queryset = filtered({"coalition": "ejr", "compact_area": "A"})
    assert [c.title for c in queryset] == ["G"]
    totals = selectors.totals(filtered({"type": "financial"}))
    assert dict((c, a) for c, a, _n in totals.amounts)["USD"] == Decimal("3507.75")
    assert Commitment.objects.count() == 7
