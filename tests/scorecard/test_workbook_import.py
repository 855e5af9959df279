"""Workbooks that are refused, each with a message that names what is wrong (the sheet and the
cell where there is one), in the uploader's language; nothing is ever written."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import resolve
from openpyxl import Workbook

from core import bodies
from core.tabular import MB
from scorecard import services, workbook, workbook_import
from scorecard.models import Rating
from tests.scorecard.test_workbook import (
    URL,
    build,
    db_state,
    edit,
    first_empty_action_row,
    put,
    ref,
    row_of,
    upload,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def refused(client, data: bytes, url: str = URL) -> list[str]:
    """Upload as the logged-in user; the problems listed, having checked nothing was written."""
    before = db_state()
    response = upload(client, data, url)
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.content.decode()
    assert db_state() == before
    return [str(error) for error in response.context["summary"].non_field_errors()] or [
        str(error) for errors in response.context["summary"].errors.values() for error in errors
    ]


@pytest.fixture
def logged_in(client, kaz_2022, iat):
    client.force_login(iat)
    return client


def plain_xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "entity"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Not the file it should be ------------------------------------------------------------------


def test_a_file_that_is_not_a_workbook(logged_in):
    assert refused(logged_in, b"%PDF-1.4\n%%EOF\n") == ["The file is not a valid .xlsx workbook."]
    assert refused(logged_in, b"entity,grade\nUNDP,P4\n") == [
        "The file is not a valid .xlsx workbook."
    ]


def test_a_workbook_not_made_by_the_platform(logged_in):
    (message,) = refused(logged_in, plain_xlsx())
    assert message.startswith("This is not an assessment workbook made by the platform")


def test_a_file_too_large(logged_in, kaz_2022):
    data = build(kaz_2022) + b"\0" * (workbook.MAX_BYTES + 1)

    assert refused(logged_in, data) == ["The file is larger than 2 MB."]
    with pytest.raises(workbook.WorkbookRefused, match="larger than 2 MB"):
        workbook_import.plan_upload(assessment=kaz_2022, data=data)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_opened(kaz_2022):
    book = Workbook()
    for number in range(1, workbook.MAX_ROWS + 2):
        book.active[f"A{number}"] = number
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(workbook.WorkbookRefused, match="more than 2000 rows"):
        workbook_import.plan_upload(assessment=kaz_2022, data=out.getvalue())


def test_a_workbook_of_another_assessment(logged_in, framework, other_team, outsider, kaz_2022):
    demoland = services.create_comprehensive_assessment(
        country_team=other_team, year=2022, by=outsider
    )

    assert refused(logged_in, build(demoland)) == [
        "This workbook is of XDL 2022, not of KAZ 2022: upload the workbook downloaded from "
        "this assessment."
    ]


def test_a_workbook_of_another_year_of_the_same_team(logged_in, kaz_2022, coordinator):
    next_year = services.create_annual_assessment(
        country_team=kaz_2022.country_team, year=2023, by=coordinator
    )

    (message,) = refused(logged_in, build(next_year))
    assert message.startswith("This workbook is of KAZ 2023, not of KAZ 2022")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("assessment", "999"),  # pointed at another assessment
        ("version:pi:2.2", "99"),  # a version made to match the platform's
        ("team", "XDL"),
    ],
)
def test_the_protected_sheet_edited(logged_in, kaz_2022, key, value):
    def change(book):
        book["About this file"][ref(book, "About this file", key, "B")] = value

    assert refused(logged_in, edit(build(kaz_2022), change)) == [
        "The sheet “About this file” was changed, so the file can no longer be matched with its "
        "assessment. Download a new workbook."
    ]


def test_the_signature_removed_or_forged(logged_in, kaz_2022):
    def remove(book):
        sheet = book["About this file"]
        sheet[ref(book, "About this file", "signature", "B")] = None

    def forge(book):
        sheet = book["About this file"]
        sheet[ref(book, "About this file", "signature", "B")] = "x" * 27

    for change in (remove, forge):
        (message,) = refused(logged_in, edit(build(kaz_2022), change))
        assert message.startswith("The sheet “About this file” was changed")


def test_a_sheet_renamed(logged_in, kaz_2022):
    def rename(book):
        book["PI 2.2"].title = "Communication"

    assert refused(logged_in, edit(build(kaz_2022), rename)) == [
        "The sheet “PI 2.2” is missing: do not rename or delete sheets."
    ]


def test_rows_moved_in_a_pi_sheet(logged_in, kaz_2022):
    def move(book):
        book["PI 2.2"][ref(book, "PI 2.2", "rating", "A")] = None

    assert refused(logged_in, edit(build(kaz_2022), move)) == [
        "PI 2.2: its rows were changed, so its cells cannot be read. Download a new workbook."
    ]


def test_a_column_of_the_action_plan_removed(logged_in, kaz_2022):
    def remove(book):
        book["Action plan"]["H1"] = "Comments"

    assert refused(logged_in, edit(build(kaz_2022), remove)) == [
        "Action plan: the columns “Status” are missing. Download a new workbook."
    ]


# --- Formulas and values not in their lists -------------------------------------------------------


def test_formulas_where_values_belong(logged_in, kaz_2022):
    def change(book):
        put(book, "PI 2.2", "criterion:a", "=1+1", "E")
        put(book, "PI 3.2", "rating", "=INDEX(lists!A1:A4,3)")

    # PI 2.2's rows: criteria (a)-(d) on 5-8, the rating on 10; PI 3.2 has three criteria.
    assert refused(logged_in, edit(build(kaz_2022), change)) == [
        "PI 2.2, E5: a formula is not accepted here: type the value itself.",
        "PI 3.2, C9: a formula is not accepted here: type the value itself.",
    ]


def test_values_that_are_not_in_their_lists_name_their_cells(logged_in, kaz_2022):
    def change(book):
        put(book, "PI 2.2", "rating", "Excellent")
        put(book, "PI 2.2", "criterion:a", "Maybe", "D")
        put(book, "PI 4.3", "numeric_value", "about half")
        put(book, "PI 2.2", "reassessed", "Sometimes")

    assert refused(logged_in, edit(build(kaz_2022), change)) == [
        "PI 2.2, D5: write Yes or No, or choose from the list.",
        "PI 2.2, C10: choose one of the levels from the list.",
        "PI 2.2, C13: write Yes or No, or choose from the list.",
        "PI 4.3, C13: enter a number.",
    ]


def test_messages_speak_the_uploaders_language(client, kaz_2022, iat):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "x" * 20_001))
    client.force_login(iat)

    response = client.post(
        f"{URL}workbook/upload/", {"file": io.BytesIO(data)}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    (message,) = response.context["summary"].non_field_errors()
    # The sheet as the file names it, the cell, and the reason in the uploader's language.
    # (French puts a no-break space before the colon.)
    assert message.startswith(
        "PI 2.2, C15\xa0: Assurez-vous que cette valeur comporte au plus 20000"
    )


def test_labels_are_read_in_any_language(client, kaz_2022, iat):
    """A workbook downloaded in French, uploaded by an English user: labels read back."""
    above = Rating.EXCEEDS

    def change(book):
        put(book, "IP 5.2", "rating", "Dépasse les exigences minimales")
        put(book, "IP 5.2", "override_justification", "Deux formations.")
        put(book, "IP 5.2", "criterion:a", "Non", "D")

    client.force_login(iat)
    preview = upload(client, edit(build(kaz_2022, "fr"), change))

    assert preview.status_code == 200
    (item,) = preview.context["plan"].items
    assert {c.field: c.after for c in item.changes}["rating"] == str(Rating(above).label)


def test_the_service_rules_hold_with_the_cell_they_are_about(logged_in, kaz_2022):
    pi52 = row_of(kaz_2022, "5.2")
    above = Rating.EXCEEDS if pi52.suggested_rating != Rating.EXCEEDS else Rating.MEETS

    def change(book):
        put(book, "PI 5.2", "rating", str(Rating(above).label))  # no justification
        put(book, "PI 4.3", "numeric_value", 150)
        put(book, "PI 4.3", "override_justification", "Kept.")

    assert refused(logged_in, edit(build(kaz_2022), change)) == [
        "PI 4.3, C13: Enter a percentage between 0 and 100.",
        "PI 5.2, C11: The rating differs from the suggested rating "
        f"({Rating(pi52.suggested_rating).label}): explain why.",
    ]


def test_a_carried_rating_above_its_suggestion_needs_a_justification_once_changed(
    logged_in, kaz_2022
):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 4.3", "criterion:a", "Set up.", "E"))

    (message,) = refused(logged_in, data)
    assert message.startswith("PI 4.3, C11: The rating differs from the suggested rating")


def test_a_text_too_long(logged_in, kaz_2022):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "x" * 20_001))

    assert refused(logged_in, data) == [
        "PI 2.2, C15: Ensure this value has at most 20000 characters (it has 20001)."
    ]


def test_a_pi_reassessed_this_year_cannot_go_back_to_carried(logged_in, kaz_2022):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "reassessed", "No"))

    assert refused(logged_in, data) == [
        "PI 2.2, C13: a PI reassessed this year cannot be set back to carried over: choose Yes."
    ]


# --- The action plan, the process, the IAT ------------------------------------------------------


def test_action_plan_rows_are_checked_cell_by_cell(logged_in, kaz_2022):
    def change(book):
        plan = book["Action plan"]
        number = first_empty_action_row(book)
        plan[f"B{number}"] = "9.9"  # no such PI
        plan[f"C{number}"] = "A new point."
        plan[f"D{number}"] = "NOPE"  # no such entity
        plan[f"F{number}"] = "next spring"
        plan[f"H{number}"] = "Nearly done"
        plan[f"B{number + 1}"] = "2.2"  # no text
        plan[f"H{number + 1}"] = "Completed"
        plan["A3"] = plan["A2"].value  # the same point twice
        plan[f"A{number + 2}"] = 987654  # not this assessment's
        plan[f"C{number + 2}"] = "Someone else's."
        plan[f"B{number + 2}"] = "2.2"

    data = edit(build(kaz_2022), change)
    number = len(services.selectors.action_points_for(kaz_2022)) + 2

    assert refused(logged_in, data) == [
        f"Action plan, F{number}: enter a date as YYYY-MM-DD.",
        f"Action plan, H{number}: choose a status from the list.",
        "Action plan, A3: this ID is on another row too.",
        f"Action plan, B{number}: choose a PI from the list.",
        f"Action plan, D{number}: choose a UN entity from the list.",
        f"Action plan, C{number + 1}: This field cannot be blank.",
        f"Action plan, A{number + 2}: no action point of this assessment has this ID: leave the "
        "ID empty for a new action point.",
    ]


def test_iat_members_need_a_name_and_a_known_entity(logged_in, kaz_2022):
    def change(book):
        sheet = book["Process and IAT"]
        header = int(ref(book, "Process and IAT", "iat_header", "A")[1:])
        last = header + 1
        while sheet[f"B{last}"].value:
            last += 1
        sheet[f"C{last}"] = "Focal point"
        sheet[f"D{last}"] = "NOPE"

    data = edit(build(kaz_2022), change)
    problems = refused(logged_in, data)

    assert len(problems) == 2
    assert problems[0].endswith(": choose a UN entity from the list.")
    assert problems[1].endswith(": write the member's name.")
    assert problems[0].startswith("Process and IAT, D")


def test_an_action_point_withdrawn_since_the_download_is_left_out_with_a_note(
    logged_in, kaz_2022, coordinator
):
    point = services.selectors.action_points_for(kaz_2022)[0]
    data = edit(build(kaz_2022), lambda book: book["Action plan"].__setitem__("H2", "Completed"))
    services.withdraw_action_point(action_point=point, by=coordinator, reason="Merged.")

    preview = upload(logged_in, data)

    assert preview.status_code == 200
    assert preview.context["plan"].has_changes is False
    assert preview.context["plan"].notes == [
        f"Action point {point.pk} (row 2) was withdrawn on the platform since the download: its "
        "row is left out."
    ]


def test_an_action_point_row_emptied_is_not_withdrawn(logged_in, kaz_2022):
    point = services.selectors.action_points_for(kaz_2022)[0]

    def empty(book):
        for cells in book["Action plan"]["A2:L2"]:
            for cell in cells:
                cell.value = None

    preview = upload(logged_in, edit(build(kaz_2022), empty))

    assert preview.context["plan"].has_changes is False
    assert "action points are withdrawn on the platform" in preview.context["plan"].notes[0]
    point.refresh_from_db()
    assert point.withdrawn_at is None


def test_a_timeline_typed_as_text_is_read(logged_in, kaz_2022):
    def change(book):
        book["Action plan"]["F2"] = "2024-03-31"

    preview = upload(logged_in, edit(build(kaz_2022), change))

    (item,) = preview.context["plan"].items
    assert {c.field: c.after for c in item.changes} == {"timeline": "2024-03-31"}
    assert item.payload == {"timeline": date(2024, 3, 31)}


def test_every_problem_is_listed_at_once(logged_in, kaz_2022):
    def change(book):
        put(book, "PI 1.1", "rating", "Excellent")
        put(book, "PI 7.1", "rating", "Superb")
        book["Action plan"]["H2"] = "Nearly"

    assert len(refused(logged_in, edit(build(kaz_2022), change))) == 3


def test_the_size_cap_holds_before_the_view_reads_the_body():
    assert workbook.MAX_BYTES == 2 * MB
    view = resolve(f"{URL}workbook/upload/").func
    assert bodies.limit_for(view, "POST") == workbook.MAX_BYTES + bodies.FORM_ALLOWANCE
    view = resolve(f"{URL}workbook/apply/").func
    assert bodies.limit_for(view, "POST") == workbook_import.TOKEN_MAX_BYTES + bodies.FORM_ALLOWANCE
