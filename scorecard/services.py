"""Writes: every change to scorecard data goes through a function here.

Views, the API, management commands and tasks call these; none of them saves scorecard models
directly. Multi-row writes run in one transaction so nothing is ever half-saved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from core import limits
from core.models import CountryTeam, Membership, Region, UNEntity
from core.permissions import role_in
from core.services import notify, quote
from core.storage import storage_errors

from . import selectors
from .models import (
    FINDING_MAX_LENGTH,
    ActionPoint,
    Assessment,
    Comment,
    Criterion,
    Dimension,
    Evidence,
    EvidenceCategory,
    Framework,
    IATMember,
    Indicator,
    IndicatorAssessment,
    LevelRule,
    Rating,
    TextStatus,
)
from .rules import suggest_rating
from .uploads import check_evidence_file

LEVELS = ("approaches", "meets", "exceeds")
RATING_VALUES = {r.value for r in Rating}


class DocumentError(ValidationError):
    """A JSON document that cannot be imported; `messages` lists every problem found."""


# --- Framework ------------------------------------------------------------------------------


def validate_framework_document(document: Mapping[str, Any]) -> list[str]:
    """Every problem in a framework document; an empty list means it can be imported."""
    errors: list[str] = []
    if document.get("format") != selectors.FRAMEWORK_FORMAT:
        errors.append(f"format must be {selectors.FRAMEWORK_FORMAT!r}")
    if not str(document.get("version", "")).strip():
        errors.append("version is required")
    categories = set(document.get("evidence_categories", []))
    seen_codes: set[str] = set()
    for dimension in document.get("dimensions", []):
        for indicator in dimension.get("indicators", []):
            code = indicator.get("code", "?")
            where = f"PI {code}"
            if code in seen_codes:
                errors.append(f"{where}: duplicate PI code")
            seen_codes.add(code)
            for key in ("short_title", "statement"):
                if not indicator.get(key):
                    errors.append(f"{where}: {key} is required")
            criteria_codes = [c.get("code") for c in indicator.get("criteria", [])]
            if len(criteria_codes) != len(set(criteria_codes)):
                errors.append(f"{where}: duplicate criterion code")
            uses_band = False
            for criterion in indicator.get("criteria", []):
                if criterion.get("level") not in LEVELS:
                    errors.append(f"{where} ({criterion.get('code')}): unknown level")
                if criterion.get("kind", "check") not in {"check", "band"}:
                    errors.append(f"{where} ({criterion.get('code')}): unknown kind")
                uses_band |= criterion.get("kind") == "band"
            levels = indicator.get("levels", {})
            for level in LEVELS:
                spec = levels.get(level)
                if spec is None:
                    errors.append(f"{where}: no rule for {level}")
                    continue
                kind = spec.get("rule")
                if kind not in {k.value for k in LevelRule.Kind}:
                    errors.append(f"{where} {level}: unknown rule {kind!r}")
                    continue
                uses_band |= kind == "band"
                unknown = [c for c in spec.get("criteria", []) if c not in criteria_codes]
                if unknown:
                    errors.append(f"{where} {level}: unknown criteria {', '.join(unknown)}")
                if kind in {"all", "at_least_n"} and not spec.get("criteria"):
                    errors.append(f"{where} {level}: the rule lists no criteria")
                if kind == "at_least_n" and not (
                    1 <= (spec.get("n") or 0) <= len(spec["criteria"])
                ):
                    errors.append(f"{where} {level}: n must be between 1 and the criteria count")
            if uses_band and not indicator.get("numeric_label"):
                errors.append(f"{where}: a band is used, so numeric_label is required")
            missing = set(indicator.get("evidence_categories", [])) - categories
            if missing:
                errors.append(f"{where}: unknown evidence categories {', '.join(sorted(missing))}")
    if not seen_codes:
        errors.append("the document has no PIs")
    errors += _framework_length_errors(document)
    # Other languages are checked against a sound English text, their reference.
    return errors or _translation_errors(document)


def _too_long(where: str, key: str, value: Any, model: type[Any], field: str = "") -> list[str]:
    """A document's text longer than its field's limit (the same limit as the form's)."""
    limit = limits.field_limit(model, field or key)
    if isinstance(value, str) and len(value) > limit:
        return [f"{where}: {key} is longer than {limit} characters ({len(value)})"]
    return []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _framework_length_errors(document: Mapping[str, Any]) -> list[str]:
    """Every text of a framework document, in every language, within its field's limit."""
    errors = [
        problem
        for key in ("version", "name", "notes")
        for problem in _too_long("framework", key, document.get(key), Framework)
    ]
    for name in document.get("evidence_categories", []):
        errors += _too_long("evidence_categories", "name", name, EvidenceCategory)
    for dimension in document.get("dimensions", []):
        number = dimension.get("number")
        errors += _too_long(f"Dimension {number}", "title", dimension.get("title"), Dimension)
        for indicator in dimension.get("indicators", []):
            where = f"PI {str(indicator.get('code', '?'))[:20]}"
            for key in ("code", "short_title", "statement", "mov_hint", "numeric_label"):
                errors += _too_long(where, key, indicator.get(key), Indicator)
            for criterion in indicator.get("criteria", []):
                for key in ("code", "letter", "text"):
                    errors += _too_long(where, key, criterion.get(key), Criterion)
            for level, spec in _mapping(indicator.get("levels")).items():
                errors += _too_long(
                    f"{where} {level}", "text", _mapping(spec).get("text"), LevelRule
                )
    for language, block in _mapping(document.get("translations")).items():
        block = _mapping(block)
        for name, text in _mapping(block.get("evidence_categories")).items():
            where = f"Evidence category {str(name)[:40]!r} ({language})"
            errors += _too_long(where, "text", text, EvidenceCategory, "label")
        for number, title in _mapping(block.get("dimensions")).items():
            errors += _too_long(f"Dimension {number} ({language})", "title", title, Dimension)
        for code, text in _mapping(block.get("indicators")).items():
            where = f"PI {str(code)[:20]} ({language})"
            text = _mapping(text)
            for key in ("short_title", "statement", "mov_hint", "numeric_label"):
                errors += _too_long(where, key, text.get(key), Indicator)
            for value in _mapping(text.get("criteria")).values():
                errors += _too_long(where, "criteria", value, Criterion, "text")
            for value in _mapping(text.get("levels")).values():
                errors += _too_long(where, "levels", value, LevelRule, "text")
    return errors


OPTIONAL_TEXT = ("mov_hint", "numeric_label")


def _translation_errors(document: Mapping[str, Any]) -> list[str]:
    """A language the document carries must carry all of the framework's text, under the same
    criterion and level codes as the English, for every PI of the English (docs/formats.md)."""
    translations = document.get("translations", {})
    if not isinstance(translations, dict):
        return ["translations must map language codes to their text"]
    english = {
        indicator.get("code"): indicator
        for dimension in document.get("dimensions", [])
        for indicator in dimension.get("indicators", [])
    }
    numbers = {str(d.get("number")) for d in document.get("dimensions", [])}
    errors: list[str] = []
    for language, block in translations.items():
        if language not in selectors.TRANSLATED_LANGUAGES:
            known = ", ".join(selectors.TRANSLATED_LANGUAGES)
            errors.append(f"translations: unknown language {language!r} (one of {known})")
            continue
        if block.get("status", "unofficial") not in ("official", "unofficial"):
            errors.append(f"translations ({language}): status is official or unofficial")
        errors += _category_errors(document, block, language)
        titles = block.get("dimensions", {})
        for number in sorted(numbers - {k for k, v in titles.items() if v}):
            errors.append(f"Dimension {number} ({language}): the title is missing")
        texts = block.get("indicators", {})  # text of a PI the English lacks is not read
        for code, source in english.items():
            text = texts.get(code)
            where = f"PI {code} ({language})"
            if not isinstance(text, dict):
                errors.append(f"{where}: the text in this language is missing")
                continue
            for key in ("short_title", "statement", *OPTIONAL_TEXT):
                if (source.get(key) or key not in OPTIONAL_TEXT) and not text.get(key):
                    errors.append(f"{where}: {key} is missing")
            expected = {c.get("code") for c in source.get("criteria", [])}
            given = set(text.get("criteria", {}))
            if given != expected:
                errors.append(
                    f"{where}: criteria codes {', '.join(sorted(given)) or 'none'} differ from "
                    f"the English {', '.join(sorted(expected))}"
                )
            elif not all(text["criteria"].values()):
                errors.append(f"{where}: a criterion's text is missing")
            levels = {level for level, spec in source.get("levels", {}).items() if spec.get("text")}
            if levels - {k for k, v in text.get("levels", {}).items() if v}:
                errors.append(f"{where}: a level's text is missing")
    return errors


def _category_errors(
    document: Mapping[str, Any], block: Mapping[str, Any], language: str
) -> list[str]:
    """A language's `evidence_categories`: each English category name → its text, all of them
    and only them. The English name stays the key; this is what a reader of the language sees."""
    texts = block.get("evidence_categories", {})
    if not isinstance(texts, dict):
        return [f"translations ({language}): evidence_categories maps English names to texts"]
    english = list(document.get("evidence_categories", []))
    errors = [
        f"Evidence category {name!r} ({language}): the text is missing"
        for name in english
        if not (isinstance(texts.get(name), str) and texts[name].strip())
    ]
    errors += [
        f"Evidence category {name!r} ({language}): not one of the English evidence_categories"
        for name in texts
        if name not in english
    ]
    return errors


def _translated(field: str, english: str | None, lookup: Any) -> dict[str, Any]:
    """{column: value} for `field` in every language: lookup(language) gives the text or None."""
    values = {field: english or "", selectors.column(field, "en"): english or ""}
    for language in selectors.TRANSLATED_LANGUAGES:
        values[selectors.column(field, language)] = lookup(language) or None
    return values


def _status(value: str | None) -> str:
    return TextStatus.CONFIRMED if value == TextStatus.CONFIRMED else TextStatus.TO_VERIFY


@transaction.atomic
def import_framework(*, document: Mapping[str, Any], make_current: bool = True) -> Framework:
    """Create or replace a framework version from its JSON document, in every language it has.

    PIs are matched by code, so assessments made against an earlier import keep their rows.
    """
    # modeltranslation writes a base field (short_title) to the active language's column: the
    # import runs in English, the document's own language, whoever asks for it.
    with translation.override("en"):
        return _import_framework(document=document, make_current=make_current)


def _import_framework(*, document: Mapping[str, Any], make_current: bool) -> Framework:
    errors = validate_framework_document(document)
    if errors:
        raise DocumentError(errors)
    translations = document.get("translations", {})

    def text_of(language: str) -> Mapping[str, Any]:
        return translations.get(language, {})

    framework, _created = Framework.objects.update_or_create(
        version=document["version"],
        defaults={
            "name": document.get("name", ""),
            "notes": document.get("notes", ""),
            "translation_status": {
                language: block.get("status", "unofficial")
                for language, block in translations.items()
            },
        },
    )
    categories = {}
    for order, name in enumerate(document.get("evidence_categories", [])):
        categories[name], _created = EvidenceCategory.objects.update_or_create(
            framework=framework,
            name=name,
            defaults={
                "order": order,
                **_translated(
                    "label",
                    name,
                    lambda lang, name=name: text_of(lang).get("evidence_categories", {}).get(name),
                ),
            },
        )
    EvidenceCategory.objects.filter(framework=framework).exclude(name__in=categories).delete()

    order = 0
    kept_indicators = []
    for dim_doc in document["dimensions"]:
        number = str(dim_doc["number"])
        dimension, _created = Dimension.objects.update_or_create(
            framework=framework,
            number=dim_doc["number"],
            defaults=_translated(
                "title",
                dim_doc["title"],
                lambda lang, number=number: text_of(lang).get("dimensions", {}).get(number),
            ),
        )
        for ind_doc in dim_doc["indicators"]:
            order += 1

            def pi(language: str, code: str = ind_doc["code"]) -> Mapping[str, Any]:
                return text_of(language).get("indicators", {}).get(code, {})

            indicator, _created = Indicator.objects.update_or_create(
                framework=framework,
                code=ind_doc["code"],
                defaults={
                    "dimension": dimension,
                    "order": order,
                    "aliases": ind_doc.get("aliases", []),
                    **{
                        key: value
                        for field in ("short_title", "statement", "mov_hint", "numeric_label")
                        for key, value in _translated(
                            field, ind_doc.get(field, ""), lambda lang, f=field: pi(lang).get(f)
                        ).items()
                    },
                },
            )
            kept_indicators.append(indicator.pk)
            indicator.evidence_categories.set(
                [categories[name] for name in ind_doc.get("evidence_categories", [])]
            )
            indicator.criteria.all().delete()
            Criterion.objects.bulk_create(
                Criterion(
                    indicator=indicator,
                    code=c["code"],
                    letter=c["letter"],
                    level=c["level"],
                    kind=c.get("kind", Criterion.Kind.CHECK),
                    **_translated(
                        "text",
                        c["text"],
                        lambda lang, code=c["code"]: pi(lang).get("criteria", {}).get(code),
                    ),
                    text_status=_status(c.get("status")),
                    min_value=c.get("min"),
                    max_value=c.get("max"),
                    order=position,
                )
                for position, c in enumerate(ind_doc.get("criteria", []))
            )
            indicator.rules.all().delete()
            LevelRule.objects.bulk_create(
                LevelRule(
                    indicator=indicator,
                    level=level,
                    kind=spec["rule"],
                    criteria=list(spec.get("criteria", [])),
                    n=spec.get("n"),
                    min_value=spec.get("min"),
                    min_inclusive=spec.get("min_inclusive", True),
                    max_value=spec.get("max"),
                    max_inclusive=spec.get("max_inclusive", True),
                    **_translated(
                        "text",
                        spec.get("text", ""),
                        lambda lang, level=level: pi(lang).get("levels", {}).get(level),
                    ),
                    text_status=_status(spec.get("status")),
                )
                for level, spec in ind_doc["levels"].items()
            )
    stale = Indicator.objects.filter(framework=framework).exclude(pk__in=kept_indicators)
    if IndicatorAssessment.objects.filter(indicator__in=stale).exists():
        raise DocumentError(
            [
                _("PIs that assessments use are missing from the document: %(codes)s")
                % {"codes": ", ".join(stale.values_list("code", flat=True))}
            ]
        )
    stale.delete()
    Dimension.objects.filter(framework=framework, indicators__isnull=True).delete()
    if make_current:
        Framework.objects.exclude(pk=framework.pk).update(is_current=False)
        framework.is_current = True
        framework.save(update_fields=["is_current"])
    return framework


# --- Assessments ----------------------------------------------------------------------------


def _new_rows(assessment: Assessment, *, reassessed: bool) -> list[IndicatorAssessment]:
    return [
        IndicatorAssessment(assessment=assessment, indicator=indicator, reassessed=reassessed)
        for indicator in Indicator.objects.filter(framework=assessment.framework)
    ]


@transaction.atomic
def create_comprehensive_assessment(
    *, country_team: CountryTeam, year: int, by: User, framework: Framework | None = None
) -> Assessment:
    """A baseline assessment: all 15 PIs to be assessed from scratch."""
    framework = framework or selectors.current_framework()
    if framework is None:
        raise ValidationError(_("No framework is loaded yet."))
    _check_year_free(country_team, year)
    assessment = Assessment.objects.create(
        country_team=country_team,
        year=year,
        kind=Assessment.Kind.COMPREHENSIVE,
        framework=framework,
    )
    bulk_create_with_history(
        _new_rows(assessment, reassessed=True), IndicatorAssessment, default_user=by
    )
    return assessment


def _check_year_free(country_team: CountryTeam, year: int) -> None:
    if Assessment.objects.filter(country_team=country_team, year=year).exists():
        raise ValidationError(
            _("%(team)s already has an assessment for %(year)s.")
            % {"team": country_team.display_name, "year": year}
        )


@transaction.atomic
def create_annual_assessment(*, country_team: CountryTeam, year: int, by: User) -> Assessment:
    """An annual progress assessment carried forward from the team's latest earlier one.

    Every rating, its criteria, findings and means of verification are carried over read-only
    (reassessed reset to False, carried_from_year set to where the text was last assessed); the
    action plan is carried over too, since it runs for the whole Cooperation Framework cycle.
    """
    _check_year_free(country_team, year)
    previous = (
        Assessment.objects.filter(country_team=country_team, year__lt=year)
        .select_related("framework")
        .order_by("-year")
        .first()
    )
    if previous is None:
        raise ValidationError(
            _("An annual assessment continues an earlier one; start with a comprehensive one.")
        )
    assessment = Assessment.objects.create(
        country_team=country_team,
        year=year,
        kind=Assessment.Kind.ANNUAL,
        framework=previous.framework,
        participation=previous.participation,
    )
    carried = [
        IndicatorAssessment(
            assessment=assessment,
            indicator_id=row.indicator_id,
            rating=row.rating,
            suggested_rating=row.suggested_rating,
            criteria_met=row.criteria_met,
            numeric_value=row.numeric_value,
            findings=row.findings,
            explanation=row.explanation,
            override_justification=row.override_justification,
            means_of_verification=row.means_of_verification,
            reassessed=False,
            carried_from_year=(
                previous.year
                if row.reassessed or previous.kind == Assessment.Kind.COMPREHENSIVE
                else row.carried_from_year
            ),
        )
        for row in previous.indicator_assessments.all()
    ]
    bulk_create_with_history(carried, IndicatorAssessment, default_user=by)
    IATMember.objects.bulk_create(
        IATMember(
            assessment=assessment,
            name=m.name,
            title=m.title,
            entity_id=m.entity_id,
            is_coordinator=m.is_coordinator,
            order=m.order,
        )
        for m in previous.iat_members.all()
    )
    points = [
        ActionPoint(
            assessment=assessment,
            indicator_id=p.indicator_id,
            text=p.text,
            responsible_entity_id=p.responsible_entity_id,
            responsible=p.responsible,
            timeline=p.timeline,
            resources=p.resources,
            status=p.status,
            activities_year_1=p.activities_year_1,
            activities_year_2=p.activities_year_2,
            activities_year_3=p.activities_year_3,
            activities_year_4=p.activities_year_4,
            order=p.order,
        )
        for p in previous.action_points.filter(withdrawn_at__isnull=True)
    ]
    bulk_create_with_history(points, ActionPoint, default_user=by)
    return assessment


def update_assessment_process(
    *,
    assessment: Assessment,
    by: User,
    process_description: str,
    participation: str,
    additional_comments: str,
) -> Assessment:
    assessment.process_description = process_description
    assessment.participation = participation
    assessment.additional_comments = additional_comments
    limits.check_fields(assessment, "process_description", "participation", "additional_comments")
    assessment.save(
        update_fields=["process_description", "participation", "additional_comments", "updated_at"]
    )
    return assessment


@transaction.atomic
def set_iat_members(
    *, assessment: Assessment, by: User, members: Iterable[Mapping[str, Any]]
) -> list[IATMember]:
    """Replace the IAT member list (the form edits it as one table)."""
    rows = [
        IATMember(
            assessment=assessment,
            name=m["name"],
            title=m.get("title", ""),
            entity=m.get("entity"),
            is_coordinator=bool(m.get("is_coordinator")),
            order=position,
        )
        for position, m in enumerate(members)
    ]
    for row in rows:
        limits.check_fields(row, "name", "title")
    assessment.iat_members.all().delete()
    return IATMember.objects.bulk_create(rows)


# --- PI ratings -----------------------------------------------------------------------------


class ConcurrentEditError(Exception):
    """Someone saved the PI since the user opened it; `current` is what they saved."""

    def __init__(self, current: IndicatorAssessment):
        super().__init__("concurrent edit")
        self.current = current


@dataclass(frozen=True)
class RatingInput:
    rating: str
    criteria_met: list[str]
    numeric_value: Decimal | None
    findings: dict[str, str]
    explanation: str
    override_justification: str
    means_of_verification: str


def suggested_rating_for(
    indicator: Indicator, criteria_met: Iterable[str], numeric_value: Decimal | None
) -> Rating:
    return suggest_rating(selectors.indicator_rules(indicator), criteria_met, numeric_value)


def _rating_length_errors(data: RatingInput) -> dict[str, str]:
    """The texts' limits (the model's), for callers that bypass the form and the API."""
    errors = limits.length_errors(
        {
            name: (getattr(data, name), limits.field_limit(IndicatorAssessment, name))
            for name in ("explanation", "override_justification", "means_of_verification")
        }
    )
    for text in data.findings.values():
        message = limits.length_error(text, FINDING_MAX_LENGTH)
        if message:
            errors["findings"] = message
            break
    return errors


def kept_justification(data: RatingInput, suggestion: Rating) -> str:
    """The justification as saved: what the user wrote, whatever the rating.

    It used to be dropped when the rating matched the suggestion or was cleared ("Not rated
    yet"), which silently lost text the user had written; a rating that changes back can need
    it again. The suggestion stays a parameter: the workbook import asks the same question.
    """
    del suggestion  # kept: callers ask "what is saved for this input and suggestion"
    return data.override_justification


def rating_errors(indicator: Indicator, data: RatingInput) -> tuple[Rating, dict[str, str]]:
    """The suggestion for the input, and field → message for everything wrong with it."""
    codes = {c.code for c in indicator.criteria.all()}
    check_codes = {c.code for c in indicator.criteria.all() if c.kind == Criterion.Kind.CHECK}
    errors: dict[str, str] = {}
    unknown = set(data.criteria_met) - check_codes
    if unknown:
        errors["criteria_met"] = _("Unknown criteria: %(codes)s") % {
            "codes": ", ".join(sorted(unknown))
        }
    if set(data.findings) - codes:
        errors["findings"] = _("Findings refer to criteria this PI does not have.")
    if data.numeric_value is not None and not (0 <= data.numeric_value <= 100):
        errors["numeric_value"] = _("Enter a percentage between 0 and 100.")
    errors.update(_rating_length_errors(data))
    suggestion = suggested_rating_for(indicator, data.criteria_met, data.numeric_value)
    if data.rating and data.rating not in RATING_VALUES:
        errors["rating"] = _("Choose a rating from the list.")
    elif data.rating and data.rating != suggestion and not data.override_justification.strip():
        errors["override_justification"] = _(
            "The rating differs from the suggested rating (%(suggested)s): explain why."
        ) % {"suggested": Rating(suggestion).label}
    return suggestion, errors


def _stored_text(text: str) -> str:
    """A text as the form saves it (Django's fields strip it; TextareaField makes line ends LF)."""
    return normalize_newlines(text).strip()


@transaction.atomic
def save_indicator_assessment(
    *, row: IndicatorAssessment, by: User, data: RatingInput, expected_version: int
) -> IndicatorAssessment:
    """Save a PI's rating, criteria and findings.

    Refused with ConcurrentEditError when the row changed since the user loaded `expected_version`
    (optimistic concurrency: nothing is overwritten silently), and with ValidationError when the
    input is inconsistent (e.g. a rating above the suggestion without justification).
    """
    current = IndicatorAssessment.objects.select_for_update().get(pk=row.pk)
    if current.version != expected_version:
        raise ConcurrentEditError(current)
    suggestion, errors = rating_errors(row.indicator, data)
    if errors:
        raise ValidationError(errors)
    row.rating = data.rating
    row.suggested_rating = suggestion
    row.criteria_met = sorted(set(data.criteria_met))
    row.numeric_value = data.numeric_value
    # Every way in (form, API, workbook) stores a text alike: LF line ends, no blanks around it.
    # The API kept CR LF that the form then dropped, and the PI's history showed an untouched
    # text as changed.
    row.findings = {
        code: _stored_text(text) for code, text in data.findings.items() if text.strip()
    }
    row.explanation = _stored_text(data.explanation)
    row.override_justification = _stored_text(kept_justification(data, suggestion))
    row.means_of_verification = _stored_text(data.means_of_verification)
    row.reassessed = True
    row.carried_from_year = None
    row.version = current.version + 1
    row.updated_by = by
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


def start_reassessment(*, row: IndicatorAssessment, by: User) -> IndicatorAssessment:
    """Unlock a carried PI for this year's reassessment; the carried text is the starting point."""
    row.reassessed = True
    row.carried_from_year = None
    row.version += 1
    row.updated_by = by
    row._history_user = by  # type: ignore[attr-defined]
    row.save(
        update_fields=["reassessed", "carried_from_year", "version", "updated_by", "updated_at"]
    )
    return row


# --- Evidence -------------------------------------------------------------------------------


def _sha256(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def add_evidence(
    *,
    row: IndicatorAssessment,
    by: User,
    title: str,
    category: EvidenceCategory | None,
    entity: UNEntity | None = None,
    file: UploadedFile | None = None,
    url: str = "",
) -> Evidence:
    """Attach a document (an uploaded file, checked by content, or a link) to a PI."""
    if bool(file) == bool(url):
        raise ValidationError(_("Upload a file or give a link, not both and not neither."))
    if category is not None and category.framework_id != row.indicator.framework_id:
        raise ValidationError({"category": _("This category belongs to another framework.")})
    evidence = Evidence(
        indicator_assessment=row,
        title=title.strip(),
        category=category,
        entity=entity,
        url=url,
        uploaded_by=by,
        uploaded_by_name=_display_name(by),
        uploaded_at=timezone.now(),
        order=row.evidence.count(),
    )
    if file is not None:
        checked = check_evidence_file(file)
        evidence.original_name = checked.safe_name
        evidence.content_type = checked.content_type
        evidence.size = file.size
        evidence.sha256 = _sha256(file)
        # Stored under a name we choose, never the one the browser sent.
        file.name = f"{evidence.sha256[:16]}{checked.extension}"
        evidence.file = file
    evidence.full_clean(exclude=["file"])
    evidence._history_user = by  # type: ignore[attr-defined]
    # The file is stored first, then the row: a storage out of reach (StorageUnavailable) saves
    # neither.
    with storage_errors(evidence.file.name if file is not None else ""):
        evidence.save()
    return evidence


def _check_reason(reason: str, model: type[Evidence] | type[ActionPoint]) -> None:
    """A withdrawal's reason within its field's limit, under the `reason` the user typed in."""
    message = limits.length_error(reason, limits.field_limit(model, "withdrawal_reason"))
    if message:
        raise ValidationError({"reason": message})


def withdraw_evidence(*, evidence: Evidence, by: User, reason: str) -> Evidence:
    """Evidence is withdrawn, never deleted: the file and the record stay for the history."""
    if evidence.withdrawn_at is not None:
        raise ValidationError(_("This evidence is already withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the evidence is withdrawn.")})
    _check_reason(reason.strip(), Evidence)
    evidence.withdrawn_at = timezone.now()
    evidence.withdrawn_by = by
    evidence.withdrawal_reason = reason.strip()
    evidence._history_user = by  # type: ignore[attr-defined]
    evidence.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return evidence


# --- Action plan ----------------------------------------------------------------------------


ACTION_POINT_FIELDS = (
    "indicator",
    "text",
    "responsible_entity",
    "responsible",
    "timeline",
    "resources",
    "status",
    "activities_year_1",
    "activities_year_2",
    "activities_year_3",
    "activities_year_4",
)


def create_action_point(*, assessment: Assessment, by: User, **fields: Any) -> ActionPoint:
    point = ActionPoint(assessment=assessment, **fields)
    point.order = assessment.action_points.filter(indicator=point.indicator).count()
    point.full_clean()
    point._history_user = by  # type: ignore[attr-defined]
    point.save()
    return point


def update_action_point(*, action_point: ActionPoint, by: User, **fields: Any) -> ActionPoint:
    if action_point.withdrawn_at is not None:
        raise ValidationError(_("A withdrawn action point cannot be changed."))
    for name, value in fields.items():
        if name not in ACTION_POINT_FIELDS:
            raise TypeError(name)
        setattr(action_point, name, value)
    action_point.full_clean()
    action_point._history_user = by  # type: ignore[attr-defined]
    action_point.save(update_fields=[*fields, "updated_at"])
    return action_point


def withdraw_action_point(*, action_point: ActionPoint, by: User, reason: str) -> ActionPoint:
    """Action points are withdrawn, never deleted, so the plan's history stays whole."""
    if action_point.withdrawn_at is not None:
        raise ValidationError(_("This action point is already withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the action point is withdrawn.")})
    _check_reason(reason.strip(), ActionPoint)
    action_point.withdrawn_at = timezone.now()
    action_point.withdrawn_by = by
    action_point.withdrawal_reason = reason.strip()
    action_point._history_user = by  # type: ignore[attr-defined]
    action_point.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return action_point


