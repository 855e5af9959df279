"""The assessment workbook: an assessment as an .xlsx file that the team works on offline, and
that file read back. scorecard/workbook_import.py compares what is read with the assessment,
previews and applies it.

No database here: the workbook is made from `selectors.workbook_data`, and reading returns plain
values, each with the cell it came from, so that every message names its sheet and cell
("PI 2.2, D7: …"). The sheets, in the language asked for:

- Instructions: what to fill in, what not to touch, how to upload the file back;
- one sheet per PI: the criteria with their text, met or not (a Yes/No list) and the findings of
  each; the rating (a list of the levels), the suggested rating (for information), the
  justification, "reassessed this year", the numeric input where the PI has one, the means of
  verification and the explanation;
- Action plan: one row per action point in force, with its id; new ones in the empty rows below;
- Process and IAT: the process text and the members of the Interagency Assessment Team;
- About this file: what the file was made from (assessment id, team, year, framework, language,
  each sheet's title, the version of each PI row, a fingerprint of each action point, of the
  process text and of the IAT), signed with an HMAC (django.core.signing, keyed by SECRET_KEY) in
  a hidden row: a value changed there, or a file not made by the platform, is refused;
- a hidden sheet with the drop-down lists.

Every sheet is protected without a password (the protection guides people, the signature is what
guards); the cells to fill in are unlocked and pale yellow. Hidden column A of the PI and process
sheets says what each row is ("criterion:a_all", "rating"), so reading depends neither on the
language of the file nor on row numbers; the action plan's columns are found by their header, in
any of the six languages (core.tabular.Columns).

Text goes out through core.tabular.safe_cell (an apostrophe before a text that Excel would run as
a formula) and comes back without that apostrophe, so an unchanged file reads back unchanged; a
cell that holds a formula is refused. Labels (ratings, Yes/No, statuses) are read in any language.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.signing import Signer
from django.db import models
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import limits
from core.tabular import (
    FORMULA_STARTS,
    MB,
    Column,
    Columns,
    SpreadsheetRefused,
    check_size,
    check_xlsx,
    choice_lookup,
    fold,
    safe_cell,
    yes_no,
    yes_no_words,
)

from .models import (
    FINDING_MAX_LENGTH,
    ActionPoint,
    Assessment,
    Criterion,
    IATMember,
    Indicator,
    IndicatorAssessment,
    Rating,
)
from .selectors import WorkbookData

FORMAT = "unct-swap-workbook/1"
# A workbook of 15 PIs and 200 action points whose every text is long is a few hundred KB.
MAX_BYTES = 2 * MB
# check_xlsx's budgets: the action plan is the longest sheet (a row per action point and the empty
# rows for new ones); texts are long, so the rows x columns allowed also give the room their
# characters need once unpacked (core/tabular.py).
MAX_ROWS = 2000
MAX_COLUMNS = 20
NEW_ACTION_POINT_ROWS = 100
NEW_MEMBER_ROWS = 20
SALT = "scorecard.workbook"
LISTS = "lists"  # the hidden sheet of drop-down values (never seen, so never translated)
INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")

# Columns of the PI and process sheets: what the row is (hidden), label, value, met, findings.
KEY, LABEL, VALUE, MET, NOTE = "A", "B", "C", "D", "E"
PI_FIELDS = (
    "rating",
    "override_justification",
    "reassessed",
    "means_of_verification",
    "explanation",
)
PROCESS_FIELDS = ("process_description", "participation", "additional_comments")

INPUT_FILL = "FFF6D5"  # the cells to fill in
INFO_FILL = "EDEDED"  # shown for information, not read


class WorkbookRefused(Exception):
    """An uploaded workbook that cannot be read or applied; `messages` says why, each naming the
    sheet and cell where it can (in the active language)."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def _label(model: type[models.Model], name: str) -> str | Promise:
    return model._meta.get_field(name).verbose_name


ACTION_PLAN_COLUMNS = Columns(
    Column("id", gettext_lazy("ID")),
    Column("indicator", _label(ActionPoint, "indicator")),
    Column("text", _label(ActionPoint, "text")),
    Column("responsible_entity", _label(ActionPoint, "responsible_entity")),
    Column("responsible", _label(ActionPoint, "responsible")),
    Column("timeline", _label(ActionPoint, "timeline")),
    Column("resources", _label(ActionPoint, "resources")),
    Column("status", _label(ActionPoint, "status")),
    Column("activities_year_1", _label(ActionPoint, "activities_year_1")),
    Column("activities_year_2", _label(ActionPoint, "activities_year_2")),
    Column("activities_year_3", _label(ActionPoint, "activities_year_3")),
    Column("activities_year_4", _label(ActionPoint, "activities_year_4")),
)
ACTION_POINT_TEXTS = (
    "text",
    "responsible",
    "resources",
    "activities_year_1",
    "activities_year_2",
    "activities_year_3",
    "activities_year_4",
)


