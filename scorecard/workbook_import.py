"""An assessment workbook uploaded back: checked whole, previewed, then applied in one transaction.

`plan_upload` opens the file (scorecard/workbook.py: the size cap, core.tabular.check_xlsx, the
signed "About this file" sheet), reads every cell and validates everything against the
assessment, with the services' own rules (services.rating_errors, the models' validation), before
anything is written: WorkbookRefused lists every problem, each naming its sheet and cell. What it
returns is the plan: every PI, action point, process text and IAT list the workbook changes, with
the values before and after as people read them (labels, not codes).

A PI whose row was saved on the platform since the download (its version differs from the one the
file was made from; for action points, the process and the IAT, a fingerprint of their values) is
a conflict: it is left as it is unless the user chooses the workbook's version for it
(`use_workbook`). A PI carried over from an earlier year whose content changes becomes reassessed
this year, as when it is saved on its page.

`apply_upload` plans again inside one transaction and writes through the same services as the
pages (save_indicator_assessment, start_reassessment, create_action_point, update_action_point,
update_assessment_process, set_iat_members), so the quality rules and the history hold; when a
`digest` of the previewed plan is given, a plan that differs from it (the assessment changed
since the preview) is refused with PlanChanged rather than applied unseen.

Between the preview page and its confirmation the file travels in the page itself
(`upload_token`): signed with the user, the assessment and the time, and refused after an hour.
Nothing is stored on the server between the two requests, so there is nothing to clean up, and a
token is no use to anyone else or for another assessment; the file is checked again in full when
it comes back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import transaction
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.models import UNEntity
from core.tabular import yes_no

from . import selectors, services
from .models import ActionPoint, Assessment, Criterion, IATMember, Indicator, IndicatorAssessment
from .workbook import (
    MAX_BYTES,
    PROCESS_FIELDS,
    ActionPointInput,
    PIInput,
    WorkbookContent,
    WorkbookRefused,
    action_point_version,
    clean_text,
    iat_version,
    located,
    open_workbook,
    process_version,
    rating_label,
    read_workbook,
)

UPLOAD_SALT = "scorecard.workbook.upload"
TOKEN_MAX_AGE = 60 * 60  # seconds a preview can be applied for
# The largest token: the file in base64, and the user, assessment, time and signature around it.
TOKEN_MAX_BYTES = MAX_BYTES * 4 // 3 + 1024


class PlanChanged(Exception):
    """The plan differs from the one previewed: `plan` is the new one, to preview again."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("the plan changed since the preview")
        self.plan = plan


@dataclass(frozen=True)
class Change:
    """One value the workbook changes: before and after, as people read them."""

    field: str
    label: str
    before: str
    after: str


@dataclass
class PlannedItem:
    """A PI, an action point, the process text or the IAT list that the workbook changes."""

    kind: str  # "pi", "action_point", "process", "iat"
    key: str  # "pi:2.2", "ap:17", "new:12" (a new action point, by its row), "process", "iat"
    label: str
    sheet: str
    changes: list[Change]
    payload: Any  # what is written, in machine values (the plan's digest)
    write: Callable[[User], Any]  # the service call that writes it
    conflict: bool = False
    conflict_note: str = ""
    chosen: bool = False  # a conflict for which the user chose the workbook's version
    becomes_reassessed: bool = False
    new: bool = False

    @property
    def applies(self) -> bool:
        return not self.conflict or self.chosen