# --- Review comments ------------------------------------------------------------------------


@transaction.atomic
def add_comment(
    *,
    row: IndicatorAssessment,
    by: User,
    body: str,
    parent: Comment | None = None,
    proposed_rating: str = "",
) -> Comment:
    """A comment on a PI, a reply to one, or a reviewer's proposal of another rating."""
    errors = {}
    if not body.strip():
        errors["body"] = _("Write the comment (or the reason for the proposed rating).")
    errors.update(
        limits.length_errors({"body": (body.strip(), limits.field_limit(Comment, "body"))})
    )
    if proposed_rating and proposed_rating not in RATING_VALUES:
        errors["proposed_rating"] = _("Choose a rating from the list.")
    if parent is not None and (parent.indicator_assessment_id != row.pk or parent.parent_id):
        errors["parent"] = _("Reply to a comment of this PI.")
    if errors:
        raise ValidationError(errors)
    comment = Comment.objects.create(
        indicator_assessment=row,
        parent=parent,
        author=by,
        author_name=_display_name(by),
        body=body.strip(),
        proposed_rating=proposed_rating,
        created_at=timezone.now(),
    )
    _notify_comment(comment, row=row, by=by)
    return comment


def _notify_comment(comment: Comment, *, row: IndicatorAssessment, by: User) -> int:
    """A reviewer's comment (anyone outside the team: a reviewer or an administrator) tells the
    team's IAT members and coordinator; a team member's reply tells the reviewers who wrote in
    that thread (a new thread: those who commented on the PI). Never the author."""
    assessment = row.assessment
    team_id = assessment.country_team_id
    Role = Membership.Role
    members = Membership.objects.filter(country_team_id=team_id)
    if role_in(by, team_id) is None:
        recipients = list(
            members.filter(role__in=[Role.IAT_MEMBER, Role.IAT_COORDINATOR]).values_list(
                "user_id", flat=True
            )
        )
        message = gettext_noop("%(who)s commented on PI %(pi)s of %(team)s %(year)s: %(text)s")
    else:
        written = Comment.objects.filter(indicator_assessment=row, author__isnull=False)
        if comment.parent_id:
            thread = comment.parent_id
            written = written.filter(Q(pk=thread) | Q(parent_id=thread))
        recipients = list(
            written.exclude(author__in=members.values("user_id"))
            .values_list("author_id", flat=True)
            .distinct()
        )
        message = gettext_noop("%(who)s replied on PI %(pi)s of %(team)s %(year)s: %(text)s")
    team = assessment.country_team
    return notify(
        recipients,
        message=message,
        params={
            "who": comment.author_name,
            "pi": row.indicator.code,
            "team": {"country": team.code, "name": team.name},
            "year": assessment.year,
            "text": quote(comment.body),
        },
        url=reverse("scorecard:indicator", args=[team.code, assessment.year, row.indicator.code])
        + "#comments",
        exclude=by,
    )