# --- What the file was made from ---------------------------------------------------------------


def fingerprint(values: Sequence[Any]) -> str:
    """The version of a thing that has no version number: a hash of its values."""
    text = json.dumps(list(values), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def action_point_version(point: ActionPoint) -> str:
    return fingerprint(
        [
            point.indicator_id,
            point.text,
            point.responsible_entity_id,
            point.responsible,
            point.timeline,
            point.resources,
            point.status,
            *point.activities,
        ]
    )


def process_version(assessment: Assessment) -> str:
    return fingerprint([getattr(assessment, name) for name in PROCESS_FIELDS])


def iat_version(members: Iterable[IATMember]) -> str:
    return fingerprint([[m.name, m.title, m.entity_id, m.is_coordinator] for m in members])


@dataclass(frozen=True)
class Meta:
    """The signed values of the "About this file" sheet."""

    assessment_id: int
    team: str
    year: int
    framework: str
    language: str
    sheets: dict[str, str]  # part ("pi:2.2", "action_plan", "process") → sheet title
    versions: dict[str, str]  # part ("pi:2.2", "ap:17", "process", "iat") → version when made


def _signature(pairs: Sequence[tuple[str, str]]) -> str:
    payload = json.dumps([list(pair) for pair in pairs], ensure_ascii=False, separators=(",", ":"))
    return Signer(salt=SALT).signature(payload)


# --- Cells --------------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """A text as a cell holds it: without the control characters a workbook cannot carry, with
    "\\n" line ends. What is read is compared with the assessment's text cleaned the same way."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415 -- workbooks only

    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _out(value: Any) -> Any:
    if isinstance(value, Promise):  # a lazy label
        value = str(value)
    if isinstance(value, str):
        return safe_cell(clean_text(value))
    return value


def cell_text(value: Any) -> str:
    """A cell's value as text, the apostrophe safe_cell put before a formula-like text taken off."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return clean_text(text)


def rating_label(value: str) -> str:
    return str(Rating(value).label) if value in Rating.values else ""


# --- Writing ------------------------------------------------------------------------------------


def filename(assessment: Assessment) -> str:
    return f"unct-swap-{assessment.country_team.code}-{assessment.year}.xlsx"


def build_workbook(data: WorkbookData, *, language: str) -> bytes:
    """The workbook of an assessment, its labels and the framework's text in `language`."""
    with translation.override(language):
        return _Builder(data, language).build()


class _Titles:
    """Sheet titles as Excel takes them: no []:*?/\\, at most 31 characters, each once."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, text: str) -> str:
        base = INVALID_TITLE.sub(" ", text).strip()[:31] or "Sheet"
        title, number = base, 1
        while title.casefold() in self.used | {LISTS}:  # Excel's names ignore case
            number += 1
            suffix = f" ({number})"
            title = base[: 31 - len(suffix)] + suffix
        self.used.add(title.casefold())
        return title


class _Builder:
    def __init__(self, data: WorkbookData, language: str) -> None:
        from openpyxl import Workbook  # noqa: PLC0415 -- only workbooks pay for the import
        from openpyxl.styles import Alignment, Font, PatternFill, Protection  # noqa: PLC0415

        self.data = data
        self.language = language
        self.book = Workbook()
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=13)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.input_fill = PatternFill("solid", fgColor=INPUT_FILL)
        self.info_fill = PatternFill("solid", fgColor=INFO_FILL)
        self.unlocked = Protection(locked=False)
        self.titles = _Titles()
        self.meta: list[tuple[str, str, str]] = []  # key, value, what it is

    # Cells

    def put(
        self, sheet: Any, ref: str, value: Any, *, bold: bool = False, wrap: bool = True
    ) -> Any:
        cell = sheet[ref]
        cell.value = _out(value)
        if bold:
            cell.font = self.bold
        if wrap:
            cell.alignment = self.wrap
        return cell

    def field(self, sheet: Any, ref: str, value: Any) -> Any:
        """A cell to fill in: unlocked, pale yellow."""
        cell = self.put(sheet, ref, value)
        cell.protection = self.unlocked
        cell.fill = self.input_fill
        return cell

    def info(self, sheet: Any, ref: str, value: Any) -> Any:
        cell = self.put(sheet, ref, value)
        cell.fill = self.info_fill
        return cell

    def protect(self, sheet: Any, *, insert_rows: bool = False) -> None:
        protection = sheet.protection
        protection.sheet = True
        protection.formatColumns = protection.formatRows = False  # widths and heights may change
        protection.insertRows = not insert_rows

    def widths(self, sheet: Any, **widths: float) -> None:
        for column, width in widths.items():
            sheet.column_dimensions[column].width = width

    def validation(self, sheet: Any, cells: str, source: str, **options: Any) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

        rule = DataValidation(type="list", formula1=source, allow_blank=True, **options)
        rule.error = _("Choose a value from the list.")
        rule.showErrorMessage = True
        rule.add(cells)
        sheet.data_validations.append(rule)

    def number_validation(self, sheet: Any, cells: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

        rule = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
        )
        rule.error = _("Enter a percentage between 0 and 100.")
        rule.showErrorMessage = True
        rule.add(cells)
        sheet.data_validations.append(rule)

    # The workbook

    def build(self) -> bytes:
        assessment = self.data.assessment
        instructions = self.book.active
        instructions.title = self.titles(_("Instructions"))
        pi_titles = {
            row.indicator.code: self.titles(_("PI %(code)s") % {"code": row.indicator.code})
            for row in self.data.rows
        }
        plan_title = self.titles(_("Action plan"))
        process_title = self.titles(_("Process and IAT"))
        meta_title = self.titles(_("About this file"))
        self.meta = [
            (
                "format",
                FORMAT,
                _("What this file was made from. Do not change this sheet: the upload checks it."),
            ),
            ("assessment", str(assessment.pk), _("Assessment (id)")),
            ("team", assessment.country_team.code, capfirst(_label(Assessment, "country_team"))),
            ("year", str(assessment.year), capfirst(_label(Assessment, "year"))),
            ("framework", assessment.framework.version, capfirst(_label(Assessment, "framework"))),
            ("language", self.language, _("Language")),
            ("downloaded_at", timezone.now().isoformat(timespec="seconds"), _("Downloaded at")),
        ]
        for row in self.data.rows:
            code = row.indicator.code
            self.meta.append((f"sheet:pi:{code}", pi_titles[code], _("Sheet")))
            self.meta.append((f"version:pi:{code}", str(row.version), _("Version when downloaded")))
        self.meta.append(("sheet:action_plan", plan_title, _("Sheet")))
        for point in self.data.action_points:
            self.meta.append(
                (
                    f"version:ap:{point.pk}",
                    action_point_version(point),
                    _("Version when downloaded"),
                )
            )
        self.meta.append(("sheet:process", process_title, _("Sheet")))
        self.meta.append(
            ("version:process", process_version(assessment), _("Version when downloaded"))
        )
        self.meta.append(
            ("version:iat", iat_version(self.data.iat_members), _("Version when downloaded"))
        )

        self.lists = self.book.create_sheet(LISTS)
        self.write_lists()
        self.write_instructions(instructions, plan_title, process_title, meta_title)
        for row in self.data.rows:
            self.write_pi(self.book.create_sheet(pi_titles[row.indicator.code]), row)
        self.write_action_plan(self.book.create_sheet(plan_title))
        self.write_process(self.book.create_sheet(process_title))
        self.write_meta(self.book.create_sheet(meta_title))
        self.book.move_sheet(self.lists, offset=len(self.book.sheetnames))  # last, hidden
        self.lists.sheet_state = "hidden"
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()

    def write_lists(self) -> None:
        """The drop-down lists, one column each: ratings, Yes/No, PI codes, statuses, entities."""
        columns = {
            "A": [str(label) for _value, label in Rating.choices],
            "B": [yes_no(True), yes_no(False)],
            "C": [row.indicator.code for row in self.data.rows],
            "D": [str(label) for _value, label in ActionPoint.Status.choices],
            "E": [entity.acronym for entity in self.data.entities],
        }
        self.sources = {}
        for column, values in columns.items():
            for number, value in enumerate(values, start=1):
                self.lists[f"{column}{number}"] = _out(value)
            self.sources[column] = f"{LISTS}!${column}$1:${column}${max(len(values), 1)}"
        self.protect(self.lists)

    def write_instructions(
        self, sheet: Any, plan_title: str, process_title: str, meta_title: str
    ) -> None:
        assessment = self.data.assessment
        self.widths(sheet, A=110)
        lines = [
            _("UNCT-SWAP Gender Equality Scorecard: %(team)s %(year)s (%(kind)s)")
            % {
                "team": assessment.country_team.display_name,
                "year": assessment.year,
                "kind": assessment.get_kind_display(),
            },
            _("Downloaded on %(date)s.") % {"date": timezone.localdate().isoformat()},
            "",
            _("What to fill in"),
            _(
                "Fill in the cells with a pale yellow background; the other cells are locked. "
                "Drop-down lists offer the values a cell takes (Yes or No, the ratings, the "
                "statuses)."
            ),
            _(
                "One sheet per performance indicator (PI): for each criterion, whether it is met "
                "and the findings; then the rating, the means of verification and the "
                "explanation. A rating that differs from the suggested rating needs a "
                "justification. The suggested rating is shown for information: the platform "
                "computes it again from the criteria when the file is uploaded."
            ),
            _(
                "A PI carried over from an earlier year becomes reassessed this year as soon as "
                "anything in it changes."
            ),
            _(
                "Sheet “%(sheet)s”: change the action points in their rows; add new ones in the "
                "empty rows at the bottom, leaving their ID empty. Action points are withdrawn on "
                "the platform, not here."
            )
            % {"sheet": plan_title},
            _(
                "Sheet “%(sheet)s”: the process text and the members of the Interagency "
                "Assessment Team; the members listed replace the current list."
            )
            % {"sheet": process_title},
            "",
            _("What not to touch"),
            _(
                "Do not rename, add or delete sheets, and do not change the sheet “%(sheet)s”: it "
                "tells the platform which assessment, and which version of each PI and action "
                "point, the file was made from. A changed sheet is refused."
            )
            % {"sheet": meta_title},
            _("Type values, not formulas: a cell with a formula is refused."),
            "",
            _("How to upload it back"),
            _(
                "On the assessment's page on the platform, choose “Upload the workbook”. Every "
                "change is checked first and shown in a preview, PI by PI; nothing is saved "
                "until you apply it, and then all of it is saved together."
            ),
            _(
                "A PI or action point changed on the platform since this download is shown as a "
                "conflict and left as it is, unless you choose the workbook's version."
            ),
        ]
        headings = {1, 4, 11, 16}
        for number, text in enumerate(lines, start=1):
            cell = self.put(sheet, f"A{number}", text)
            if number == 1:
                cell.font = self.title_font
            elif number in headings:
                cell.font = self.bold
        self.protect(sheet)

    def write_pi(self, sheet: Any, row: IndicatorAssessment) -> None:
        indicator = row.indicator
        self.widths(sheet, A=14, B=34, C=70, D=16, E=60)
        sheet.column_dimensions[KEY].hidden = True
        sheet[f"{KEY}1"] = "pi"
        title = self.put(
            sheet,
            f"{LABEL}1",
            f"{_('PI %(code)s') % {'code': indicator.code}} {indicator.short_title}",
            wrap=False,
        )
        title.font = self.title_font
        sheet[f"{KEY}2"] = "statement"
        self.put(sheet, f"{LABEL}2", capfirst(_label(Indicator, "statement")), bold=True)
        self.put(sheet, f"{VALUE}2", indicator.statement)
        number = 4
        sheet[f"{KEY}{number}"] = "criteria"
        for column, text in (
            (LABEL, capfirst(Criterion._meta.verbose_name)),
            (VALUE, capfirst(_label(Criterion, "text"))),
            (MET, _("Met (Yes or No)")),
            (NOTE, _("Findings")),
        ):
            self.put(sheet, f"{column}{number}", text, bold=True)
        met = set(row.criteria_met)
        for criterion in indicator.criteria.all():
            number += 1
            sheet[f"{KEY}{number}"] = f"criterion:{criterion.code}"
            self.put(
                sheet, f"{LABEL}{number}", f"({criterion.letter}) {Rating(criterion.level).label}"
            )
            self.put(sheet, f"{VALUE}{number}", criterion.text)
            if criterion.kind == Criterion.Kind.CHECK:
                self.field(sheet, f"{MET}{number}", yes_no(criterion.code in met))
                self.validation(sheet, f"{MET}{number}", self.sources["B"])
            else:
                self.info(sheet, f"{MET}{number}", _("From the numeric input"))
            self.field(sheet, f"{NOTE}{number}", row.findings.get(criterion.code, ""))
        number += 2
        entries: list[tuple[str, str | Promise, Any, str]] = [
            ("rating", _("Rating"), rating_label(row.rating), _("Leave empty if not rated yet.")),
            ("suggested_rating", _("Suggested rating"), rating_label(row.suggested_rating), ""),
            (
                "override_justification",
                _("Why the rating differs from the suggested rating"),
                row.override_justification,
                _("Required when the rating differs from the suggested rating."),
            ),
            (
                "reassessed",
                capfirst(_label(IndicatorAssessment, "reassessed")),
                yes_no(row.reassessed),
                _("Carried over from an earlier year: changing this PI makes it reassessed.")
                if row.is_carried
                else "",
            ),
        ]
        if indicator.numeric_label:
            entries.append(
                (
                    "numeric_value",
                    indicator.numeric_label,
                    row.numeric_value,
                    _("A number from 0 to 100."),
                )
            )
        entries += [
            (
                "means_of_verification",
                _("Means of verification"),
                row.means_of_verification,
                indicator.mov_hint,
            ),
            ("explanation", _("Findings and explanation (general)"), row.explanation, ""),
        ]
        for key, label, value, note in entries:
            sheet[f"{KEY}{number}"] = key
            self.put(sheet, f"{LABEL}{number}", capfirst(str(label)), bold=True)
            ref = f"{VALUE}{number}"
            if key == "suggested_rating":
                self.info(sheet, ref, value)
                note = _(
                    "For information: computed from the criteria when the file was made; the "
                    "platform computes it again when the file is uploaded."
                )
            else:
                self.field(sheet, ref, value)
            if key == "rating":
                self.validation(sheet, ref, self.sources["A"])
            elif key == "reassessed":
                self.validation(sheet, ref, self.sources["B"])
            elif key == "numeric_value":
                self.number_validation(sheet, ref)
            if note:
                self.put(sheet, f"{NOTE}{number}", note)
            number += 1
        self.protect(sheet)

    def write_action_plan(self, sheet: Any) -> None:
        from openpyxl.utils import get_column_letter  # noqa: PLC0415

        letters = {
            column.key: get_column_letter(position)
            for position, column in enumerate(ACTION_PLAN_COLUMNS, start=1)
        }
        for key, header in zip(ACTION_PLAN_COLUMNS.keys, ACTION_PLAN_COLUMNS.header(), strict=True):
            self.put(sheet, f"{letters[key]}1", header, bold=True)
        self.widths(sheet, A=8, B=10, C=50, D=16, E=24, F=14, G=30, H=18, I=30, J=30, K=30, L=30)
        sheet.freeze_panes = "C2"
        number = 1
        for point in self.data.action_points:
            number += 1
            values = {
                "id": point.pk,
                "indicator": point.indicator.code,
                "text": point.text,
                "responsible_entity": point.responsible_entity.acronym
                if point.responsible_entity
                else "",
                "responsible": point.responsible,
                "timeline": point.timeline,
                "resources": point.resources,
                "status": str(ActionPoint.Status(point.status).label),
                **{f"activities_year_{n}": text for n, text in enumerate(point.activities, 1)},
            }
            self.put(sheet, f"{letters['id']}{number}", values.pop("id"))
            for key, value in values.items():
                self.field(sheet, f"{letters[key]}{number}", value)
        for _blank in range(NEW_ACTION_POINT_ROWS):
            number += 1
            for key, letter in letters.items():
                if key != "id":
                    self.field(sheet, f"{letter}{number}", None)
        for key in ("timeline",):
            for cells in sheet[f"{letters[key]}2:{letters[key]}{number}"]:
                for cell in cells:
                    cell.number_format = "yyyy-mm-dd"
        self.validation(sheet, f"B2:B{number}", self.sources["C"])
        self.validation(sheet, f"H2:H{number}", self.sources["D"])
        if self.data.entities:
            self.validation(sheet, f"D2:D{number}", self.sources["E"])
        self.protect(sheet, insert_rows=True)

    def write_process(self, sheet: Any) -> None:
        assessment = self.data.assessment
        self.widths(sheet, A=14, B=34, C=70, D=30, E=16)
        sheet.column_dimensions[KEY].hidden = True
        sheet[f"{KEY}1"] = "process"
        self.put(sheet, f"{LABEL}1", _("Process and IAT"), wrap=False).font = self.title_font
        number = 1
        for name in PROCESS_FIELDS:
            number += 1
            model_field = Assessment._meta.get_field(name)
            sheet[f"{KEY}{number}"] = name
            self.put(sheet, f"{LABEL}{number}", capfirst(model_field.verbose_name), bold=True)
            self.field(sheet, f"{VALUE}{number}", getattr(assessment, name))
            if model_field.help_text:
                self.put(sheet, f"{MET}{number}", str(model_field.help_text))
        number += 2
        sheet[f"{KEY}{number}"] = "iat_title"
        self.put(
            sheet, f"{LABEL}{number}", capfirst(IATMember._meta.verbose_name_plural), bold=True
        )
        number += 1
        sheet[f"{KEY}{number}"] = "iat_header"
        for column, name in (
            (LABEL, "name"),
            (VALUE, "title"),
            (MET, "entity"),
            (NOTE, "is_coordinator"),
        ):
            self.put(sheet, f"{column}{number}", capfirst(_label(IATMember, name)), bold=True)
        first = number + 1
        rows = [
            (m.name, m.title, m.entity.acronym if m.entity else "", yes_no(m.is_coordinator))
            for m in self.data.iat_members
        ]
        rows += [(None, None, None, None)] * NEW_MEMBER_ROWS
        for values in rows:
            number += 1
            sheet[f"{KEY}{number}"] = "iat"
            for column, value in zip((LABEL, VALUE, MET, NOTE), values, strict=True):
                self.field(sheet, f"{column}{number}", value)
        self.validation(sheet, f"{NOTE}{first}:{NOTE}{number}", self.sources["B"])
        if self.data.entities:
            self.validation(sheet, f"{MET}{first}:{MET}{number}", self.sources["E"])
        self.protect(sheet, insert_rows=True)

    def write_meta(self, sheet: Any) -> None:
        self.widths(sheet, A=22, B=36, C=60)
        number = 0
        for key, value, description in self.meta:
            number += 1
            sheet[f"A{number}"] = key
            sheet[f"B{number}"] = _out(value)
            sheet[f"C{number}"] = _out(str(description))
        number += 1
        sheet[f"A{number}"] = "signature"
        sheet[f"B{number}"] = _signature([(key, value) for key, value, _d in self.meta])
        sheet[f"C{number}"] = _out(_("Signature of the values above"))
        sheet.row_dimensions[number].hidden = True
        self.protect(sheet)


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class OpenedWorkbook:
    """An uploaded workbook that passed the checks, and its signed "About this file" values."""

    book: Any
    meta: Meta


@dataclass
class PIInput:
    """One PI sheet as read. `cells`: what → cell reference ("rating" → "C14", "met:a" → "D5",
    "finding:a" → "E5")."""

    code: str
    sheet: str
    criteria_met: set[str]
    findings: dict[str, str]
    rating: str
    override_justification: str
    reassessed: bool
    numeric_value: Decimal | None
    means_of_verification: str
    explanation: str
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionPointInput:
    """One filled row of the action plan sheet; `values` by model field name (the PI as its
    code, the entity as its acronym), `cells` the same names → cell reference."""

    row: int
    id: int | None
    values: dict[str, Any]
    cells: dict[str, str]


@dataclass
class MemberInput:
    row: int
    name: str
    title: str
    entity: str  # acronym
    is_coordinator: bool
    cells: dict[str, str]


@dataclass
class WorkbookContent:
    """Everything read, and the problems of the cells that could not be (a value not in its
    list, a text too long): the planner adds its own and reports them all together."""

    meta: Meta
    pis: dict[str, PIInput]
    action_plan_sheet: str
    action_points: list[ActionPointInput]
    process_sheet: str
    process: dict[str, str]
    members: list[MemberInput]
    problems: list[str] = field(default_factory=list)
    bad_cells: set[tuple[str, str]] = field(default_factory=set)  # (sheet, cell) of those


def located(sheet: str, ref: str, message: str) -> str:
    """A problem as people read it: "PI 2.2, C14: …" (or "PI 2.2: …" for a whole sheet)."""
    if ref:
        return _("%(sheet)s, %(cell)s: %(message)s") % {
            "sheet": sheet,
            "cell": ref,
            "message": message,
        }
    return _("%(sheet)s: %(message)s") % {"sheet": sheet, "message": message}


class _Problems:
    """The problems found so far, each naming its sheet and cell, in the active language."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.cells: set[tuple[str, str]] = set()

    def add(self, sheet: Any, ref: str, message: str) -> None:
        self.messages.append(located(sheet.title, ref, message))
        self.cells.add((sheet.title, ref))

    def sheet(self, sheet: Any, message: str) -> None:
        self.messages.append(located(sheet.title, "", message))

    def raise_any(self) -> None:
        if self.messages:
            raise WorkbookRefused(self.messages)

    # Values

    def text(self, sheet: Any, ref: str, limit: int) -> str:
        """A text, stripped as the pages' forms strip it, within its field's limit."""
        text = cell_text(sheet[ref].value).strip()
        message = limits.length_error(text, limit)
        if message:
            self.add(sheet, ref, str(message))
        return text

    def yes_no(self, sheet: Any, ref: str) -> bool:
        value = sheet[ref].value
        if isinstance(value, bool):
            return value
        word = fold(cell_text(value))
        if not word:
            return False
        yes, no = yes_no_words()
        if word in yes or word in no:
            return word in yes
        self.add(sheet, ref, _("write Yes or No, or choose from the list."))
        return False

    def choice(self, sheet: Any, ref: str, choices: type[models.TextChoices], message: str) -> str:
        word = fold(cell_text(sheet[ref].value))
        if not word:
            return ""
        value = choice_lookup(choices).get(word)
        if value is None:
            self.add(sheet, ref, message)
            return ""
        return value

    def number(self, sheet: Any, ref: str) -> Decimal | None:
        value = sheet[ref].value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = cell_text(value).strip().rstrip("%").strip()
        if isinstance(value, bool) or not NUMBER.fullmatch(text):
            self.add(sheet, ref, _("enter a number."))
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            self.add(sheet, ref, _("enter a number."))
            return None
        if number != number.quantize(Decimal("0.01")):
            self.add(sheet, ref, _("enter a number with at most two decimals."))
            return None
        return number.quantize(Decimal("0.01"))

    def date(self, sheet: Any, ref: str) -> date | None:
        value = sheet[ref].value
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = cell_text(value).strip()
        if not text:
            return None
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):
                from openpyxl.utils.datetime import from_excel  # noqa: PLC0415

                return from_excel(value).date()
            return date.fromisoformat(text)
        except (ValueError, TypeError, OverflowError):
            self.add(sheet, ref, _("enter a date as YYYY-MM-DD."))
            return None


