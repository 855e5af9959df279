"""Writes: staffing snapshots (file import, per-entity grid) and the parity strategy tracker.

Every staffing write is validated whole before anything is written: the caller gets every problem,
each with the row number the user sees in the file (the header is row 1), or nothing at all.
A snapshot's counts are then replaced in one transaction, so a failed import never leaves half a
table and a re-import never mixes old and new rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import limits
from core.models import CountryTeam, UNEntity

from .models import (
    GRADES,
    MAX_YEAR,
    MIN_YEAR,
    EntityWorkforceShare,
    ParityRecommendation,
    RecommendationUpdate,
    StaffingCount,
    StaffingSnapshot,
)
from .tables import TEMPLATE_COLUMNS, TableError, read_rows

REQUIRED_COLUMNS = ("entity", "grade", "women", "men")
OPTIONAL_COLUMNS = ("not_disclosed",)
COUNT_FIELDS = ("women", "men", "not_disclosed")
HEADER_ALIASES = {
    "undisclosed": "not_disclosed",
    "not_disclosed": "not_disclosed",
    "sex_not_disclosed": "not_disclosed",
    "female": "women",
    "male": "men",
    "agency": "entity",
    "level": "grade",
}
# Spellings seen in agency tables for the non-staff categories, upper-cased, without spaces or
# dots; codes themselves (SC, UNV, OTHER, USG...) need no alias.
GRADE_ALIASES = {
    "SERVICECONTRACT": "SC",
    "SERVICECONTRACTS": "SC",
    "UNVS": "UNV",
    "UNVOLUNTEER": "UNV",
    "UNVOLUNTEERS": "UNV",
}
GRADE_PATTERN = re.compile(r"(D|P|NO|G|FS)-?([0-9A-E])")


@dataclass(frozen=True)
class Problem:
    """One reason a write is refused; `row` or `grade` says where."""

    message: str
    row: int | None = None
    grade: str | None = None
    field: str | None = None


class StaffingImportError(ValidationError):
    """Staffing figures that cannot be saved. `messages` lists every problem found, each naming
    its row (file) or grade (grid); `problems` keeps them as data for forms."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([problem.message for problem in problems])


@dataclass(frozen=True)
class ValidRow:
    row: int
    entity: UNEntity
    grade: str
    women: int
    men: int
    not_disclosed: int

    @property
    def is_empty(self) -> bool:
        return self.women == self.men == self.not_disclosed == 0


@dataclass(frozen=True)
class ImportResult:
    snapshot: StaffingSnapshot
    rows: int
    entities: int


# --- Reading values -----------------------------------------------------------------------------


def normalize_grade(value: Any) -> str | None:
    """The grade code for what a user typed ('P5', 'p-5', 'NO A', 'Service contract'), or None."""
    text = str(value if value is not None else "").strip().upper()
    text = text.replace("–", "-").replace("—", "-").replace("_", "-")
    compact = re.sub(r"[\s.]+", "", text)
    if compact in GRADE_ALIASES:
        return GRADE_ALIASES[compact]
    match = GRADE_PATTERN.fullmatch(compact)
    if match:
        code = f"{match.group(1)}-{match.group(2)}"
        return code if code in GRADES else None
    return compact if compact in GRADES else None