def resolve_comment(*, comment: Comment, by: User) -> Comment:
    """Close a thread (only top-level comments carry the resolved mark)."""
    thread = comment.parent or comment
    if thread.resolved_at is None:
        thread.resolved_at = timezone.now()
        thread.resolved_by = by
        thread.save(update_fields=["resolved_at", "resolved_by"])
    return thread


# --- Assessment documents -------------------------------------------------------------------


def _parse_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def validate_assessment_document(
    document: Mapping[str, Any], framework: Framework | None
) -> list[str]:
    """Every problem in an assessment document; an empty list means it can be imported."""
    errors: list[str] = []
    if document.get("format") != selectors.ASSESSMENT_FORMAT:
        errors.append(f"format must be {selectors.ASSESSMENT_FORMAT!r}")
    team = document.get("country_team") or {}
    if not team.get("code") or len(str(team.get("code"))) != 3:
        errors.append("country_team.code must be a 3-letter ISO code")
    if not team.get("name"):
        errors.append("country_team.name is required")
    if not isinstance(document.get("year"), int):
        errors.append("year must be a whole number")
    if document.get("kind") not in Assessment.Kind.values:
        errors.append(f"kind must be one of {', '.join(Assessment.Kind.values)}")
    if document.get("status", "draft") not in Assessment.Status.values:
        errors.append(f"status must be one of {', '.join(Assessment.Status.values)}")
    if framework is None:
        errors.append(f"framework {document.get('framework')!r} is not loaded")
        return errors
    indicators = {i.code: i for i in selectors.framework_indicators(framework)}
    categories = {c.name for c in framework.evidence_categories.all()}
    seen = set()
    for position, item in enumerate(document.get("indicators", []), start=1):
        code = item.get("code")
        where = f"indicators[{position}] (PI {code})"
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(f"{where}: no such PI in framework {framework.version}")
            continue
        if code in seen:
            errors.append(f"{where}: listed twice")
        seen.add(code)
        if item.get("rating", "") not in RATING_VALUES | {""}:
            errors.append(f"{where}: rating must be missing, approaches, meets, exceeds or empty")
        criteria = {c.code for c in indicator.criteria.all()}
        unknown = (set(item.get("criteria_met", [])) | set(item.get("findings", {}))) - criteria
        if unknown:
            errors.append(f"{where}: unknown criteria {', '.join(sorted(unknown))}")
        try:
            _parse_decimal(item.get("numeric_value"))
        except InvalidOperation:
            errors.append(f"{where}: numeric_value is not a number")
        for e_pos, evidence in enumerate(item.get("evidence", []), start=1):
            if not evidence.get("title"):
                errors.append(f"{where} evidence[{e_pos}]: title is required")
            if evidence.get("category") and evidence["category"] not in categories:
                errors.append(f"{where} evidence[{e_pos}]: unknown category")
            try:
                datetime.fromisoformat(evidence.get("uploaded_at") or "")
            except ValueError:
                errors.append(f"{where} evidence[{e_pos}]: uploaded_at is not an ISO date-time")
    missing = set(indicators) - seen
    if missing:
        errors.append(f"indicators: missing PIs {', '.join(sorted(missing))}")
    errors += _assessment_length_errors(document)
    for position, point in enumerate(document.get("action_points", []), start=1):
        where = f"action_points[{position}]"
        if point.get("indicator") not in indicators:
            errors.append(f"{where}: unknown PI {point.get('indicator')!r}")
        if not point.get("text"):
            errors.append(f"{where}: text is required")
        if point.get("status", "not_started") not in ActionPoint.Status.values:
            errors.append(f"{where}: unknown status {point.get('status')!r}")
        if len(point.get("activities", [])) > 4:
            errors.append(f"{where}: at most 4 years of activities")
        if point.get("timeline"):
            try:
                date.fromisoformat(point["timeline"])
            except ValueError:
                errors.append(f"{where}: timeline is not an ISO date")
    return errors