def open_workbook(data: bytes) -> OpenedWorkbook:
    """An uploaded file opened, or refused: the size cap, core.tabular.check_xlsx (bounded
    parsing) before openpyxl reads a byte, then the signed "About this file" sheet."""
    try:
        check_size(data, max_bytes=MAX_BYTES)
        check_xlsx(data, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    except SpreadsheetRefused as error:
        raise WorkbookRefused([str(error)]) from error
    from openpyxl import load_workbook  # noqa: PLC0415 -- only uploads pay for the import

    try:
        # data_only=False: a formula reads as its text ("=…") and is refused below, never as the
        # value its author's Excel computed; keep_links=False: linked workbooks are not read.
        book = load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise WorkbookRefused([_("The file is not a valid .xlsx workbook.")]) from error
    return OpenedWorkbook(book, _read_meta(book))


def _read_meta(book: Any) -> Meta:
    sheet = next(
        (
            sheet
            for sheet in book.worksheets
            if sheet["A1"].value == "format"
            and str(sheet["B1"].value or "").startswith("unct-swap-workbook/")
        ),
        None,
    )
    if sheet is None:
        raise WorkbookRefused(
            [
                _(
                    "This is not an assessment workbook made by the platform: download the "
                    "workbook from the assessment's page, fill it in and upload that file."
                )
            ]
        )
    if sheet["B1"].value != FORMAT:
        raise WorkbookRefused(
            [_("This workbook was made by another version of the platform: download a new one.")]
        )
    changed = WorkbookRefused(
        [
            _(
                "The sheet “%(sheet)s” was changed, so the file can no longer be matched with "
                "its assessment. Download a new workbook."
            )
            % {"sheet": sheet.title}
        ]
    )
    pairs: list[tuple[str, str]] = []
    signature: Any = None
    for key_cell, value_cell in sheet.iter_rows(min_col=1, max_col=2, max_row=MAX_ROWS):
        key, value = key_cell.value, value_cell.value
        if key == "signature":
            signature = value
            break
        if key is None:
            raise changed
        pairs.append((str(key), "" if value is None else str(value)))
    if not isinstance(signature, str) or not constant_time_compare(signature, _signature(pairs)):
        raise changed
    values = dict(pairs)
    try:
        return Meta(
            assessment_id=int(values["assessment"]),
            team=values["team"],
            year=int(values["year"]),
            framework=values["framework"],
            language=values["language"],
            sheets={k.removeprefix("sheet:"): v for k, v in pairs if k.startswith("sheet:")},
            versions={k.removeprefix("version:"): v for k, v in pairs if k.startswith("version:")},
        )
    except (KeyError, ValueError) as error:  # signed, so made by another version of this code
        raise changed from error


def read_workbook(opened: OpenedWorkbook, data: WorkbookData) -> WorkbookContent:
    """Every value of the workbook, read as the assessment's PIs lay it out. WorkbookRefused when
    it cannot be read at all (a sheet missing or its rows moved, a formula); the problems of
    single cells (a value not in its list, a text too long) come back with the content."""
    book, meta = opened.book, opened.meta
    problems = _Problems()
    sheets: dict[str, Any] = {}
    wanted = [f"pi:{row.indicator.code}" for row in data.rows] + ["action_plan", "process"]
    for part in wanted:
        title = meta.sheets.get(part)
        if title is None:
            raise WorkbookRefused(
                [_("The workbook does not match this assessment's PIs: download a new one.")]
            )
        if title not in book.sheetnames:
            problems.messages.append(
                _("The sheet “%(sheet)s” is missing: do not rename or delete sheets.")
                % {"sheet": title}
            )
            continue
        sheets[part] = book[title]
    problems.raise_any()
    _check_formulas(problems, sheets.values())
    problems.raise_any()
    pis = {}
    for row in data.rows:
        code = row.indicator.code
        read = _read_pi(problems, sheets[f"pi:{code}"], row.indicator)
        if read is not None:
            pis[code] = read
    points = _read_action_plan(problems, sheets["action_plan"])
    process, members = _read_process(problems, sheets["process"])
    if len(pis) < len(data.rows) or not process:  # a sheet whose layout cannot be read
        problems.raise_any()
    return WorkbookContent(
        meta=meta,
        pis=pis,
        action_plan_sheet=sheets["action_plan"].title,
        action_points=points,
        process_sheet=sheets["process"].title,
        process=process,
        members=members,
        problems=problems.messages,
        bad_cells=problems.cells,
    )


def _check_formulas(problems: _Problems, sheets: Iterable[Any]) -> None:
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula  # noqa: PLC0415

    for sheet in sheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula):
                    problems.add(
                        sheet,
                        cell.coordinate,
                        _("a formula is not accepted here: type the value itself."),
                    )


