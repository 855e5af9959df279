"""The assessment workbook: downloaded (page, command, API) in the reader's language, filled in
offline, uploaded back, previewed and applied through the pages' services, with conflicts for
work saved since the download. Bad files are in test_workbook_import.py."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import UNEntity
from core.tabular import XLSX_CONTENT_TYPE
from scorecard import selectors, services, workbook, workbook_import
from scorecard.models import ActionPoint, Assessment, IATMember, IndicatorAssessment, Rating
from tests.conftest import PI_CODES


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Helpers (test_workbook_import.py uses them too) ---------------------------------------------

URL = "/teams/KAZ/2022/"


def build(assessment: Assessment, language: str = "en") -> bytes:
    return workbook.build_workbook(selectors.workbook_data(assessment), language=language)


def edit(data: bytes, change: Callable[[Any], None]) -> bytes:
    """The workbook as a person changes it (openpyxl opens and saves it, as Excel would)."""
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ref(book: Any, sheet: str, key: str, column: str = "C") -> str:
    """The cell of `column` on the row whose hidden key (column A) is `key`."""
    for (cell,) in book[sheet].iter_rows(min_col=1, max_col=1):
        if cell.value == key:
            return f"{column}{cell.row}"
    raise KeyError(key)


def put(book: Any, sheet: str, key: str, value: Any, column: str = "C") -> str:
    cell = ref(book, sheet, key, column)
    book[sheet][cell] = value
    return cell


def first_empty_action_row(book: Any, sheet: str = "Action plan") -> int:
    plan = book[sheet]
    for number in range(2, plan.max_row + 1):
        if plan[f"A{number}"].value is None and plan[f"C{number}"].value is None:
            return number
    raise AssertionError("no empty row")


def row_of(assessment: Assessment, code: str) -> IndicatorAssessment:
    return IndicatorAssessment.objects.get(assessment=assessment, indicator__code=code)


def upload(client, data: bytes, url: str = URL):
    return client.post(
        f"{url}workbook/upload/",
        {"file": SimpleUploadedFile("kaz.xlsx", data, content_type=XLSX_CONTENT_TYPE)},
    )


def confirm(client, preview, use: tuple[str, ...] = (), url: str = URL):
    return client.post(
        f"{url}workbook/apply/",
        {
            "token": preview.context["token"],
            "digest": preview.context["digest"],
            "use_workbook": list(use),
        },
    )


def history_count() -> int:
    return (
        IndicatorAssessment.history.count()
        + ActionPoint.history.count()
        + Assessment.history.count()
    )


def db_state() -> dict[str, Any]:
    """What an upload can touch, history included: a refused one leaves it as it was."""
    return {
        "rows": list(
            IndicatorAssessment.objects.order_by("pk").values_list(
                "pk",
                "version",
                "rating",
                "reassessed",
                "criteria_met",
                "findings",
                "explanation",
                "override_justification",
                "numeric_value",
            )
        ),
        "points": list(ActionPoint.objects.order_by("pk").values_list("pk", "text", "status")),
        "members": list(IATMember.objects.order_by("pk").values_list("pk", "name")),
        "process": list(Assessment.objects.order_by("pk").values_list("pk", "process_description")),
        "history": history_count(),
    }


def a_rating_above(row: IndicatorAssessment) -> str:
    return Rating.EXCEEDS if row.suggested_rating != Rating.EXCEEDS else Rating.MEETS


# --- Download -------------------------------------------------------------------------------------


def test_overview_offers_the_workbook_to_download_and_to_upload(client, kaz_2022, iat, viewer):
    client.force_login(iat)
    html = client.get(URL).content.decode()
    assert f'href="{URL}workbook.xlsx"' in html
    assert f'href="{URL}workbook/upload/"' in html

    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert f'href="{URL}workbook.xlsx"' in html
    assert "workbook/upload/" not in html  # a viewer reads, and may download, but not upload


def test_the_workbook_has_instructions_a_sheet_per_pi_the_plan_the_process_and_its_origin(
    client, kaz_2022, iat
):
    client.force_login(iat)
    response = client.get(f"{URL}workbook.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="unct-swap-KAZ-2022.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Instructions",
        *[f"PI {code}" for code in PI_CODES],
        "Action plan",
        "Process and IAT",
        "About this file",
        "lists",
    ]
    assert book["lists"].sheet_state == "hidden"
    assert all(sheet.protection.sheet for sheet in book.worksheets)
    instructions = " ".join(str(c.value) for (c,) in book["Instructions"].iter_rows() if c.value)
    assert "pale yellow" in instructions
    assert "Upload the workbook" in instructions

    pi = book["PI 2.2"]
    row = row_of(kaz_2022, "2.2")
    assert pi["B1"].value == "PI 2.2 Communication & Advocacy"
    assert pi.column_dimensions["A"].hidden  # the keys reading relies on
    criterion_a = ref(book, "PI 2.2", "criterion:a", "C")
    assert pi[criterion_a].value.startswith("The UNCT has contributed")
    assert pi[criterion_a].protection.locked  # the framework's text is not the team's to change
    met_d = pi[ref(book, "PI 2.2", "criterion:d", "D")]
    assert met_d.value == "Yes"
    assert not met_d.protection.locked
    assert pi[ref(book, "PI 2.2", "criterion:b", "E")].value == row.findings["b"]
    rating = pi[ref(book, "PI 2.2", "rating")]
    assert rating.value == "Exceeds minimum requirements"
    assert not rating.protection.locked
    assert pi[ref(book, "PI 2.2", "suggested_rating")].protection.locked
    assert pi[ref(book, "PI 2.2", "reassessed")].value == "Yes"
    lists = {str(v.sqref): v.formula1 for v in pi.data_validations.dataValidation}
    assert lists[ref(book, "PI 2.2", "rating")] == "lists!$A$1:$A$4"
    assert lists[met_d.coordinate] == "lists!$B$1:$B$2"
    assert [book["lists"][f"A{n}"].value for n in range(1, 5)] == [
        str(label) for _v, label in Rating.choices
    ]
    # The numeric input where the PI has one; a carried PI says where it comes from.
    assert book["PI 4.3"][ref(book, "PI 4.3", "numeric_value")].value == 55
    note = book["PI 4.3"][ref(book, "PI 4.3", "reassessed", "E")].value
    assert note.startswith("Carried over from an earlier year")

    plan = book["Action plan"]
    assert [c.value for c in plan[1]][:3] == ["ID", "Primary PI", "Action point"]
    points = selectors.action_points_for(kaz_2022)
    assert plan["A2"].value == points[0].pk
    assert plan["A2"].protection.locked
    assert not plan["C2"].protection.locked
    assert not plan[f"C{len(points) + 2}"].protection.locked  # an empty row for a new point

    meta = book["About this file"]
    values = {row[0].value: row[1].value for row in meta.iter_rows(min_col=1, max_col=2)}
    assert values["assessment"] == str(kaz_2022.pk)
    assert (values["team"], values["year"], values["language"]) == ("KAZ", "2022", "en")
    assert values["version:pi:2.2"] == str(row.version)
    assert values[f"version:ap:{points[0].pk}"] == workbook.action_point_version(points[0])
    assert values["signature"]
    assert meta.row_dimensions[meta.max_row].hidden  # the signature's row


def test_the_workbook_speaks_the_readers_language(client, kaz_2022, iat):
    client.force_login(iat)
    response = client.get(f"{URL}workbook.xlsx", HTTP_ACCEPT_LANGUAGE="fr")

    book = load_workbook(io.BytesIO(response.content))
    assert "IP 2.2" in book.sheetnames
    assert "Plan d'action" in book.sheetnames
    pi = book["IP 2.2"]
    assert pi[ref(book, "IP 2.2", "rating")].value == "Dépasse les exigences minimales"
    assert pi[ref(book, "IP 2.2", "criterion:d", "D")].value == "Oui"
    criterion = pi[ref(book, "IP 2.2", "criterion:a")].value
    assert criterion
    assert not criterion.startswith("The UNCT")


def test_text_that_excel_would_run_as_a_formula_goes_out_quoted_and_comes_back_as_it_was(
    kaz_2022, coordinator
):
    row = row_of(kaz_2022, "2.2")
    IndicatorAssessment.objects.filter(pk=row.pk).update(explanation='=HYPERLINK("x")\n- and')
    data = build(kaz_2022)

    book = load_workbook(io.BytesIO(data))
    cell = book["PI 2.2"][ref(book, "PI 2.2", "explanation")]
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")
    assert not workbook_import.plan_upload(assessment=kaz_2022, data=data).has_changes


# --- Round trip and apply -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "ar", "zh-hans"])
def test_an_unchanged_workbook_has_no_changes_in_any_language(client, kaz_2022, iat, language):
    data = build(kaz_2022, language)
    before = db_state()
    client.force_login(iat)

    preview = upload(client, data)

    assert preview.status_code == 200
    assert preview.context["plan"].has_changes is False
    assert 'data-testid="no-changes"' in preview.content.decode()
    assert db_state() == before


def test_changes_are_previewed_with_labels_and_applied_through_the_services(client, kaz_2022, iat):
    pi22, pi52 = row_of(kaz_2022, "2.2"), row_of(kaz_2022, "5.2")
    above = a_rating_above(pi52)
    undp = UNEntity.objects.get_or_create(acronym="UNDP", defaults={"name": "UNDP"})[0]
    history = IndicatorAssessment.history.filter(id=pi22.pk).count()

    def change(book):
        put(book, "PI 2.2", "criterion:a", "Yes", "D")
        put(book, "PI 2.2", "criterion:a", "Joint radio spots on GBV, March 2022.", "E")
        put(book, "PI 5.2", "rating", str(Rating(above).label))
        put(book, "PI 5.2", "override_justification", "Two trainings since the survey.")
        plan = book["Action plan"]
        number = first_empty_action_row(book)
        plan[f"B{number}"] = "2.2"
        plan[f"C{number}"] = "Co-produce a GEWE radio series with UNCG in 2023."
        plan[f"D{number}"] = "UNDP"
        plan[f"F{number}"] = date(2023, 6, 30)
        plan[f"H{number}"] = "In progress"

    client.force_login(iat)
    preview = upload(client, edit(build(kaz_2022), change))

    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [item.key for item in plan.items] == ["pi:2.2", "pi:5.2", f"new:{_new_row(plan)}"]
    changes = {(c.label, c.before, c.after) for c in plan.items[0].changes}
    assert ("Criteria met: (a)", "No", "Yes") in changes
    assert ("Findings for (a)", "—", "Joint radio spots on GBV, March 2022.") in changes
    rating = next(c for c in plan.items[1].changes if c.field == "rating")
    assert (rating.before, rating.after) == (
        str(Rating(pi52.rating).label),
        str(Rating(above).label),
    )
    new_point = {c.label: c.after for c in plan.items[2].changes}
    assert new_point["Primary PI"] == "PI 2.2"
    assert new_point["Status"] == "In progress"
    assert new_point["Timeline (due date)"] == "2023-06-30"
    html = preview.content.decode()
    assert "Joint radio spots on GBV, March 2022." in html
    assert not any(item.conflict for item in plan.items)

    response = confirm(client, preview)

    assert response.status_code == 302
    assert response["Location"] == URL
    pi22.refresh_from_db()
    pi52.refresh_from_db()
    assert "a" in pi22.criteria_met
    assert pi22.findings["a"] == "Joint radio spots on GBV, March 2022."
    assert pi22.updated_by == iat
    assert pi22.version == 2
    assert (pi52.rating, pi52.override_justification) == (above, "Two trainings since the survey.")
    point = ActionPoint.objects.get(text="Co-produce a GEWE radio series with UNCG in 2023.")
    assert (point.indicator.code, point.status, point.responsible_entity) == (
        "2.2",
        "in_progress",
        undp,
    )
    assert point.timeline == date(2023, 6, 30)
    # The history says who changed what, as for a save on the page.
    assert IndicatorAssessment.history.filter(id=pi22.pk).count() == history + 1
    assert IndicatorAssessment.history.filter(id=pi22.pk).first().history_user == iat
    assert ActionPoint.history.filter(id=point.pk).get().history_user == iat
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Workbook applied: 3 changes saved."]


def _new_row(plan: workbook_import.ImportPlan) -> str:
    return next(item.key for item in plan.items if item.new).removeprefix("new:")


def test_the_same_workbook_uploaded_again_has_no_changes(client, kaz_2022, iat):
    data = edit(
        build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "Stated in the plan.")
    )
    client.force_login(iat)
    confirm(client, upload(client, data))
    assert row_of(kaz_2022, "2.2").explanation == "Stated in the plan."

    again = upload(client, data)  # versions moved on, and the content is the workbook's

    assert again.context["plan"].has_changes is False


def test_a_carried_pi_that_changes_becomes_reassessed_and_the_preview_says_so(
    client, kaz_2022, iat
):
    carried = row_of(kaz_2022, "4.3")
    assert carried.is_carried

    def change(book):
        put(book, "PI 4.3", "criterion:a", "A monitoring group was set up.", "E")
        put(book, "PI 4.3", "override_justification", "Parity reached in two agencies.")

    client.force_login(iat)
    preview = upload(client, edit(build(kaz_2022), change))

    (item,) = preview.context["plan"].items
    assert item.becomes_reassessed
    assert ("Reassessed this year", "No", "Yes") in {
        (c.label, c.before, c.after) for c in item.changes
    }
    assert 'data-testid="becomes-reassessed"' in preview.content.decode()
    confirm(client, preview)
    carried.refresh_from_db()
    assert carried.reassessed
    assert carried.carried_from_year is None
    assert carried.findings["a"] == "A monitoring group was set up."


def test_reassessed_yes_alone_starts_the_reassessment(client, kaz_2022, iat):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 1.1", "reassessed", "Yes"))
    client.force_login(iat)

    preview = upload(client, data)
    (item,) = preview.context["plan"].items
    assert item.key == "pi:1.1"
    assert item.becomes_reassessed
    confirm(client, preview)

    row = row_of(kaz_2022, "1.1")
    assert row.reassessed
    assert row.history.first().history_user == iat


def test_process_and_iat_members_are_applied(client, kaz_2022, iat):
    undp = UNEntity.objects.get_or_create(acronym="UNDP", defaults={"name": "UNDP"})[0]

    def change(book):
        put(book, "Process and IAT", "process_description", "Two workshops and a survey.")
        sheet = book["Process and IAT"]
        header = int(ref(book, "Process and IAT", "iat_header", "A")[1:])
        for number in range(header + 1, sheet.max_row + 1):
            for column in "BCDE":
                sheet[f"{column}{number}"] = None
        sheet[f"B{header + 1}"] = "Aigerim Sadykova"
        sheet[f"C{header + 1}"] = "Gender focal point"
        sheet[f"D{header + 1}"] = "UNDP"
        sheet[f"E{header + 1}"] = "Yes"

    client.force_login(iat)
    preview = upload(client, edit(build(kaz_2022), change))

    assert [item.key for item in preview.context["plan"].items] == ["process", "iat"]
    confirm(client, preview)
    kaz_2022.refresh_from_db()
    assert kaz_2022.process_description == "Two workshops and a survey."
    assert list(kaz_2022.iat_members.values_list("name", "title", "entity", "is_coordinator")) == [
        ("Aigerim Sadykova", "Gender focal point", undp.pk, True)
    ]


def test_an_existing_action_point_is_updated_in_place(client, kaz_2022, iat):
    point = selectors.action_points_for(kaz_2022)[0]

    def change(book):
        book["Action plan"]["H2"] = "Completed"
        book["Action plan"]["L2"] = "Done in 2022."

    client.force_login(iat)
    preview = upload(client, edit(build(kaz_2022), change))

    (item,) = preview.context["plan"].items
    assert item.key == f"ap:{point.pk}"
    assert {c.label: (c.before, c.after) for c in item.changes}["Status"] == (
        "In progress",
        "Completed",
    )
    confirm(client, preview)
    point.refresh_from_db()
    assert (point.status, point.activities_year_4) == ("completed", "Done in 2022.")
    assert point.history.first().history_user == iat


def test_everything_is_applied_in_one_transaction(client, kaz_2022, iat, monkeypatch):
    def change(book):
        put(book, "PI 2.2", "explanation", "Saved first.")
        plan = book["Action plan"]
        number = first_empty_action_row(book)
        plan[f"B{number}"] = "2.2"
        plan[f"C{number}"] = "Written last."

    client.force_login(iat)
    preview = upload(client, edit(build(kaz_2022), change))
    before = db_state()

    def broken(**kwargs):
        raise services.ConcurrentEditError(row_of(kaz_2022, "2.2"))

    monkeypatch.setattr(services, "create_action_point", broken)
    response = confirm(client, preview)

    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert db_state() == before  # the PI saved first was rolled back with the rest


# --- Conflicts ----------------------------------------------------------------------------------


def _save_online(row: IndicatorAssessment, by, explanation: str) -> None:
    services.save_indicator_assessment(
        row=row,
        by=by,
        data=services.RatingInput(
            rating=row.rating,
            criteria_met=list(row.criteria_met),
            numeric_value=row.numeric_value,
            findings=dict(row.findings),
            explanation=explanation,
            override_justification=row.override_justification,
            means_of_verification=row.means_of_verification,
        ),
        expected_version=row.version,
    )


def test_a_pi_saved_online_since_the_download_is_a_conflict_left_unless_chosen(
    client, kaz_2022, iat, coordinator
):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "criterion:a", "Offline.", "E"))
    _save_online(row_of(kaz_2022, "2.2"), coordinator, "Saved online meanwhile.")
    client.force_login(iat)

    preview = upload(client, data)

    (item,) = preview.context["plan"].items
    assert item.conflict
    assert not item.chosen
    assert "after the download" in item.conflict_note
    html = preview.content.decode()
    assert 'data-testid="conflicts"' in html
    assert 'name="use_workbook" value="pi:2.2"' in html

    left = confirm(client, preview)  # not ticked: the platform's version stays

    assert left.status_code == 302
    row = row_of(kaz_2022, "2.2")
    assert (row.explanation, row.findings.get("a"), row.version) == (
        "Saved online meanwhile.",
        None,
        2,
    )
    assert [str(m) for m in left.wsgi_request._messages] == [
        "1 conflict was left as it is on the platform."
    ]

    chosen = confirm(client, upload(client, data), use=("pi:2.2",))

    assert chosen.status_code == 302
    row = row_of(kaz_2022, "2.2")
    assert row.findings["a"] == "Offline."
    assert row.explanation == ""  # the workbook's version, whole
    assert row.version == 3
    assert row.updated_by == iat


def test_an_older_download_shows_every_pi_saved_online_since_as_a_conflict(
    client, kaz_2022, iat, coordinator
):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 3.2", "explanation", "Offline."))
    _save_online(row_of(kaz_2022, "2.2"), coordinator, "Saved online meanwhile.")
    client.force_login(iat)
    # PI 2.2 reads back as it was downloaded, not as it is now: a conflict, left as it is.
    preview = upload(client, data)

    assert [(item.key, item.conflict) for item in preview.context["plan"].items] == [
        ("pi:2.2", True),
        ("pi:3.2", False),
    ]
    confirm(client, preview)
    assert row_of(kaz_2022, "2.2").explanation == "Saved online meanwhile."
    assert row_of(kaz_2022, "3.2").explanation == "Offline."


def test_an_action_point_changed_online_is_a_conflict(client, kaz_2022, iat, coordinator):
    point = selectors.action_points_for(kaz_2022)[0]
    data = edit(build(kaz_2022), lambda book: book["Action plan"].__setitem__("H2", "Completed"))
    services.update_action_point(action_point=point, by=coordinator, resources="USD 5,000")
    client.force_login(iat)

    preview = upload(client, data)

    item = next(i for i in preview.context["plan"].items if i.key == f"ap:{point.pk}")
    assert item.conflict
    confirm(client, preview)
    point.refresh_from_db()
    assert (point.status, point.resources) == ("in_progress", "USD 5,000")


def test_the_assessment_changing_between_preview_and_confirm_shows_the_preview_again(
    client, kaz_2022, iat, coordinator
):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "Offline."))
    client.force_login(iat)
    preview = upload(client, data)
    assert not preview.context["plan"].items[0].conflict
    _save_online(row_of(kaz_2022, "2.2"), coordinator, "Saved online meanwhile.")

    response = confirm(client, preview)

    assert response.status_code == 409
    assert response.context["plan"].items[0].conflict  # shown again, now as a conflict
    assert row_of(kaz_2022, "2.2").explanation == "Saved online meanwhile."


# --- Who may ------------------------------------------------------------------------------------


def test_a_viewer_downloads_but_may_not_upload(client, kaz_2022, viewer):
    data = build(kaz_2022)
    before = db_state()
    client.force_login(viewer)

    assert client.get(f"{URL}workbook.xlsx").status_code == 200
    assert client.get(f"{URL}workbook/upload/").status_code == 403
    assert upload(client, data).status_code == 403
    assert client.post(f"{URL}workbook/apply/", {"token": "x"}).status_code == 403
    assert db_state() == before


def test_another_teams_member_gets_404(client, kaz_2022, outsider):
    data = build(kaz_2022)
    client.force_login(outsider)

    assert client.get(f"{URL}workbook.xlsx").status_code == 404
    assert client.get(f"{URL}workbook/upload/").status_code == 404
    assert upload(client, data).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, kaz_2022):
    response = client.get(f"{URL}workbook.xlsx")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_no_upload_once_the_assessment_left_the_team(client, kaz_2022, iat):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status=Assessment.Status.SUBMITTED)
    client.force_login(iat)

    assert client.get(f"{URL}workbook.xlsx").status_code == 200
    assert upload(client, build(kaz_2022)).status_code == 403


def test_a_preview_is_the_uploaders_own_and_expires(
    client, kaz_2022, iat, coordinator, monkeypatch
):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "Offline."))
    client.force_login(iat)
    preview = upload(client, data)
    before = db_state()

    client.force_login(coordinator)  # a token is for the user it was made for
    response = confirm(client, preview)
    assert response.status_code == 400
    assert "upload the workbook again" in response.content.decode()

    client.force_login(iat)
    tampered = client.post(
        f"{URL}workbook/apply/",
        {"token": preview.context["token"][:-2] + "xx", "digest": preview.context["digest"]},
    )
    assert tampered.status_code == 400
    monkeypatch.setattr(workbook_import, "TOKEN_MAX_AGE", -1)
    expired = confirm(client, preview)
    assert expired.status_code == 400
    assert "more than an hour old" in expired.content.decode()
    assert db_state() == before


# --- Commands -----------------------------------------------------------------------------------


def test_export_workbook_command(kaz_2022, tmp_path):
    out = tmp_path / "kaz.xlsx"

    call_command("export_workbook", "kaz", "2022", "--out", str(out), "--language", "fr")

    book = load_workbook(out)
    assert "IP 2.2" in book.sheetnames
    with pytest.raises(CommandError, match="No assessment for KAZ 2031"):
        call_command("export_workbook", "KAZ", "2031", "--out", str(out))


def test_import_workbook_command_dry_run_writes_nothing_then_applies(kaz_2022, iat, tmp_path):
    path = tmp_path / "kaz.xlsx"
    path.write_bytes(
        edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "From the CLI."))
    )
    before = db_state()
    out = io.StringIO()

    call_command("import_workbook", str(path), "--user", "iat", "--dry-run", stdout=out)

    assert db_state() == before
    text = out.getvalue()
    assert "PI 2.2 Communication & Advocacy (pi:2.2)" in text
    assert "Findings and explanation (general): — → From the CLI." in text
    assert "Dry run: nothing was saved (1 changes would be)." in text

    call_command("import_workbook", str(path), "--user", "iat", stdout=io.StringIO())

    row = row_of(kaz_2022, "2.2")
    assert row.explanation == "From the CLI."
    assert row.history.first().history_user == iat


def test_import_workbook_command_applies_a_conflict_only_when_named(
    kaz_2022, iat, coordinator, tmp_path
):
    path = tmp_path / "kaz.xlsx"
    path.write_bytes(
        edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "From the CLI."))
    )
    _save_online(row_of(kaz_2022, "2.2"), coordinator, "Online.")
    out = io.StringIO()

    call_command("import_workbook", str(path), "--user", "iat", stdout=out)
    assert "conflict, left as it is (--use-workbook pi:2.2 to apply it)" in out.getvalue()
    assert row_of(kaz_2022, "2.2").explanation == "Online."

    call_command(
        "import_workbook", str(path), "--user", "iat", "--use-workbook", "pi:2.2", stdout=out
    )
    assert row_of(kaz_2022, "2.2").explanation == "From the CLI."


def test_import_workbook_command_refuses_with_the_reasons(kaz_2022, viewer, outsider, tmp_path):
    path = tmp_path / "kaz.xlsx"
    path.write_bytes(edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "rating", "Superb")))
    before = db_state()

    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("import_workbook", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="may not change"):
        call_command("import_workbook", str(path), "--user", "viewer")
    with pytest.raises(CommandError, match="cannot see"):
        call_command("import_workbook", str(path), "--user", "outsider")
    assert db_state() == before


def test_import_workbook_command_names_the_cell(kaz_2022, iat, tmp_path):
    path = tmp_path / "kaz.xlsx"
    path.write_bytes(edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "rating", "Superb")))

    with pytest.raises(CommandError, match="PI 2.2, C10: choose one of the levels"):
        call_command("import_workbook", str(path), "--user", "iat")


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def api_upload(api, assessment: Assessment, data: bytes, **fields: Any):
    return api.post(
        f"/api/v1/assessments/{assessment.pk}/workbook/import/",
        {"file": SimpleUploadedFile("kaz.xlsx", data, content_type=XLSX_CONTENT_TYPE), **fields},
        format="multipart",
    )


def test_api_downloads_the_workbook(api, kaz_2022, viewer, outsider):
    api.force_authenticate(viewer)

    response = api.get(f"/api/v1/assessments/{kaz_2022.pk}/workbook/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "IP 2.2" in load_workbook(io.BytesIO(response.content)).sheetnames
    asked = api.get(f"/api/v1/assessments/{kaz_2022.pk}/workbook/", HTTP_ACCEPT=XLSX_CONTENT_TYPE)
    assert asked.status_code == 200
    api.force_authenticate(outsider)
    missing = api.get(f"/api/v1/assessments/{kaz_2022.pk}/workbook/", HTTP_ACCEPT=XLSX_CONTENT_TYPE)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def test_api_previews_then_applies(api, kaz_2022, iat):
    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "Via the API."))
    api.force_authenticate(iat)

    preview = api_upload(api, kaz_2022, data)

    assert preview.status_code == 200
    body = preview.json()
    assert (body["applied"], body["no_changes"]) == (False, False)
    (item,) = body["items"]
    assert (item["key"], item["conflict"], item["applies"]) == ("pi:2.2", False, True)
    assert item["changes"] == [
        {
            "field": "explanation",
            "label": "Findings and explanation (general)",
            "before": "—",
            "after": "Via the API.",
        }
    ]
    assert row_of(kaz_2022, "2.2").explanation == ""

    applied = api_upload(api, kaz_2022, data, apply=True, digest=body["digest"])

    assert applied.status_code == 200
    assert applied.json()["applied"] is True
    assert row_of(kaz_2022, "2.2").explanation == "Via the API."
    again = api_upload(api, kaz_2022, data)
    assert again.json()["no_changes"] is True


def test_api_refuses_a_bad_workbook_and_a_stale_preview(api, kaz_2022, iat, coordinator):
    api.force_authenticate(iat)
    bad = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "rating", "Superb"))

    refused = api_upload(api, kaz_2022, bad, apply=True)

    assert refused.status_code == 400
    assert refused.json()["file"] == ["PI 2.2, C10: choose one of the levels from the list."]
    assert refused.json()["detail"] == "PI 2.2, C10: choose one of the levels from the list."

    data = edit(build(kaz_2022), lambda book: put(book, "PI 2.2", "explanation", "Via the API."))
    digest = api_upload(api, kaz_2022, data).json()["digest"]
    _save_online(row_of(kaz_2022, "2.2"), coordinator, "Online.")
    stale = api_upload(api, kaz_2022, data, apply=True, digest=digest)
    assert stale.status_code == 409
    assert stale.json()["items"][0]["conflict"] is True
    assert row_of(kaz_2022, "2.2").explanation == "Online."


def test_api_import_follows_the_gates(api, kaz_2022, viewer, outsider):
    data = build(kaz_2022)
    api.force_authenticate(viewer)
    assert api_upload(api, kaz_2022, data).status_code == 403
    api.force_authenticate(outsider)
    assert api_upload(api, kaz_2022, data).status_code == 404