def parse_count(value: Any) -> int | None:
    """A head count: a whole number ≥ 0. Blank means 0. None when the value is not a count."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float | Decimal):
        return int(value) if value >= 0 and value == int(value) else None
    text = str(value).strip()
    if text == "":
        return 0
    return int(text) if text.isascii() and text.isdigit() else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _header_key(value: Any) -> str:
    """The column a header cell names: a key or the template's header in any of the languages
    (a file downloaded in French imports for everyone), else an alias or the cell as a key."""
    known = TEMPLATE_COLUMNS.key_for(value)
    if known is not None:
        return known
    key = re.sub(r"[\s\-]+", "_", _text(value).lower())
    return HEADER_ALIASES.get(key, key)


def entity_lookup() -> dict[str, UNEntity]:
    """Entities by upper-cased acronym and by upper-cased full name (one query)."""
    entities = list(UNEntity.objects.all())
    lookup = {entity.name.upper(): entity for entity in entities}
    lookup.update({entity.acronym.upper(): entity for entity in entities})  # acronyms win
    return lookup


def _row_problem(row: int, problem: str, field: str | None = None) -> Problem:
    return Problem(
        _("Row %(row)s: %(problem)s") % {"row": row, "problem": problem}, row=row, field=field
    )


def _grade_problem(grade: str, problem: str, field: str | None = None) -> Problem:
    return Problem(
        _("%(grade)s: %(problem)s") % {"grade": grade, "problem": problem},
        grade=grade,
        field=field,
    )


def _not_a_count(field: str) -> str:
    return _("%(field)s must be a whole number ≥ 0") % {"field": field}


def validate_table(
    rows: list[tuple[int, list[Any]]], entities: Mapping[str, UNEntity]
) -> tuple[list[ValidRow], list[Problem]]:
    """Check every row of a table whose first row is the header; return the rows and problems."""
    if not rows:
        return [], [Problem(_("The file is empty."))]
    header_number, header = rows[0]
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for index, value in enumerate(header):
        key = _header_key(value)
        if key not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            continue  # extra columns (a total, notes) are ignored
        if key in columns:
            twice = _("column '%(column)s' appears twice") % {"column": key}
            problems.append(_row_problem(header_number, twice))
        columns.setdefault(key, index)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(
                _row_problem(
                    header_number, _("missing required column '%(column)s'") % {"column": column}
                )
            )
    if problems:
        return [], problems  # without the columns, the rows cannot be read

    def cell(cells: list[Any], column: str) -> Any:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    valid: list[ValidRow] = []
    first_seen: dict[tuple[int, str], int] = {}
    for number, cells in rows[1:]:
        if all(_text(value) == "" for value in cells):
            continue  # blank lines between blocks are fine
        found: list[Problem] = []
        entity_text, grade_text = _text(cell(cells, "entity")), _text(cell(cells, "grade"))
        entity = entities.get(entity_text.upper()) if entity_text else None
        if not entity_text:
            found.append(_row_problem(number, _("entity is empty")))
        elif entity is None:
            found.append(
                _row_problem(number, _("unknown entity '%(entity)s'") % {"entity": entity_text})
            )
        grade = normalize_grade(grade_text) if grade_text else None
        if not grade_text:
            found.append(_row_problem(number, _("grade is empty")))
        elif grade is None:
            found.append(
                _row_problem(number, _("unknown grade '%(grade)s'") % {"grade": grade_text})
            )
        counts = {field: parse_count(cell(cells, field)) for field in COUNT_FIELDS}
        found += [
            _row_problem(number, _not_a_count(field), field)
            for field, count in counts.items()
            if count is None
        ]
        if entity is not None and grade is not None:
            first = first_seen.setdefault((entity.pk, grade), number)
            if first != number:
                found.append(
                    _row_problem(
                        number,
                        _("%(entity)s / %(grade)s appears twice (first on row %(first)s)")
                        % {"entity": entity.acronym, "grade": grade, "first": first},
                    )
                )
        problems.extend(found)
        if found or entity is None or grade is None:
            continue
        valid.append(ValidRow(number, entity, grade, **counts))  # type: ignore[arg-type]
    if not valid and not problems:
        problems.append(Problem(_("The file has no data rows.")))
    return valid, problems


# --- Snapshots ----------------------------------------------------------------------------------


def _check_snapshot_details(*, year: int, as_of: date, source: str) -> list[Problem]:
    problems = []
    if not MIN_YEAR <= year <= MAX_YEAR:
        limits = {"min": MIN_YEAR, "max": MAX_YEAR}
        problems.append(Problem(_("The year must be between %(min)s and %(max)s.") % limits))
    if not isinstance(as_of, date):
        problems.append(Problem(_("The 'as of' date is required.")))
    if len(source) > StaffingSnapshot._meta.get_field("source").max_length:
        problems.append(Problem(_("The source is longer than 300 characters.")))
    return problems


def _write_counts(
    *,
    country_team: CountryTeam,
    year: int,
    rows: Iterable[ValidRow],
    as_of: date,
    source: str,
    include_non_staff: bool | None,
    by: User | None,
    entity: UNEntity | None = None,
) -> StaffingSnapshot:
    """Replace the snapshot's counts (or one entity's) with `rows`, inside the caller's
    transaction; the snapshot row is locked so two imports of one team-year queue up."""
    snapshot, created = StaffingSnapshot.objects.select_for_update().get_or_create(
        country_team=country_team,
        year=year,
        defaults={
            "as_of": as_of,
            "source": source,
            "include_non_staff": True if include_non_staff is None else include_non_staff,
            "created_by": by,
            "updated_by": by,
        },
    )
    if not created:
        snapshot.as_of, snapshot.source, snapshot.updated_by = as_of, source, by
        if include_non_staff is not None:
            snapshot.include_non_staff = include_non_staff
        snapshot.save(
            update_fields=["as_of", "source", "include_non_staff", "updated_by", "updated_at"]
        )
    old = snapshot.counts.all() if entity is None else snapshot.counts.filter(entity=entity)
    old.delete()
    StaffingCount.objects.bulk_create(
        StaffingCount(
            snapshot=snapshot,
            entity=row.entity,
            grade=row.grade,
            women=row.women,
            men=row.men,
            not_disclosed=row.not_disclosed,
        )
        for row in rows
        if not row.is_empty  # a grade nobody holds is not stored
    )
    return snapshot


def import_staffing_rows(
    *,
    country_team: CountryTeam,
    year: int,
    rows: list[tuple[int, list[Any]]],
    as_of: date,
    source: str,
    by: User | None,
    include_non_staff: bool | None = None,
) -> ImportResult:
    """Validate a whole table (header first) and, when clean, make it the team's snapshot.

    `include_non_staff` None keeps an existing snapshot's choice (a new one includes them).
    Raises StaffingImportError listing every problem; nothing is written then.
    """
    valid, problems = validate_table(rows, entity_lookup())
    problems = _check_snapshot_details(year=year, as_of=as_of, source=source) + problems
    if problems:
        raise StaffingImportError(problems)
    with transaction.atomic():
        snapshot = _write_counts(
            country_team=country_team,
            year=year,
            rows=valid,
            as_of=as_of,
            source=source,
            include_non_staff=include_non_staff,
            by=by,
        )
    kept = [row for row in valid if not row.is_empty]
    return ImportResult(
        snapshot=snapshot, rows=len(kept), entities=len({row.entity.pk for row in kept})
    )


def import_staffing(
    *,
    country_team: CountryTeam,
    year: int,
    file: IO[bytes],
    as_of: date,
    source: str,
    by: User | None,
    include_non_staff: bool | None = None,
) -> ImportResult:
    """Import a .xlsx or .csv file (columns entity, grade, women, men[, not_disclosed]), replacing
    the team's snapshot for the year atomically. Every row is checked first."""
    name = getattr(file, "name", "") or ""
    file.seek(0)
    try:
        rows = read_rows(file.read(), name)
    except TableError as error:
        raise StaffingImportError([Problem(str(error))]) from error
    return import_staffing_rows(
        country_team=country_team,
        year=year,
        rows=rows,
        as_of=as_of,
        source=source,
        by=by,
        include_non_staff=include_non_staff,
    )


