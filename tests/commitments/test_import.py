"""Bulk import from .xlsx/.csv: every row checked with the rules, row numbers in the messages
(the header is row 1), and nothing written unless the whole file is valid."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from commitments import selectors, services
from commitments.models import Commitment, CommitmentMaker
from core import tabular

HEADER = [
    "maker",
    "maker_category",
    "country",
    "title",
    "description",
    "coalitions",
    "compact_areas",
    "types",
    "start_year",
    "end_year",
    "amount",
    "currency",
    "geography",
    "status",
    "impact",
    "funding",
    "endorsement",
    "collective",
    "smart",
]


# The template's header for an English user (the keys above are read as well).
ENGLISH_HEADER = [
    "Commitment maker", "Maker category", "Country", "Title", "Description", "Action Coalitions",
    "WPS-HA Compact areas", "Types", "Start year", "End year", "Amount", "Currency", "Geography",
    "Status", "Potential for impact", "Funding", "Level of endorsement", "Collective nature",
    "SMART",
]  # fmt: skip


def row(**values: str) -> dict[str, str]:
    base = {
        "maker": "Ministry of Labour of Freedonia",
        "maker_category": "member_state",
        "country": "KAZ",
        "title": "Equal pay audits",
        "description": "Audits in 200 companies.",
        "coalitions": "ejr",
        "compact_areas": "",
        "types": "policy",
        "start_year": "2024",
        "end_year": "2026",
        "amount": "",
        "currency": "",
        "geography": "Kazakhstan",
        "status": "in_progress",
        "impact": "yes",
        "funding": "no",
        "endorsement": "yes",
        "collective": "no",
        "smart": "yes",
    }
    base.update(values)
    return base


def csv_bytes(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(content: bytes, name: str = "commitments.csv") -> list[str]:
    makers, commitments = CommitmentMaker.objects.count(), Commitment.objects.count()
    with pytest.raises(services.ImportFileError) as raised:
        services.import_commitments(file_name=name, content=content, by=None)
    assert (CommitmentMaker.objects.count(), Commitment.objects.count()) == (makers, commitments)
    return raised.value.messages


# --- Happy paths ----------------------------------------------------------------------------


def test_import_csv_creates_makers_and_commitments(reference, kazakhstan):
    content = csv_bytes(
        [
            row(),
            row(
                title="Childcare fund",
                types="financial; programmatic",
                amount="1,250,000.50",
                currency="usd",
                coalitions="ejr;gbv",
                compact_areas="c",
                status="Planned",
            ),
            row(maker="government of kazakhstan", maker_category="", country="", title="Hotline"),
        ]
    )
    result = services.import_commitments(file_name="gef.csv", content=content, by=None)
    assert [m.name for m in result.makers_created] == ["Ministry of Labour of Freedonia"]
    freedonia = result.makers_created[0]
    assert (freedonia.category, freedonia.country_code, freedonia.country_name) == (
        "member_state",
        "KAZ",
        "Kazakhstan",
    )
    fund = Commitment.objects.get(title="Childcare fund")
    assert (fund.amount, fund.currency, fund.types, fund.status) == (
        Decimal("1250000.50"),
        "USD",
        ["financial", "programmatic"],
        "planned",
    )
    assert [c.code for c in fund.coalitions.all()] == ["gbv", "ejr"]
    assert [a.letter for a in fund.compact_areas.all()] == ["C"]
    assert (fund.impact, fund.funding, fund.endorsement, fund.collective, fund.smart) == (
        True,
        False,
        True,
        False,
        True,
    )
    assert Commitment.objects.get(title="Hotline").maker == kazakhstan


def test_import_xlsx(reference):
    content = xlsx_bytes(
        [
            ["Aurora Telecom", "private_sector", "", "Coding clubs", "", "technology-innovation",
             "", "financial", 2024, 2025, 750000, "EUR", "Global", "completed",
             "yes", "yes", "no", "yes", "yes"],
            [None] * len(HEADER),  # blank rows are skipped
        ]
    )  # fmt: skip
    result = services.import_commitments(file_name="gef.xlsx", content=content, by=None)
    (commitment,) = result.commitments
    assert (commitment.title, commitment.amount, commitment.start_year, commitment.end_year) == (
        "Coding clubs",
        Decimal("750000.00"),
        2024,
        2025,
    )


def test_command_imports_a_file(reference, tmp_path, capsys):
    path = tmp_path / "gef.csv"
    path.write_bytes(csv_bytes([row(), row(title="Second")]))
    call_command("import_commitments", str(path))
    assert capsys.readouterr().out == "Imported 2 commitments (1 new makers).\n"


def test_command_lists_problems_and_fails(reference, tmp_path, capsys):
    path = tmp_path / "gef.csv"
    path.write_bytes(csv_bytes([row(), row(title="Second", coalitions="")]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_commitments", str(path))
    assert capsys.readouterr().err == (
        "Row 3: Choose at least one Action Coalition or WPS-HA Compact area.\n"
    )
    assert Commitment.objects.count() == 0


# --- Every error, with its row number -------------------------------------------------------


def test_rules_are_checked_per_row_and_nothing_is_saved(reference, leader):
    content = csv_bytes(
        [
            row(),  # row 2: fine
            row(title="Cash transfers", types="financial"),  # row 3
            row(title="Longer", start_year="2021", end_year="2026"),  # row 4
            row(title="Backwards", start_year="2026", end_year="2025"),  # row 5
            row(title="Nowhere", coalitions="", compact_areas=""),  # row 6
            row(maker="Northwind Foundation", maker_category="", country="", title="GBV fund",
                coalitions="gbv", start_year="2024", end_year="2025"),  # row 7
            row(title="Advocacy with money", amount="10", currency="USD"),  # row 8
            row(title="Bad currency", types="financial", amount="10", currency="XYZ"),  # row 9
            row(title="Zero", types="financial", amount="0", currency="USD"),  # row 10
        ]
    )  # fmt: skip
    assert problems(content) == [
        "Row 3: A financial commitment needs an amount and a currency.",
        "Row 4: A commitment runs for at least 1 and at most 5 years: the end year can be 2025 "
        "at the latest.",
        "Row 5: The end year cannot be before the start year.",
        "Row 6: Choose at least one Action Coalition or WPS-HA Compact area.",
        "Row 7: Northwind Foundation leads the Gender-Based Violence Action Coalition: a leader's "
        "commitment to the coalition it leads runs 5 years, so the end year must be 2028.",
        "Row 8: Only a financial commitment has an amount: tick Financial, or leave the amount "
        "and the currency empty.",
        "Row 9: XYZ is not an ISO 4217 currency code such as USD, EUR or KZT.",
        "Row 10: The amount must be greater than zero.",
    ]


def test_unknown_codes_and_values(reference):
    content = csv_bytes(
        [
            row(coalitions="ejr;peace"),
            row(title="B", compact_areas="F", coalitions=""),
            row(title="C", types="financial;grants", amount="5", currency="USD"),
            row(title="D", status="ongoing"),
            row(title="E", impact="maybe"),
            row(title="F", start_year="twenty", end_year="2026"),
            row(title="G", types="financial", amount="lots", currency="USD"),
        ]
    )
    assert problems(content) == [
        "Row 2: Unknown Action Coalition “peace” (codes: gbv, ejr, srhr, climate-justice, "
        "technology-innovation, feminist-movements).",
        "Row 3: Unknown WPS-HA Compact area “F” (letters: A, B, C, D, E).",
        "Row 3: Choose at least one Action Coalition or WPS-HA Compact area.",
        "Row 4: Unknown commitment type “grants” (use: financial, advocacy, policy, programmatic).",
        "Row 5: Unknown status “ongoing” (use: planned, in_progress, completed, discontinued).",
        "Row 6: impact must be yes or no.",
        "Row 7: start_year must be a year such as 2024.",
        "Row 8: amount must be a number such as 250000 or 1250000.50.",
        "Row 8: A financial commitment needs an amount and a currency.",
    ]


def test_makers_new_and_existing(reference, kazakhstan):
    content = csv_bytes(
        [
            row(maker="New NGO", maker_category="", country=""),
            row(maker="Other NGO", maker_category="charity", title="B"),
            row(maker="Third NGO", maker_category="civil_society", country="Atlantis", title="C"),
            row(maker="Government of Kazakhstan", maker_category="private_sector", title="D"),
            row(maker="Government of Kazakhstan", maker_category="", country="UZB", title="E"),
            row(maker="", title="F"),
            row(maker="Fourth NGO", maker_category="civil_society", country="", title="G"),
            row(maker="fourth ngo", maker_category="youth", country="", title="H"),
        ]
    )
    assert problems(content) == [
        "Row 2: New NGO is a new commitment maker: give its maker_category (one of: "
        "member_state, private_sector, philanthropy, international, civil_society, youth, other).",
        "Row 3: Unknown maker_category “charity” (use one of: member_state, private_sector, "
        "philanthropy, international, civil_society, youth, other).",
        "Row 4: Unknown country “Atlantis”: use an ISO 3166-1 alpha-3 code such as KAZ.",
        "Row 5: Government of Kazakhstan is already registered as “member_state”: leave "
        "maker_category empty or use that category.",
        "Row 6: Government of Kazakhstan is already registered with country “KAZ”: leave country "
        "empty or use that code.",
        "Row 7: Give the commitment maker's name in the maker column.",
        "Row 9: Fourth NGO has another maker_category or country in row 8.",
    ]


def test_duplicates_within_the_file_and_with_existing_commitments(reference, kazakhstan):
    services.import_commitments(
        file_name="first.csv",
        content=csv_bytes([row(maker="Government of Kazakhstan", title="Hotline")]),
        by=None,
    )
    content = csv_bytes(
        [
            row(title="Equal pay audits"),
            row(title="Something else"),
            row(title="equal pay audits "),
            row(maker="Government of Kazakhstan", title="Hotline"),
        ]
    )
    assert problems(content) == [
        "Row 4: The same maker and title as row 2.",
        "Row 5: Government of Kazakhstan already has a commitment titled “Hotline”.",
    ]


def test_file_level_problems(reference):
    assert problems(b"", name="empty.csv") == [
        "The file is empty: the first row must name the columns."
    ]
    assert problems(csv_bytes([], header=HEADER)) == ["The file has no commitments in it."]
    assert problems(csv_bytes([row()], header=["maker", "title", "colour"])) == [
        "The file has no column start_year, end_year: start from the template.",
        "Unknown columns: colour. The template lists the columns.",
    ]
    assert problems(b"maker\n", name="commitments.pdf") == ["Upload a .xlsx or .csv file."]
    assert problems(b"not a zip", name="commitments.xlsx") == [
        "The file is not an Excel workbook (.xlsx)."
    ]
    assert problems("maker\n\xe9".encode("latin-1"), name="commitments.csv") == [
        "The CSV file is not UTF-8 text: save it as “CSV UTF-8”."
    ]


def test_import_page_is_for_administrators_and_shows_row_errors(
    client, reference, admin_user, gov_editor
):
    client.force_login(gov_editor)
    assert client.get("/commitments/import/").status_code == 403
    client.force_login(admin_user)
    upload = SimpleUploadedFile("gef.csv", csv_bytes([row(), row(title="X", types="financial")]))
    response = client.post("/commitments/import/", {"file": upload})
    assert response.status_code == 400
    assert "Row 3: A financial commitment needs an amount and a currency." in (
        response.content.decode()
    )
    assert Commitment.objects.count() == 0
    upload = SimpleUploadedFile("gef.csv", csv_bytes([row(), row(title="X")]))
    response = client.post("/commitments/import/", {"file": upload}, follow=True)
    assert "Imported 2 commitments (1 new makers)." in response.content.decode()
    assert Commitment.objects.count() == 2


def test_template_downloads_have_the_columns(client, reference):
    response = client.get("/commitments/import/template.csv")
    assert response.content.decode("utf-8-sig").splitlines() == [",".join(ENGLISH_HEADER)]
    response = client.get("/commitments/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ENGLISH_HEADER


# --- Headers and yes/no in the six languages --------------------------------------------------


def test_a_template_downloaded_in_french_has_french_headers_and_imports_for_anyone(
    client, reference
):
    response = client.get("/commitments/import/template.csv", HTTP_ACCEPT_LANGUAGE="fr")
    (header_line,) = response.content.decode("utf-8-sig").splitlines()
    header = next(csv.reader([header_line]))
    with translation.override("fr"):
        assert header == selectors.IMPORT_COLUMNS.header()
    assert header[:4] == ["Auteur de l'engagement", "Catégorie d'auteur", "Pays", "Titre"]
    values = row()
    content = csv_bytes([dict(zip(header, (values[key] for key in HEADER), strict=True))], header)
    with translation.override("en"):
        result = services.import_commitments(file_name="gef.csv", content=content, by=None)
    assert [c.title for c in result.commitments] == ["Equal pay audits"]


def test_an_export_downloaded_in_french_imports_again_for_an_english_user(client, reference):
    services.import_commitments(
        file_name="gef.csv",
        content=csv_bytes(
            [
                row(),
                row(
                    title="Childcare fund",
                    types="financial;programmatic",
                    amount="1250000.50",
                    currency="USD",
                    coalitions="ejr;gbv",
                    compact_areas="C",
                    status="planned",
                    impact="no",
                    smart="no",
                ),
            ]
        ),  # fmt: skip
        by=None,
    )
    fields = ("title", "types", "amount", "currency", "status", "impact", "funding", "smart")
    before = sorted(Commitment.objects.values_list(*fields))
    response = client.get("/commitments/export.csv", HTTP_ACCEPT_LANGUAGE="fr")
    content = response.content
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    keys = selectors.EXPORT_COLUMNS.keys
    assert header[keys.index("title")] == "Titre"
    assert sorted(r[keys.index("impact")] for r in rows) == ["Non", "Oui"]  # yes/no in French
    # Labels in the reader's language (issue 15), which the import reads back in any language.
    assert {r[keys.index("status")] for r in rows} == {"En cours", "Prévu"}
    assert {r[keys.index("maker_category")] for r in rows} == {
        "État Membre ou autre entité publique"
    }
    assert "ejr" not in content.decode("utf-8-sig")
    Commitment.objects.all().delete()  # the makers stay: the file names them as they are

    with translation.override("en"):
        result = services.import_commitments(file_name="export.csv", content=content, by=None)
    assert len(result.commitments) == 2
    assert result.makers_created == []
    assert sorted(Commitment.objects.values_list(*fields)) == before


def test_headers_and_yes_no_are_read_in_arabic_and_chinese(reference):
    header = selectors.IMPORT_COLUMNS.headers_in("ar")
    assert header != selectors.IMPORT_COLUMNS.headers_in("en")
    with translation.override("ar"):
        yes, no = str(tabular.YES), str(tabular.NO)
    with translation.override("zh-hans"):
        chinese_yes = str(tabular.YES)
    values = row(impact=yes, funding=no, endorsement=chinese_yes, collective="Non", smart="Sí")
    content = csv_bytes([dict(zip(header, (values[key] for key in HEADER), strict=True))], header)
    result = services.import_commitments(file_name="gef.csv", content=content, by=None)
    (commitment,) = result.commitments
    assert (
        commitment.impact,
        commitment.funding,
        commitment.endorsement,
        commitment.collective,
        commitment.smart,
    ) == (True, False, True, False, True)


def test_an_unknown_header_in_a_translated_file_still_gets_the_clear_message(reference):
    header = [*selectors.IMPORT_COLUMNS.headers_in("fr"), "Couleur"]
    values = {**row(), "Couleur": "bleu"}
    content = csv_bytes(
        [dict(zip(header, [*(values[key] for key in HEADER), "bleu"], strict=True))], header
    )
    assert problems(content) == ["Unknown columns: couleur. The template lists the columns."]
    assert problems(csv_bytes([row()], header=["Auteur de l'engagement", "Titre"])) == [
        "The file has no column start_year, end_year: start from the template."
    ]