@dataclass
class ImportPlan:
    assessment: Assessment
    items: list[PlannedItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.items)

    @property
    def conflicts(self) -> list[PlannedItem]:
        return [item for item in self.items if item.conflict]

    @property
    def applied_items(self) -> list[PlannedItem]:
        return [item for item in self.items if item.applies]

    def digest(self) -> str:
        """What the plan would write, whatever the user chooses for its conflicts: a preview
        and its confirmation must agree on it."""
        text = json.dumps(
            [[item.key, item.conflict, item.payload] for item in self.items],
            default=str,
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def as_dict(self, *, applied: bool = False) -> dict[str, Any]:
        """The plan as the API returns it."""
        return {
            "assessment": self.assessment.pk,
            "applied": applied,
            "no_changes": not self.has_changes,
            "digest": self.digest(),
            "items": [
                {
                    "kind": item.kind,
                    "key": item.key,
                    "label": item.label,
                    "sheet": item.sheet,
                    "conflict": item.conflict,
                    "conflict_note": item.conflict_note,
                    "chosen": item.chosen,
                    "applies": item.applies,
                    "becomes_reassessed": item.becomes_reassessed,
                    "new": item.new,
                    "changes": [asdict(change) for change in item.changes],
                }
                for item in self.items
            ],
            "notes": self.notes,
        }


# --- Entry points -------------------------------------------------------------------------------


def workbook_assessment_id(data: bytes) -> int:
    """The id of the assessment an uploaded workbook was made from (its signed values), for the
    command line, which has no page to say which assessment it is."""
    return open_workbook(data).meta.assessment_id


def plan_upload(
    *, assessment: Assessment, data: bytes, use_workbook: Collection[str] = ()
) -> ImportPlan:
    """Everything the workbook would change, validated; WorkbookRefused when anything is wrong.
    Reads only. The caller has passed the assessment's gate with write=True."""
    opened = open_workbook(data)
    meta = opened.meta
    if meta.assessment_id != assessment.pk:
        raise WorkbookRefused(
            [
                _(
                    "This workbook is of %(other)s, not of %(this)s: upload the workbook "
                    "downloaded from this assessment."
                )
                % {
                    "other": f"{meta.team} {meta.year}",
                    "this": f"{assessment.country_team.code} {assessment.year}",
                }
            ]
        )
    data_now = selectors.workbook_data(assessment)
    content = read_workbook(opened, data_now)
    return _Planner(data_now, content, set(use_workbook)).plan()


def apply_upload(
    *,
    assessment: Assessment,
    by: User,
    data: bytes,
    use_workbook: Collection[str] = (),
    digest: str | None = None,
) -> ImportPlan:
    """Plan and write, in one transaction, through the pages' services; nothing is written when
    anything is refused (WorkbookRefused) or when the plan is not the previewed one
    (PlanChanged)."""
    with transaction.atomic():
        # One upload at a time per assessment: a second waits for this one's commit.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        plan = plan_upload(assessment=assessment, data=data, use_workbook=use_workbook)
        if digest is not None and plan.digest() != digest:
            raise PlanChanged(plan)
        try:
            for item in plan.applied_items:
                item.write(by)
        except services.ConcurrentEditError as error:
            raise WorkbookRefused(
                [
                    _(
                        "PI %(code)s was saved on the platform while the workbook was being "
                        "applied; nothing was saved. Upload the workbook again."
                    )
                    % {"code": error.current.indicator.code}
                ]
            ) from error
        except ValidationError as error:  # the services' own checks, after ours: never expected
            raise WorkbookRefused(error.messages) from error
    return plan


def upload_token(*, data: bytes, user: User, assessment: Assessment) -> str:
    """The uploaded file, signed for this user and assessment, for the preview page to send back."""
    encoded = base64.urlsafe_b64encode(data).decode()
    return TimestampSigner(salt=UPLOAD_SALT).sign(f"{user.pk}.{assessment.pk}.{encoded}")


def upload_from_token(token: str, *, user: User, assessment: Assessment) -> bytes:
    """The file a preview page sent back, or WorkbookRefused when the token is stale, altered or
    not this user's for this assessment."""
    signer = TimestampSigner(salt=UPLOAD_SALT)
    try:
        value = signer.unsign(token, max_age=TOKEN_MAX_AGE)
    except SignatureExpired as error:
        raise WorkbookRefused(
            [_("The preview is more than an hour old: upload the workbook again.")]
        ) from error
    except BadSignature as error:
        raise WorkbookRefused(
            [_("The preview cannot be applied: upload the workbook again.")]
        ) from error
    user_id, assessment_id, encoded = (value.split(".", 2) + ["", ""])[:3]
    if user_id != str(user.pk) or assessment_id != str(assessment.pk):
        raise WorkbookRefused([_("The preview cannot be applied: upload the workbook again.")])
    try:
        return base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as error:
        raise WorkbookRefused(
            [_("The preview cannot be applied: upload the workbook again.")]
        ) from error


# --- Planning -----------------------------------------------------------------------------------


def _same(before: str | None, after: str) -> bool:
    """A text read back equals the stored one: compared as a cell holds it, stripped as the
    forms strip it."""
    return clean_text(before or "").strip() == after


def _text_or_dash(value: str) -> str:
    return value if value else "—"


class _Planner:
    def __init__(self, data: selectors.WorkbookData, content: WorkbookContent, use: set[str]):
        self.data = data
        self.assessment = data.assessment
        self.content = content
        self.versions = content.meta.versions
        self.use = use
        self.problems: list[str] = list(content.problems)  # the reader's first
        self.bad_cells = content.bad_cells
        self.plan_ = ImportPlan(self.assessment)

    def plan(self) -> ImportPlan:
        for row in self.data.rows:
            read = self.content.pis.get(row.indicator.code)
            if read is not None:
                self._pi(row, read)
        self._action_points()
        self._process()
        self._iat()
        if self.problems:
            raise WorkbookRefused(self.problems)
        return self.plan_

    def add(self, item: PlannedItem, version_now: str) -> None:
        item.conflict = self.versions.get(item.key) not in (None, version_now)
        item.chosen = item.conflict and item.key in self.use
        self.plan_.items.append(item)

    def problem(self, sheet: str, ref: str, message: str) -> None:
        if (sheet, ref) not in self.bad_cells:  # one message per cell: the reader's
            self.problems.append(located(sheet, ref, message))

    def unread(self, sheet: str, cells: Iterable[str]) -> bool:
        """Whether a cell of these could not be read: their rules are not checked on a guess."""
        return any((sheet, ref) in self.bad_cells for ref in cells)

    # PIs

    def _pi(self, row: IndicatorAssessment, read: PIInput) -> None:
        indicator = row.indicator
        criteria = list(indicator.criteria.all())
        codes = {c.code for c in criteria}
        checks = [c for c in criteria if c.kind == Criterion.Kind.CHECK]
        met_before = set(row.criteria_met) & {c.code for c in checks}
        findings_before = {
            code: clean_text(text or "").strip()
            for code, text in row.findings.items()
            if code in codes and clean_text(text or "").strip()
        }
        findings_after = {code: text for code, text in read.findings.items() if text}
        numeric = read.numeric_value if indicator.numeric_label else row.numeric_value
        changed = (
            read.criteria_met != met_before
            or findings_after != findings_before
            or read.rating != row.rating
            or numeric != row.numeric_value
            or not _same(row.override_justification, read.override_justification)
            or not _same(row.means_of_verification, read.means_of_verification)
            or not _same(row.explanation, read.explanation)
        )
        if row.reassessed and not read.reassessed:
            self.problem(
                read.sheet,
                read.cells["reassessed"],
                _("a PI reassessed this year cannot be set back to carried over: choose Yes."),
            )
            return
        reassessed_label = str(
            capfirst(IndicatorAssessment._meta.get_field("reassessed").verbose_name)
        )
        title = f"{_('PI %(code)s') % {'code': indicator.code}} {indicator.short_title}"
        if not changed:
            if read.reassessed and not row.reassessed:  # only "reassessed: Yes"
                self.add(
                    PlannedItem(
                        kind="pi",
                        key=f"pi:{indicator.code}",
                        label=title,
                        sheet=read.sheet,
                        changes=[
                            Change("reassessed", reassessed_label, yes_no(False), yes_no(True))
                        ],
                        payload={"reassess": True},
                        write=lambda by: services.start_reassessment(row=row, by=by),
                        becomes_reassessed=True,
                        conflict_note=self._row_note(row),
                    ),
                    str(row.version),
                )
            return
        data = services.RatingInput(
            rating=read.rating,
            criteria_met=sorted(read.criteria_met),
            numeric_value=numeric,
            findings={c.code: read.findings.get(c.code, "") for c in criteria},
            explanation=read.explanation,
            override_justification=read.override_justification,
            means_of_verification=read.means_of_verification,
        )
        if self.unread(read.sheet, read.cells.values()):
            return
        suggestion, errors = services.rating_errors(indicator, data)
        for name, message in errors.items():
            self.problem(read.sheet, self._cell_of(name, read, checks), str(message))
        if errors:
            return
        justification = services.kept_justification(data, suggestion)  # as saving keeps it
        changes = []
        letters = {c.code: c.letter for c in criteria}
        for criterion in checks:
            before, after = criterion.code in met_before, criterion.code in read.criteria_met
            if before != after:
                changes.append(
                    Change(
                        f"met:{criterion.code}",
                        f"{_('Criteria met')}: ({criterion.letter})",
                        yes_no(before),
                        yes_no(after),
                    )
                )
        for criterion in criteria:
            before = findings_before.get(criterion.code, "")
            after = findings_after.get(criterion.code, "")
            if before != after:
                changes.append(
                    Change(
                        f"finding:{criterion.code}",
                        _("Findings for (%(letter)s)") % {"letter": letters[criterion.code]},
                        _text_or_dash(before),
                        _text_or_dash(after),
                    )
                )
        not_rated = _("Not rated yet")
        texts = [
            (
                "rating",
                _("Rating"),
                rating_label(row.rating) or not_rated,
                rating_label(data.rating) or not_rated,
            ),
            (
                "suggested_rating",
                _("Suggested rating"),
                rating_label(row.suggested_rating),
                rating_label(suggestion),
            ),
        ]
        if indicator.numeric_label:
            texts.append(
                (
                    "numeric_value",
                    indicator.numeric_label,
                    "" if row.numeric_value is None else str(row.numeric_value),
                    "" if numeric is None else str(numeric),
                )
            )
        texts += [
            (
                "override_justification",
                _("Why the rating differs from the suggested rating"),
                clean_text(row.override_justification).strip(),
                justification,
            ),
            (
                "means_of_verification",
                _("Means of verification"),
                clean_text(row.means_of_verification).strip(),
                data.means_of_verification,
            ),
            (
                "explanation",
                _("Findings and explanation (general)"),
                clean_text(row.explanation).strip(),
                data.explanation,
            ),
        ]
        for name, label, before, after in texts:
            if before != after:
                changes.append(
                    Change(name, str(label), _text_or_dash(before), _text_or_dash(after))
                )
        if not changes:
            return
        becomes_reassessed = not row.reassessed
        if becomes_reassessed:
            changes.append(Change("reassessed", reassessed_label, yes_no(False), yes_no(True)))
        self.add(
            PlannedItem(
                kind="pi",
                key=f"pi:{indicator.code}",
                label=title,
                sheet=read.sheet,
                changes=changes,
                payload=asdict(data),
                write=lambda by: services.save_indicator_assessment(
                    row=row, by=by, data=data, expected_version=row.version
                ),
                becomes_reassessed=becomes_reassessed,
                conflict_note=self._row_note(row),
            ),
            str(row.version),
        )

    def _row_note(self, row: IndicatorAssessment) -> str:
        """Who saved the row last, and when: what a conflict says."""
        who = (
            row.updated_by.get_full_name() or row.updated_by.get_username()
            if row.updated_by
            else ""
        )
        when = date_format(row.updated_at, "SHORT_DATETIME_FORMAT")
        if who:
            return _("Saved on the platform by %(who)s on %(when)s, after the download.") % {
                "who": who,
                "when": when,
            }
        return _("Saved on the platform on %(when)s, after the download.") % {"when": when}

    @staticmethod
    def _cell_of(name: str, read: PIInput, checks: list[Criterion]) -> str:
        """The cell a service's message is about."""
        if name == "criteria_met" and checks:
            return read.cells[f"met:{checks[0].code}"]
        if name == "findings":
            return next((ref for key, ref in read.cells.items() if key.startswith("finding:")), "")
        return read.cells.get(name, read.cells["rating"])

    # Action points

    def _action_points(self) -> None:
        sheet = self.content.action_plan_sheet
        current = {point.pk: point for point in self.data.action_points}
        indicators: dict[str, Indicator] = {
            row.indicator.code: row.indicator for row in self.data.rows
        }
        entities = {entity.acronym.casefold(): entity for entity in self.data.entities}
        seen: set[int] = set()
        for read in self.content.action_points:
            point = None
            if read.id is not None:
                if read.id in seen:
                    self.problem(sheet, read.cells["id"], _("this ID is on another row too."))
                    continue
                seen.add(read.id)
                point = current.get(read.id)
                if point is None:
                    if f"ap:{read.id}" in self.versions:
                        self.plan_.notes.append(
                            _(
                                "Action point %(id)s (row %(row)s) was withdrawn on the platform "
                                "since the download: its row is left out."
                            )
                            % {"id": read.id, "row": read.row}
                        )
                    else:
                        self.problem(
                            sheet,
                            read.cells["id"],
                            _(
                                "no action point of this assessment has this ID: leave the ID "
                                "empty for a new action point."
                            ),
                        )
                    continue
            fields = self._action_point_fields(sheet, read, indicators, entities, point)
            if fields is None:
                continue
            if point is None:
                self._new_action_point(sheet, read, fields)
            else:
                self._changed_action_point(sheet, read, fields, point)
        for key in self.versions:
            if key.startswith("ap:") and int(key[3:]) in current and int(key[3:]) not in seen:
                self.plan_.notes.append(
                    _(
                        "The row of action point %(id)s is missing or empty: action points are "
                        "withdrawn on the platform, so it is left as it is."
                    )
                    % {"id": key[3:]}
                )

    def _action_point_fields(
        self,
        sheet: str,
        read: ActionPointInput,
        indicators: dict[str, Indicator],
        entities: dict[str, UNEntity],
        point: ActionPoint | None,
    ) -> dict[str, Any] | None:
        values = dict(read.values)
        ok = True
        indicator = indicators.get(values.pop("indicator"))
        if indicator is None:
            self.problem(sheet, read.cells["indicator"], _("choose a PI from the list."))
            ok = False
        acronym = values.pop("responsible_entity")
        entity = entities.get(acronym.casefold()) if acronym else None
        if acronym and entity is None:
            self.problem(
                sheet, read.cells["responsible_entity"], _("choose a UN entity from the list.")
            )
            ok = False
        if not values["status"] and point is None:
            values["status"] = ActionPoint.Status.NOT_STARTED
        fields = {"indicator": indicator, "responsible_entity": entity, **values}
        if not ok or self.unread(sheet, read.cells.values()):
            return None
        candidate = ActionPoint(assessment=self.assessment, **fields)
        try:
            candidate.full_clean(exclude=["order"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                ref = read.cells.get(name, read.cells["text"])
                for message in messages:
                    self.problem(sheet, ref, message)
            return None
        return fields

    def _new_action_point(self, sheet: str, read: ActionPointInput, fields: dict[str, Any]) -> None:
        changes = [
            Change(name, label, "", after)
            for name, label, after in self._action_point_display(fields)
            if after
        ]
        self.add(
            PlannedItem(
                kind="action_point",
                key=f"new:{read.row}",
                label=_("New action point (row %(row)s)") % {"row": read.row},
                sheet=sheet,
                changes=changes,
                payload=self._payload(fields),
                write=lambda by: services.create_action_point(
                    assessment=self.assessment, by=by, **fields
                ),
                new=True,
            ),
            "",
        )

    def _changed_action_point(
        self, sheet: str, read: ActionPointInput, fields: dict[str, Any], point: ActionPoint
    ) -> None:
        changed = {}
        for name, value in fields.items():
            before = getattr(point, name)
            same = _same(before, value) if isinstance(value, str) else before == value
            if not same:
                changed[name] = value
        if not changed:
            return
        before_values = dict(
            (name, display)
            for name, _label, display in self._action_point_display(
                {name: getattr(point, name) for name in fields}
            )
        )
        changes = [
            Change(name, label, _text_or_dash(before_values[name]), _text_or_dash(after))
            for name, label, after in self._action_point_display(fields)
            if name in changed
        ]
        self.add(
            PlannedItem(
                kind="action_point",
                key=f"ap:{point.pk}",
                label=_("Action point %(id)s (row %(row)s)") % {"id": point.pk, "row": read.row},
                sheet=sheet,
                changes=changes,
                payload=self._payload(changed),
                write=lambda by: services.update_action_point(action_point=point, by=by, **changed),
                conflict_note=_("Changed on the platform after the download."),
            ),
            action_point_version(point),
        )

    @staticmethod
    def _action_point_display(fields: dict[str, Any]) -> list[tuple[str, str, str]]:
        """(field, label, value as people read it) for each field of an action point."""
        out = []
        for name, value in fields.items():
            label = str(capfirst(ActionPoint._meta.get_field(name).verbose_name))
            if name == "indicator":
                text = _("PI %(code)s") % {"code": value.code} if value else ""
            elif name == "responsible_entity":
                text = value.acronym if value else ""
            elif name == "status":
                text = (
                    str(ActionPoint.Status(value).label)
                    if value in ActionPoint.Status.values
                    else ""
                )
            elif name == "timeline":
                text = value.isoformat() if value else ""
            else:
                text = clean_text(value or "").strip()
            out.append((name, label, text))
        return out

    @staticmethod
    def _payload(fields: dict[str, Any]) -> dict[str, Any]:
        return {name: value.pk if hasattr(value, "pk") else value for name, value in fields.items()}

    # Process and IAT

    def _process(self) -> None:
        read = self.content.process
        changed = {
            name: read[name]
            for name in PROCESS_FIELDS
            if not _same(getattr(self.assessment, name), read[name])
        }
        if not changed:
            return
        values = {
            name: changed.get(name, getattr(self.assessment, name)) for name in PROCESS_FIELDS
        }
        changes = [
            Change(
                name,
                str(capfirst(Assessment._meta.get_field(name).verbose_name)),
                _text_or_dash(clean_text(getattr(self.assessment, name)).strip()),
                _text_or_dash(value),
            )
            for name, value in changed.items()
        ]
        self.add(
            PlannedItem(
                kind="process",
                key="process",
                label=str(capfirst(Assessment._meta.get_field("process_description").verbose_name)),
                sheet=self.content.process_sheet,
                changes=changes,
                payload=values,
                write=lambda by: services.update_assessment_process(
                    assessment=self.assessment, by=by, **values
                ),
                conflict_note=_("Changed on the platform after the download."),
            ),
            process_version(self.assessment),
        )

    def _iat(self) -> None:
        sheet = self.content.process_sheet
        entities = {entity.acronym.casefold(): entity for entity in self.data.entities}
        members = []
        for read in self.content.members:
            entity = entities.get(read.entity.casefold()) if read.entity else None
            if read.entity and entity is None:
                self.problem(sheet, read.cells["entity"], _("choose a UN entity from the list."))
            if not read.name:
                self.problem(sheet, read.cells["name"], _("write the member's name."))
            members.append(
                {
                    "name": read.name,
                    "title": read.title,
                    "entity": entity,
                    "is_coordinator": read.is_coordinator,
                }
            )
        current = self.data.iat_members

        def line(name: str, title: str, entity: UNEntity | None, coordinator: bool) -> str:
            parts = [name, title, entity.acronym if entity else ""]
            if coordinator:
                parts.append(
                    str(capfirst(IATMember._meta.get_field("is_coordinator").verbose_name))
                )
            return " · ".join(part for part in parts if part)

        before = [
            (clean_text(m.name).strip(), clean_text(m.title).strip(), m.entity_id, m.is_coordinator)
            for m in current
        ]
        after = [
            (m["name"], m["title"], m["entity"].pk if m["entity"] else None, m["is_coordinator"])
            for m in members
        ]
        if before == after:
            return
        label = str(capfirst(IATMember._meta.verbose_name_plural))
        change = Change(
            "iat",
            label,
            _text_or_dash(
                "\n".join(line(m.name, m.title, m.entity, m.is_coordinator) for m in current)
            ),
            _text_or_dash(
                "\n".join(
                    line(m["name"], m["title"], m["entity"], m["is_coordinator"]) for m in members
                )
            ),
        )
        self.add(
            PlannedItem(
                kind="iat",
                key="iat",
                label=label,
                sheet=sheet,
                changes=[change],
                payload=after,
                write=lambda by: services.set_iat_members(
                    assessment=self.assessment, by=by, members=members
                ),
                conflict_note=_("Changed on the platform after the download."),
            ),
            iat_version(current),
        )