def save_staffing_grid(
    *,
    country_team: CountryTeam,
    year: int,
    entity: UNEntity,
    cells: Mapping[str, Mapping[str, Any]],
    as_of: date,
    source: str,
    by: User | None,
    include_non_staff: bool | None = None,
) -> StaffingSnapshot:
    """Save one entity's grid (grade → {'women', 'men', 'not_disclosed'}), replacing that entity's
    counts only; the snapshot is created when it does not exist. Blank cells mean 0."""
    problems = _check_snapshot_details(year=year, as_of=as_of, source=source)
    rows = []
    for grade, values in cells.items():
        if grade not in GRADES:
            problems.append(
                _grade_problem(grade, _("unknown grade '%(grade)s'") % {"grade": grade})
            )
            continue
        counts = {}
        for field in COUNT_FIELDS:
            counts[field] = parse_count(values.get(field))
            if counts[field] is None:
                problems.append(_grade_problem(grade, _not_a_count(field), field))
        if all(value is not None for value in counts.values()):
            rows.append(ValidRow(0, entity, grade, **counts))  # type: ignore[arg-type]
    if problems:
        raise StaffingImportError(problems)
    with transaction.atomic():
        return _write_counts(
            country_team=country_team,
            year=year,
            rows=rows,
            as_of=as_of,
            source=source,
            include_non_staff=include_non_staff,
            by=by,
            entity=entity,
        )