def _keys(problems: _Problems, sheet: Any, wanted: Iterable[str]) -> dict[str, int] | None:
    """Row number of each key of hidden column A; None (and a problem) when one is missing."""
    rows: dict[str, int] = {}
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str):
            rows.setdefault(cell.value, cell.row)
    if any(key not in rows for key in wanted):
        problems.sheet(
            sheet,
            _("its rows were changed, so its cells cannot be read. Download a new workbook."),
        )
        return None
    return rows


def _read_pi(problems: _Problems, sheet: Any, indicator: Indicator) -> PIInput | None:
    criteria = list(indicator.criteria.all())
    fields = list(PI_FIELDS) + (["numeric_value"] if indicator.numeric_label else [])
    rows = _keys(problems, sheet, [f"criterion:{c.code}" for c in criteria] + fields)
    if rows is None:
        return None
    cells: dict[str, str] = {name: f"{VALUE}{rows[name]}" for name in fields}
    met: set[str] = set()
    findings: dict[str, str] = {}
    for criterion in criteria:
        number = rows[f"criterion:{criterion.code}"]
        if criterion.kind == Criterion.Kind.CHECK:
            cells[f"met:{criterion.code}"] = ref = f"{MET}{number}"
            if problems.yes_no(sheet, ref):
                met.add(criterion.code)
        cells[f"finding:{criterion.code}"] = ref = f"{NOTE}{number}"
        findings[criterion.code] = problems.text(sheet, ref, FINDING_MAX_LENGTH)

    def text(name: str) -> str:
        return problems.text(sheet, cells[name], limits.field_limit(IndicatorAssessment, name))

    return PIInput(
        code=indicator.code,
        sheet=sheet.title,
        criteria_met=met,
        findings=findings,
        rating=problems.choice(
            sheet, cells["rating"], Rating, _("choose one of the levels from the list.")
        ),
        override_justification=text("override_justification"),
        reassessed=problems.yes_no(sheet, cells["reassessed"]),
        numeric_value=(
            problems.number(sheet, cells["numeric_value"]) if indicator.numeric_label else None
        ),
        means_of_verification=text("means_of_verification"),
        explanation=text("explanation"),
        cells=cells,
    )


