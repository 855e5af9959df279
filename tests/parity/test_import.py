"""Importing a staffing file: every row checked first, every problem reported with the row number
the user sees (the header is row 1), nothing written unless the whole file is clean, and a
re-import replacing the year's figures in one go."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import UNEntity
from parity import services
from parity.models import StaffingCount, StaffingSnapshot
from parity.tables import TEMPLATE_COLUMNS
from tests.parity.conftest import (
    TWELVE_ENTITIES,
    csv_bytes,
    csv_upload,
    import_rows,
    xlsx_bytes,
    xlsx_upload,
)

# Rows 2..15 of a file; the comment is what the import must say about each.
BAD_ROWS = [
    ["UNDP", "P-4", 2, 1, None],  # row 2: fine
    ["UNDP", "P-3", 1, 2, 0],  # row 3: fine
    ["UNICEF", "P-3", 1, 1, None],  # row 4: fine
    ["UNDP", "P6", 1, 1, None],  # row 5: unknown grade
    ["UNDPP", "P-4", 1, 1, None],  # row 6: unknown entity
    ["UNICEF", "G-5", -1, 2, None],  # row 7: negative
    ["UNICEF", "G-6", 2.5, 2, None],  # row 8: not whole
    ["UNICEF", "G-4", 3, "x", None],  # row 9: not a number
    [None, "G-4", 3, 1, None],  # row 10: no entity
    ["UNFPA", None, 3, 1, None],  # row 11: no grade
    ["UNDP", "P 3", 1, 1, None],  # row 12: UNDP / P-3 again
    ["UNFPA", "NO-A", 1, 1, -2],  # row 13: negative not_disclosed
    None,  # row 14: an empty line, skipped
    ["UNFPA", "G-5", 1, 1, None],  # row 15: fine
]
COLUMNS = ["grade", "women", "men", "not_disclosed"]
EXPECTED_ERRORS = [
    "Row 5: unknown grade 'P6'",
    "Row 6: unknown entity 'UNDPP'",
    "Row 7: women must be a whole number ≥ 0",
    "Row 8: women must be a whole number ≥ 0",
    "Row 9: men must be a whole number ≥ 0",
    "Row 10: entity is empty",
    "Row 11: grade is empty",
    "Row 12: UNDP / P-3 appears twice (first on row 3)",
    "Row 13: not_disclosed must be a whole number ≥ 0",
]


def run_import(team, upload, year=2022, **options):
    return services.import_staffing(
        country_team=team,
        year=year,
        file=upload,
        as_of=options.pop("as_of", date(2022, 12, 31)),
        source=options.pop("source", "HR focal points"),
        by=None,
        **options,
    )


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(
            lambda: SimpleUploadedFile("staffing.csv", csv_bytes([r or [] for r in BAD_ROWS])),
            id="csv",
        ),
        pytest.param(lambda: SimpleUploadedFile("staffing.xlsx", xlsx_bytes(BAD_ROWS)), id="xlsx"),
    ],
)
def test_import_reports_every_bad_row_and_saves_nothing(team, entities, upload):
    before = (StaffingSnapshot.objects.count(), StaffingCount.objects.count())

    with pytest.raises(services.StaffingImportError) as raised:
        run_import(team, upload())

    assert raised.value.messages == EXPECTED_ERRORS
    assert [p.row for p in raised.value.problems] == [5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert (StaffingSnapshot.objects.count(), StaffingCount.objects.count()) == before == (0, 0)


@pytest.mark.parametrize("make", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_import_missing_column_is_reported_on_the_header_row(team, entities, make):
    with pytest.raises(services.StaffingImportError) as raised:
        run_import(team, make([["UNDP", "P-4", 1]], header=["Entity", "Grade", "Women"]))

    assert raised.value.messages == ["Row 1: missing required column 'men'"]
    assert StaffingCount.objects.count() == 0


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("make", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_import_reads_the_template_header_in_every_language(team, entities, make, language):
    header = TEMPLATE_COLUMNS.headers_in(language)
    result = run_import(team, make(TWELVE_ENTITIES, header=header))

    assert (result.rows, result.entities) == (28, 12)


def test_import_of_an_arabic_header_still_names_a_missing_column(team, entities):
    arabic = TEMPLATE_COLUMNS.headers_in("ar")
    assert arabic[0] != "Entity"
    header = [arabic[0], arabic[1], arabic[2], "Total"]  # no men: the total is ignored

    with pytest.raises(services.StaffingImportError) as raised:
        run_import(team, csv_upload([["UNDP", "P-4", 1, 1]], header=header))

    assert raised.value.messages == ["Row 1: missing required column 'men'"]


@pytest.mark.parametrize("make", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_import_twelve_entities_csv_and_xlsx_give_the_same_rows(team, entities, make):
    result = run_import(team, make(TWELVE_ENTITIES))

    assert (result.rows, result.entities) == (28, 12)
    stored = sorted(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))
    assert stored == sorted(tuple(row) for row in TWELVE_ENTITIES)


def test_import_failed_reimport_leaves_the_old_snapshot_intact(team, entities):
    first = import_rows(team, 2022, [["UNDP", "P-4", 2, 1], ["UNICEF", "G-5", 4, 4]])
    before = list(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))

    with pytest.raises(services.StaffingImportError):
        run_import(
            team,
            csv_upload([["UNDP", "P-4", 9, 9], ["UNDP", "P-9", 1, 1]]),
            as_of=date(2023, 1, 15),
            source="second file",
        )

    first.refresh_from_db()
    assert (first.as_of, first.source) == (date(2022, 12, 31), "HR focal points")
    after = list(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))
    assert after == before == [("UNDP", "P-4", 2, 1), ("UNICEF", "G-5", 4, 4)]


def test_import_reimport_replaces_every_row_of_the_year(team, entities):
    import_rows(team, 2021, [["UNDP", "G-5", 7, 3]])
    import_rows(team, 2022, [["UNDP", "P-4", 2, 1], ["UNICEF", "G-5", 4, 4]])

    result = run_import(team, csv_upload([["WHO", "NO-B", 3, 2]]), source="second file")

    assert result.snapshot.source == "second file"
    assert StaffingSnapshot.objects.filter(country_team=team).count() == 2
    rows = StaffingCount.objects.order_by("snapshot__year").values_list(
        "snapshot__year", "entity__acronym", "grade", "women", "men"
    )
    assert list(rows) == [(2021, "UNDP", "G-5", 7, 3), (2022, "WHO", "NO-B", 3, 2)]


def test_import_keeps_the_non_staff_choice_unless_told(team, entities):
    import_rows(team, 2022, [["UNDP", "SC", 1, 1]], include_non_staff=False)

    kept = import_rows(team, 2022, [["UNDP", "SC", 2, 2]])
    changed = import_rows(team, 2022, [["UNDP", "SC", 2, 2]], include_non_staff=True)

    assert kept.include_non_staff is False
    assert changed.include_non_staff is True


def test_import_reads_what_excel_writes(team, entities):
    """A BOM, semicolons, spaced headers, grade spellings, full names, blank and extra cells."""
    text = (
        "\ufeffEntity;Grade;Women;Men;Not disclosed;Total\n"
        "undp;p5;1;2;;3\n"
        "United Nations Children's Fund;NO A;3;0;1;4\n"
        "UN Women;Service contract;4;;;4\n"
        "UNFPA;g–7;0;1;0;1\n"
    )
    upload = SimpleUploadedFile("staffing.csv", text.encode("utf-8"))
    UNEntity.objects.filter(acronym="UNICEF").update(name="United Nations Children's Fund")

    run_import(team, upload)

    stored = sorted(StaffingCount.objects.values_list("entity__acronym", *COLUMNS))
    assert stored == [
        ("UN Women", "SC", 4, 0, 0),
        ("UNDP", "P-5", 1, 2, 0),
        ("UNFPA", "G-7", 0, 1, 0),
        ("UNICEF", "NO-A", 3, 0, 1),
    ]


def test_import_rows_of_zeros_are_not_stored(team, entities):
    result = run_import(team, csv_upload([["UNDP", "P-4", 0, 0], ["UNDP", "P-3", 1, 0]]))

    assert (result.rows, result.entities) == (1, 1)
    assert list(StaffingCount.objects.values_list("grade", flat=True)) == ["P-3"]


def test_import_xlsx_numbers_as_text_and_whole_floats_are_counts(team, entities):
    run_import(team, xlsx_upload([["UNDP", "G-5", "12", 3.0], ["UNDP", "G-4", " 4 ", None]]))

    stored = sorted(StaffingCount.objects.values_list("grade", "women", "men"))
    assert stored == [("G-4", 4, 0), ("G-5", 12, 3)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("staffing.pdf", b"%PDF-1.4", "Upload a .xlsx or .csv file."),
        (
            "staffing.xls",
            b"\xd0\xcf\x11\xe0",
            "Save the file as .xlsx (Excel workbook) or .csv and upload it again.",
        ),
        ("staffing.xlsx", b"entity,grade,women,men\n", "The file is not a valid .xlsx workbook."),
        ("staffing.xlsx", b"PK\x03\x04broken", "The file is not a valid .xlsx workbook."),
        (
            "staffing.csv",
            "entity,grade,women,men\nUNDP,G-5,1,1\nPNUD Genève,G-5,1,1\n".encode("cp1252"),
            "The file is not UTF-8 text. In Excel, use Save as > 'CSV UTF-8 (comma delimited)'.",
        ),
        ("staffing.csv", b"", "The file is empty."),
        ("staffing.csv", b"entity,grade,women,men\n", "The file has no data rows."),
    ],
)
def test_import_unreadable_files_are_refused_with_a_reason(team, entities, name, content, message):
    with pytest.raises(services.StaffingImportError) as raised:
        run_import(team, SimpleUploadedFile(name, content))

    assert raised.value.messages == [message]
    assert StaffingSnapshot.objects.count() == 0


def test_import_year_out_of_range_is_refused(team, entities):
    with pytest.raises(services.StaffingImportError) as raised:
        run_import(team, csv_upload([["UNDP", "G-5", 1, 1]]), year=1800)

    assert raised.value.messages == ["The year must be between 1990 and 2100."]


def test_grid_saves_one_entity_and_leaves_the_others(team, entities):
    import_rows(team, 2022, [["UNDP", "P-4", 2, 1], ["UNICEF", "G-5", 4, 4]])

    services.save_staffing_grid(
        country_team=team,
        year=2022,
        entity=entities["UNDP"],
        cells={"P-4": {"women": "3", "men": "3"}, "G-5": {"women": "", "men": "2"}},
        as_of=date(2022, 12, 31),
        source="HR focal points",
        by=None,
    )

    stored = sorted(StaffingCount.objects.values_list("entity__acronym", "grade", "women", "men"))
    assert stored == [("UNDP", "G-5", 0, 2), ("UNDP", "P-4", 3, 3), ("UNICEF", "G-5", 4, 4)]


def test_grid_reports_every_bad_cell_and_saves_nothing(team, entities):
    with pytest.raises(services.StaffingImportError) as raised:
        services.save_staffing_grid(
            country_team=team,
            year=2022,
            entity=entities["UNDP"],
            cells={"P-4": {"women": "-3", "men": "1"}, "G-5": {"women": "2", "men": "1.5"}},
            as_of=date(2022, 12, 31),
            source="HR focal points",
            by=None,
        )

    assert raised.value.messages == [
        "P-4: women must be a whole number ≥ 0",
        "G-5: men must be a whole number ≥ 0",
    ]
    assert [(p.grade, p.field) for p in raised.value.problems] == [
        ("P-4", "women"),
        ("G-5", "men"),
    ]
    assert (StaffingSnapshot.objects.count(), StaffingCount.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("P-5", "P-5"),
        ("p5", "P-5"),
        ("P 5", "P-5"),
        ("NO-E", "NO-E"),
        ("noe", "NO-E"),
        ("FS7", "FS-7"),
        ("D2", "D-2"),
        ("usg", "USG"),
        ("Service contracts", "SC"),
        ("UN Volunteer", "UNV"),
        ("other", "OTHER"),
        ("P6", None),
        ("G-8", None),
        ("NO-F", None),
        ("SB-3", None),
    ],
)
def test_normalize_grade_accepts_usual_spellings(typed, code):
    assert services.normalize_grade(typed) == code