def _assessment_length_errors(document: Mapping[str, Any]) -> list[str]:
    """Every text of an assessment document within its field's limit: the import writes in bulk,
    past the models' validation."""
    team = _mapping(document.get("country_team"))
    errors = [
        *_too_long("country_team", "name", team.get("name"), CountryTeam),
        *_too_long("country_team", "cf_name", team.get("cf_name"), CountryTeam),
        *_too_long("country_team", "region", team.get("region"), Region, "code"),
    ]
    process = _mapping(document.get("process"))
    for key, field in (
        ("description", "process_description"),
        ("participation", "participation"),
        ("additional_comments", "additional_comments"),
    ):
        errors += _too_long("process", key, process.get(key), Assessment, field)
    for position, member in enumerate(document.get("iat_members", []), start=1):
        where = f"iat_members[{position}]"
        for key in ("name", "title"):
            errors += _too_long(where, key, _mapping(member).get(key), IATMember)
        errors += _too_long(where, "entity", _mapping(member).get("entity"), UNEntity, "acronym")
    for position, item in enumerate(document.get("indicators", []), start=1):
        item = _mapping(item)
        where = f"indicators[{position}] (PI {str(item.get('code'))[:20]})"
        for key in ("explanation", "override_justification", "means_of_verification"):
            errors += _too_long(where, key, item.get(key), IndicatorAssessment)
        for code, text in _mapping(item.get("findings")).items():
            message = limits.length_error(text, FINDING_MAX_LENGTH)
            if message:
                errors.append(f"{where}: findings ({str(code)[:40]}): {message}")
        for e_pos, evidence in enumerate(item.get("evidence", []), start=1):
            evidence = _mapping(evidence)
            e_where = f"{where} evidence[{e_pos}]"
            for key in ("title", "url"):
                errors += _too_long(e_where, key, evidence.get(key), Evidence)
            errors += _too_long(
                e_where, "uploaded_by", evidence.get("uploaded_by"), Evidence, "uploaded_by_name"
            )
            errors += _too_long(e_where, "entity", evidence.get("entity"), UNEntity, "acronym")
            file_meta = _mapping(evidence.get("file"))
            for key, field in (
                ("name", "original_name"),
                ("content_type", "content_type"),
                ("sha256", "sha256"),
            ):
                errors += _too_long(f"{e_where} file", key, file_meta.get(key), Evidence, field)
    for position, point in enumerate(document.get("action_points", []), start=1):
        point = _mapping(point)
        where = f"action_points[{position}]"
        for key in ("text", "responsible", "resources"):
            errors += _too_long(where, key, point.get(key), ActionPoint)
        errors += _too_long(
            where, "responsible_entity", point.get("responsible_entity"), UNEntity, "acronym"
        )
        for year, activity in enumerate(point.get("activities", [])[:4], start=1):
            errors += _too_long(
                where, f"activities[{year}]", activity, ActionPoint, f"activities_year_{year}"
            )
    return errors