def _read_action_plan(problems: _Problems, sheet: Any) -> list[ActionPointInput]:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    letters: dict[str, str] = {}
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        key = ACTION_PLAN_COLUMNS.key_for(cell.value)
        if key is not None:
            letters.setdefault(key, get_column_letter(cell.column))
    missing = [c.header() for c in ACTION_PLAN_COLUMNS if c.key not in letters]
    if missing:
        problems.sheet(
            sheet,
            _("the columns %(columns)s are missing. Download a new workbook.")
            % {"columns": ", ".join(f"“{name}”" for name in missing)},
        )
        return []
    texts = {name: limits.field_limit(ActionPoint, name) for name in ACTION_POINT_TEXTS}
    points = []
    for number in range(2, sheet.max_row + 1):
        cells = {key: f"{letter}{number}" for key, letter in letters.items()}
        if all(cell_text(sheet[ref].value).strip() == "" for ref in cells.values()):
            continue
        point_id: int | None = None
        raw_id = cell_text(sheet[cells["id"]].value).strip()
        if raw_id:
            if raw_id.isdigit() and len(raw_id) < 18:
                point_id = int(raw_id)
            else:
                problems.add(
                    sheet, cells["id"], _("leave the ID as it was, or empty for a new row.")
                )
        values: dict[str, Any] = {
            name: problems.text(sheet, cells[name], limit) for name, limit in texts.items()
        }
        values["indicator"] = cell_text(sheet[cells["indicator"]].value).strip()
        values["responsible_entity"] = cell_text(sheet[cells["responsible_entity"]].value).strip()
        values["timeline"] = problems.date(sheet, cells["timeline"])
        values["status"] = problems.choice(
            sheet, cells["status"], ActionPoint.Status, _("choose a status from the list.")
        )
        points.append(ActionPointInput(row=number, id=point_id, values=values, cells=cells))
    return points