# --- The parity strategy tracker ----------------------------------------------------------------


def _strategy_length_errors(document: Mapping[str, Any]) -> list[str]:
    """Each text of a strategy document within its field's limit, where it is in the document
    ("recommendations[2].updates[1].notes: Ensure this value has at most 5000 characters…")."""
    texts: list[tuple[str, Any, type[Any], str]] = []
    for r, item in enumerate(document.get("recommendations", []), start=1):
        where = f"recommendations[{r}]"
        texts += [
            (f"{where}.{key}", item.get(key), ParityRecommendation, key)
            for key in ("title", "text")
        ]
        for u, update in enumerate(item.get("updates", []), start=1):
            texts += [
                (f"{where}.updates[{u}].{key}", update.get(key), RecommendationUpdate, key)
                for key in ("notes", "future_plans")
            ]
    for w, share in enumerate(document.get("workforce_shares", []), start=1):
        texts += [
            (f"workforce_shares[{w}].{key}", share.get(key), EntityWorkforceShare, key)
            for key in ("scope", "source")
        ]
    errors = []
    for where, text, model, name in texts:
        message = limits.length_error(text, limits.field_limit(model, name))
        if message:
            errors.append(f"{where}: {message}")
    return errors


@transaction.atomic
def load_strategy_document(*, document: Mapping[str, Any]) -> tuple[int, int, int]:
    """Create or update an entity's recommendations, their yearly updates and the entity's
    workforce shares from a fixtures/parity strategy document. Safe to re-run.

    Returns (recommendations, updates, workforce shares) written.
    """
    entity = UNEntity.objects.filter(acronym=document["entity"]).first()
    if entity is None:
        raise ValidationError(_("Unknown UN entity '%(entity)s'.") % {"entity": document["entity"]})
    too_long = _strategy_length_errors(document)
    if too_long:
        raise ValidationError(too_long)
    statuses = {choice.value for choice in RecommendationUpdate.Status}
    updates = 0
    for order, item in enumerate(document.get("recommendations", [])):
        recommendation, _created = ParityRecommendation.objects.update_or_create(
            entity=entity,
            number=item["number"],
            defaults={"title": item.get("title", ""), "text": item["text"], "order": order},
        )
        for update in item.get("updates", []):
            if update["status"] not in statuses:
                raise ValidationError(
                    _("Unknown status '%(status)s'.") % {"status": update["status"]}
                )
            RecommendationUpdate.objects.update_or_create(
                recommendation=recommendation,
                year=update["year"],
                defaults={
                    "status": update["status"],
                    "notes": update.get("notes", ""),
                    "future_plans": update.get("future_plans", ""),
                },
            )
            updates += 1
    shares = document.get("workforce_shares", [])
    for share in shares:
        EntityWorkforceShare.objects.update_or_create(
            entity=entity,
            year=share["year"],
            defaults={
                "women_percent": Decimal(str(share["women_percent"])),
                "men_percent": Decimal(str(share["men_percent"])),
                "scope": share.get("scope", ""),
                "source": share.get("source", ""),
            },
        )
    return len(document.get("recommendations", [])), updates, len(shares)