def _entity(acronym: str | None, cache: dict[str, UNEntity]) -> UNEntity | None:
    if not acronym:
        return None
    if acronym not in cache:
        cache[acronym], _created = UNEntity.objects.get_or_create(
            acronym=acronym, defaults={"name": acronym}
        )
    return cache[acronym]


@transaction.atomic
def import_assessment(*, document: Mapping[str, Any], replace: bool = False) -> Assessment:
    """Create an assessment (and its country team if new) from its JSON document.

    The whole document is validated first; nothing is written unless it is all valid. With
    replace=True an existing assessment of the same team and year is replaced.
    """
    framework = Framework.objects.filter(version=str(document.get("framework"))).first()
    errors = validate_assessment_document(document, framework)
    if errors:
        raise DocumentError(errors)
    team_doc = document["country_team"]
    region = None
    if team_doc.get("region"):
        region, _created = Region.objects.get_or_create(
            code=team_doc["region"], defaults={"name": team_doc["region"]}
        )
    team = CountryTeam.objects.filter(code=team_doc["code"].upper()).first()
    if team is None:
        if region is None:
            raise DocumentError(["country_team.region is required for a new country team"])
        team = CountryTeam.objects.create(
            code=team_doc["code"].upper(),
            name=team_doc["name"],
            region=region,
            cf_name=team_doc.get("cf_name", ""),
            cf_start_year=team_doc.get("cf_start_year"),
            cf_end_year=team_doc.get("cf_end_year"),
        )
    existing = Assessment.objects.filter(country_team=team, year=document["year"]).first()
    if existing is not None:
        if not replace:
            raise DocumentError(
                [f"{team.code} {document['year']} exists already (replace it explicitly)"]
            )
        existing.delete()

    process = document.get("process", {})
    assessment = Assessment.objects.create(
        country_team=team,
        year=document["year"],
        kind=document["kind"],
        framework=framework,
        status=document.get("status", Assessment.Status.DRAFT),
        process_description=process.get("description", ""),
        participation=process.get("participation", ""),
        additional_comments=process.get("additional_comments", ""),
    )
    entities: dict[str, UNEntity] = {}
    IATMember.objects.bulk_create(
        IATMember(
            assessment=assessment,
            name=m["name"],
            title=m.get("title", ""),
            entity=_entity(m.get("entity"), entities),
            is_coordinator=bool(m.get("coordinator")),
            order=position,
        )
        for position, m in enumerate(document.get("iat_members", []))
    )
    indicators = {i.code: i for i in selectors.framework_indicators(framework)}
    categories = {c.name: c for c in framework.evidence_categories.all()}
    evidence: list[Evidence] = []
    for item in document["indicators"]:
        indicator = indicators[item["code"]]
        numeric = _parse_decimal(item.get("numeric_value"))
        row = IndicatorAssessment.objects.create(
            assessment=assessment,
            indicator=indicator,
            rating=item.get("rating", ""),
            # Recomputed, never trusted: the rules are the framework's, not the document's.
            suggested_rating=suggested_rating_for(indicator, item.get("criteria_met", []), numeric),
            criteria_met=list(item.get("criteria_met", [])),
            numeric_value=numeric,
            findings=dict(item.get("findings", {})),
            explanation=item.get("explanation", ""),
            override_justification=item.get("override_justification", ""),
            means_of_verification=item.get("means_of_verification", ""),
            reassessed=bool(item.get("reassessed")),
            carried_from_year=item.get("carried_from_year"),
        )
        for position, e in enumerate(item.get("evidence", [])):
            file_meta = e.get("file") or {}
            evidence.append(
                Evidence(
                    indicator_assessment=row,
                    category=categories.get(e.get("category") or ""),
                    title=e["title"],
                    url=e.get("url", ""),
                    entity=_entity(e.get("entity"), entities),
                    original_name=file_meta.get("name", ""),
                    size=file_meta.get("size"),
                    sha256=file_meta.get("sha256", ""),
                    content_type=file_meta.get("content_type", ""),
                    uploaded_by_name=e.get("uploaded_by", ""),
                    uploaded_at=datetime.fromisoformat(e["uploaded_at"]),
                    order=position,
                )
            )
    bulk_create_with_history(evidence, Evidence)
    per_indicator: dict[str, int] = {}
    points = []
    for p in document.get("action_points", []):
        activities = list(p.get("activities", [])) + [""] * 4
        order = per_indicator.get(p["indicator"], 0)
        per_indicator[p["indicator"]] = order + 1
        points.append(
            ActionPoint(
                assessment=assessment,
                indicator=indicators[p["indicator"]],
                text=p["text"],
                responsible_entity=_entity(p.get("responsible_entity"), entities),
                responsible=p.get("responsible", ""),
                timeline=date.fromisoformat(p["timeline"]) if p.get("timeline") else None,
                resources=p.get("resources", ""),
                status=p.get("status", ActionPoint.Status.NOT_STARTED),
                activities_year_1=activities[0],
                activities_year_2=activities[1],
                activities_year_3=activities[2],
                activities_year_4=activities[3],
                order=order,
            )
        )
    bulk_create_with_history(points, ActionPoint)
    return assessment