def _read_process(problems: _Problems, sheet: Any) -> tuple[dict[str, str], list[MemberInput]]:
    rows = _keys(problems, sheet, [*PROCESS_FIELDS, "iat_header"])
    if rows is None:
        return {}, []
    cells = {name: f"{VALUE}{rows[name]}" for name in PROCESS_FIELDS}
    process = {
        name: problems.text(sheet, ref, limits.field_limit(Assessment, name))
        for name, ref in cells.items()
    }
    members = []
    name_limit, title_limit = (limits.field_limit(IATMember, n) for n in ("name", "title"))
    for number in range(rows["iat_header"] + 1, sheet.max_row + 1):
        refs = {
            "name": f"{LABEL}{number}",
            "title": f"{VALUE}{number}",
            "entity": f"{MET}{number}",
            "is_coordinator": f"{NOTE}{number}",
        }
        if all(cell_text(sheet[ref].value).strip() == "" for ref in refs.values()):
            continue
        members.append(
            MemberInput(
                row=number,
                name=problems.text(sheet, refs["name"], name_limit).strip(),
                title=problems.text(sheet, refs["title"], title_limit).strip(),
                entity=cell_text(sheet[refs["entity"]].value).strip(),
                is_coordinator=problems.yes_no(sheet, refs["is_coordinator"]),
                cells=refs,
            )
        )
    return process, members
