"""Reads: what pages, exports and reports show. Each function does its own prefetching so a page
costs the same number of queries whatever the number of PIs, evidence items or action points."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.text import capfirst, normalize_newlines
from django.utils.translation import gettext as _

from core.models import CountryTeam, Membership, UNEntity
from core.permissions import ALL_REGIONS, can_view_team, is_admin, reviewer_regions, team_roles

from .framework_cache import attach_framework_rows
from .models import (
    ActionPoint,
    Assessment,
    Comment,
    Criterion,
    Dimension,
    Evidence,
    Framework,
    IATMember,
    Indicator,
    IndicatorAssessment,
    LevelRule,
    Rating,
    ReopenRequest,
    WorkflowEvent,
)
from .rules import Band, CriterionRule, IndicatorRules, LevelRuleSpec
from .states import EDITABLE, REVIEWER_VISIBLE

ASSESSMENT_FORMAT = "unct-swap-assessment/1"
LEVEL_ORDER = ["approaches", "meets", "exceeds"]  # as the framework document writes levels
# The languages a framework may carry text in besides English (its source language).
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
FRAMEWORK_FORMAT = "unct-swap-framework/1"


def assessments_visible_to(user: Any) -> QuerySet[Assessment]:
    """Every assessment the user may read, as one query: the API's lists start here.

    Same rule as permissions.can_view_assessment: the user's teams, plus, for UN Women reviewers,
    their regions' work once it has been submitted.
    """
    qs = Assessment.objects.select_related("country_team__region", "framework")
    if not user.is_authenticated:
        return qs.none()
    if is_admin(user):
        return qs
    visible = Q(country_team_id__in=list(team_roles(user)))
    regions = reviewer_regions(user)
    if regions == ALL_REGIONS:
        visible |= Q(status__in=REVIEWER_VISIBLE)
    elif regions:
        visible |= Q(country_team__region_id__in=list(regions), status__in=REVIEWER_VISIBLE)
    return qs.filter(visible)


def current_framework() -> Framework | None:
    return Framework.objects.filter(is_current=True).first() or Framework.objects.first()


def assessments_for_team(country_team: CountryTeam, user: Any = None) -> QuerySet[Assessment]:
    """The team's assessments the user may see, newest first, with counts for the list page.

    Members see every one; a reviewer who is not a member sees only work submitted to UN Women.
    """
    visible = Q()
    if user is not None and not can_view_team(user, country_team.pk):
        visible = Q(status__in=REVIEWER_VISIBLE)
    return (
        Assessment.objects.filter(visible, country_team=country_team)
        .select_related("framework")
        .annotate(
            reassessed_count=Count(
                "indicator_assessments", filter=Q(indicator_assessments__reassessed=True)
            ),
            rated_count=Count("indicator_assessments", filter=~Q(indicator_assessments__rating="")),
        )
        .order_by("-year")
    )


def _band(obj: Criterion | LevelRule) -> Band:
    return Band(
        min=obj.min_value,
        max=obj.max_value,
        min_inclusive=getattr(obj, "min_inclusive", True),
        max_inclusive=getattr(obj, "max_inclusive", True),
    )


def indicator_rules(indicator: Indicator) -> IndicatorRules:
    """The rules of one PI as plain data. Uses prefetched criteria and rules when present."""
    criteria = {
        c.code: CriterionRule(
            code=c.code, kind=c.kind, band=_band(c) if c.kind == Criterion.Kind.BAND else None
        )
        for c in indicator.criteria.all()
    }
    levels = {
        r.level: LevelRuleSpec(
            kind=r.kind,
            criteria=tuple(r.criteria),
            n=r.n,
            band=_band(r) if r.kind == LevelRule.Kind.BAND else None,
        )
        for r in indicator.rules.all()
    }
    return IndicatorRules(code=indicator.code, criteria=criteria, levels=levels)


def framework_indicators(framework: Framework) -> list[Indicator]:
    """Every PI of a framework with its dimension, criteria, rules and evidence categories."""
    return list(
        Indicator.objects.filter(framework=framework)
        .select_related("dimension")
        .prefetch_related("criteria", "rules", "evidence_categories")
        .order_by("order")
    )


@dataclass
class DimensionGroup:
    dimension: Dimension
    rows: list[IndicatorAssessment]


ACTIVE_EVIDENCE = Q(evidence__withdrawn_at__isnull=True)


def assessment_overview(assessment: Assessment) -> list[DimensionGroup]:
    """The 15 PI rows grouped by dimension, with evidence counts, in framework order."""
    rows = (
        IndicatorAssessment.objects.filter(assessment=assessment)
        .select_related("indicator__dimension")
        .annotate(
            evidence_count=Count("evidence", filter=ACTIVE_EVIDENCE),
            open_comments=Count(
                "comments",
                filter=Q(comments__resolved_at__isnull=True, comments__parent__isnull=True),
            ),
        )
        .order_by("indicator__order")
    )
    rows = list(rows)
    # The PIs' criteria (for the quality checks' letters): from memory, not a query per view.
    attach_framework_rows([row.indicator for row in rows], assessment.framework)
    groups: dict[int, DimensionGroup] = {}
    for row in rows:
        row.assessment = assessment  # avoid a query per row in templates
        dimension = row.indicator.dimension
        groups.setdefault(dimension.pk, DimensionGroup(dimension, [])).rows.append(row)
    return list(groups.values())


def completeness(assessment: Assessment, groups: list[DimensionGroup]) -> dict[str, Any]:
    rows = [row for group in groups for row in group.rows]
    reassessed = [row for row in rows if row.reassessed]
    return {
        "total": len(rows),
        "rated": sum(1 for row in rows if row.rating),
        "reassessed": len(reassessed),
        "reassessed_rated": sum(1 for row in reassessed if row.rating),
        "required": assessment.min_reassessed,
        "ready": len(reassessed) >= assessment.min_reassessed
        and all(row.rating for row in reassessed),
    }


def carried_source(row: IndicatorAssessment) -> IndicatorAssessment | None:
    """The row a carried rating was last assessed in, when that assessment is in the system."""
    if row.carried_from_year is None:
        return None
    return (
        IndicatorAssessment.objects.select_related("assessment")
        .filter(
            assessment__country_team_id=row.assessment.country_team_id,
            assessment__year=row.carried_from_year,
            indicator__code=row.indicator.code,
        )
        .first()
    )


def evidence_for_row(
    row: IndicatorAssessment, *, withdrawn: bool = False, include_withdrawn: bool = False
) -> list[Evidence]:
    """The PI's evidence in force, or (withdrawn=True) the evidence withdrawn from it, or
    (include_withdrawn=True) both in one query."""
    qs = Evidence.objects.filter(indicator_assessment=row).select_related("category", "entity")
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=not withdrawn)
    return list(qs)


def action_points_for(
    assessment: Assessment, *, indicator: Indicator | None = None
) -> list[ActionPoint]:
    """The action points in force (withdrawn ones stay only in the history)."""
    qs = ActionPoint.objects.filter(
        assessment=assessment, withdrawn_at__isnull=True
    ).select_related("indicator__dimension", "responsible_entity")
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    return list(qs.order_by("indicator__order", "order", "pk"))


def action_plan(assessment: Assessment) -> list[tuple[Dimension, list[ActionPoint]]]:
    """Action points grouped under their dimension header, as the report prints them."""
    grouped: dict[int, tuple[Dimension, list[ActionPoint]]] = {}
    for point in action_points_for(assessment):
        dimension = point.indicator.dimension
        grouped.setdefault(dimension.pk, (dimension, []))[1].append(point)
    return list(grouped.values())


@dataclass
class WorkbookData:
    """What the assessment workbook is made from, and what an uploaded one is compared with
    (scorecard/workbook.py): the PI rows with their PIs' criteria and rules, the action points
    in force, the IAT and the UN entities (the workbook's drop-down list)."""

    assessment: Assessment
    rows: list[IndicatorAssessment]
    action_points: list[ActionPoint]
    iat_members: list[IATMember]
    entities: list[UNEntity]


def workbook_data(assessment: Assessment) -> WorkbookData:
    """The assessment as its workbook shows it, in six queries whatever its size (the PIs'
    criteria and rules from the framework cache)."""
    rows = list(
        IndicatorAssessment.objects.filter(assessment=assessment)
        .select_related("indicator__dimension", "updated_by")
        .order_by("indicator__order")
    )
    attach_framework_rows([row.indicator for row in rows], assessment.framework)
    for row in rows:
        row.assessment = assessment
    return WorkbookData(
        assessment=assessment,
        rows=rows,
        action_points=action_points_for(assessment),
        iat_members=list(assessment.iat_members.select_related("entity")),
        entities=list(UNEntity.objects.order_by("acronym")),
    )


# --- Documents (docs/formats.md) -------------------------------------------------------------


def _decimal_str(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def framework_document(framework: Framework) -> dict[str, Any]:
    """A framework version as the JSON document that import_framework reads."""
    indicators = framework_indicators(framework)
    by_dimension: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_dimension[indicator.dimension_id].append(indicator)

    def criterion_doc(c: Criterion) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "code": c.code,
            "letter": c.letter,
            "level": c.level,
            "kind": c.kind,
        }
        if c.kind == Criterion.Kind.BAND:
            doc["min"] = _number(c.min_value)
            doc["max"] = _number(c.max_value)
        doc["text"] = c.text_en
        doc["status"] = c.text_status
        return doc

    def rule_doc(r: LevelRule) -> dict[str, Any]:
        doc: dict[str, Any] = {"rule": r.kind}
        if r.kind == LevelRule.Kind.AT_LEAST_N:
            doc["n"] = r.n
        if r.kind == LevelRule.Kind.BAND:
            doc.update(
                min=_number(r.min_value),
                max=_number(r.max_value),
                min_inclusive=r.min_inclusive,
                max_inclusive=r.max_inclusive,
            )
        else:
            doc["criteria"] = list(r.criteria)
        doc["text"] = r.text_en
        doc["status"] = r.text_status
        return doc

    level_order = LEVEL_ORDER
    dimensions = list(framework.dimensions.all())
    document: dict[str, Any] = {
        "format": FRAMEWORK_FORMAT,
        "version": framework.version,
        "name": framework.name,
        "notes": framework.notes,
        "evidence_categories": [c.name for c in framework.evidence_categories.all()],
        "dimensions": [
            {
                "number": dimension.number,
                "title": dimension.title_en,
                "indicators": [
                    {
                        "code": i.code,
                        "short_title": i.short_title_en,
                        "statement": i.statement_en,
                        "aliases": list(i.aliases),
                        "mov_hint": i.mov_hint_en or "",
                        "numeric_label": i.numeric_label_en or "",
                        "evidence_categories": [c.name for c in i.evidence_categories.all()],
                        "criteria": [criterion_doc(c) for c in i.criteria.all()],
                        "levels": {
                            r.level: rule_doc(r)
                            for r in sorted(i.rules.all(), key=lambda r: level_order.index(r.level))
                        },
                    }
                    for i in by_dimension[dimension.pk]
                ],
            }
            for dimension in dimensions
        ],
    }
    translations = framework_translations(framework, dimensions, indicators)
    if translations:
        document["translations"] = translations
    return document


def column(field: str, language: str) -> str:
    """The column that holds a framework text in a language: short_title_zh_hans."""
    return f"{field}_{language.replace('-', '_')}"


def framework_translations(
    framework: Framework, dimensions: list[Dimension], indicators: list[Indicator]
) -> dict[str, Any]:
    """The framework's text in every language but English that it has, as the document's
    `translations` (docs/formats.md): {language: {status, evidence_categories, dimensions,
    indicators}}."""
    out: dict[str, Any] = {}
    categories = list(framework.evidence_categories.all())
    for language in TRANSLATED_LANGUAGES:
        if not any(getattr(i, column("short_title", language)) for i in indicators):
            continue

        def text(obj: Any, field: str, language: str = language) -> str:
            return getattr(obj, column(field, language)) or ""

        out[language] = {
            "status": framework.translation_status.get(language, "unofficial"),
            "evidence_categories": {c.name: text(c, "label") for c in categories},
            "dimensions": {str(d.number): text(d, "title") for d in dimensions},
            "indicators": {
                i.code: {
                    "short_title": text(i, "short_title"),
                    "statement": text(i, "statement"),
                    "mov_hint": text(i, "mov_hint"),
                    "numeric_label": text(i, "numeric_label"),
                    "criteria": {c.code: text(c, "text") for c in i.criteria.all()},
                    "levels": {
                        r.level: text(r, "text")
                        for r in sorted(i.rules.all(), key=lambda r: LEVEL_ORDER.index(r.level))
                    },
                }
                for i in indicators
            },
        }
    return out


def assessment_document(assessment: Assessment) -> dict[str, Any]:
    """One assessment, with its action plan and evidence metadata, as import_assessment reads."""
    team = assessment.country_team
    rows = list(
        IndicatorAssessment.objects.filter(assessment=assessment)
        .select_related("indicator")
        .prefetch_related(
            "indicator__criteria",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(withdrawn_at__isnull=True).select_related(
                    "category", "entity"
                ),
            ),
        )
        .order_by("indicator__order")
    )
    members = assessment.iat_members.select_related("entity")
    return {
        "format": ASSESSMENT_FORMAT,
        "country_team": {
            "code": team.code,
            "name": team.name,
            "region": team.region.code,
            "cf_name": team.cf_name,
            "cf_start_year": team.cf_start_year,
            "cf_end_year": team.cf_end_year,
        },
        "year": assessment.year,
        "kind": assessment.kind,
        "framework": assessment.framework.version,
        "status": assessment.status,
        "process": {
            "description": assessment.process_description,
            "participation": assessment.participation,
            "additional_comments": assessment.additional_comments,
        },
        "iat_members": [
            {
                "name": m.name,
                "title": m.title,
                "entity": m.entity.acronym if m.entity else None,
                "coordinator": m.is_coordinator,
            }
            for m in members
        ],
        "indicators": [
            {
                "code": row.indicator.code,
                "rating": row.rating,
                "suggested_rating": row.suggested_rating,
                "reassessed": row.reassessed,
                "carried_from_year": row.carried_from_year,
                "criteria_met": list(row.criteria_met),
                "numeric_value": _decimal_str(row.numeric_value),
                # In the framework's criterion order: PostgreSQL's jsonb does not keep key order.
                "findings": {
                    c.code: row.findings[c.code]
                    for c in row.indicator.criteria.all()
                    if c.code in row.findings
                },
                "explanation": row.explanation,
                "override_justification": row.override_justification,
                "means_of_verification": row.means_of_verification,
                "evidence": [
                    {
                        "category": e.category.name if e.category else None,
                        "title": e.title,
                        "url": e.url,
                        "entity": e.entity.acronym if e.entity else None,
                        "file": (
                            {
                                "name": e.original_name,
                                "size": e.size,
                                "sha256": e.sha256,
                                "content_type": e.content_type,
                            }
                            if e.sha256
                            else None
                        ),
                        "uploaded_by": e.uploaded_by_name,
                        "uploaded_at": e.uploaded_at.isoformat(),
                    }
                    for e in row.evidence.all()
                ],
            }
            for row in rows
        ],
        "action_points": [
            {
                "indicator": p.indicator.code,
                "text": p.text,
                "responsible_entity": p.responsible_entity.acronym
                if p.responsible_entity
                else None,
                "responsible": p.responsible,
                "timeline": p.timeline.isoformat() if p.timeline else None,
                "resources": p.resources,
                "status": p.status,
                "activities": p.activities,
            }
            for p in action_points_for(assessment)
        ],
    }


# --- Quality checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityCheck:
    code: str
    message: str
    blocking: bool
    indicator_code: str = ""


def quality_checks(
    assessment: Assessment, groups: list[DimensionGroup] | None = None
) -> list[QualityCheck]:
    """Pre-submission checks, shown to the team before they submit and to reviewers after.

    Blocking checks stop the assessment from moving on; warnings are there to be read.
    Pass the overview's `groups` when the caller has them, to save their queries.
    """
    groups = assessment_overview(assessment) if groups is None else groups
    rows = [row for group in groups for row in group.rows]
    reassessed = [row for row in rows if row.reassessed]
    checks: list[QualityCheck] = []
    if len(reassessed) < assessment.min_reassessed:
        checks.append(
            QualityCheck(
                "too_few_reassessed",
                _("At least %(required)d PIs must be reassessed; %(done)d are.")
                % {"required": assessment.min_reassessed, "done": len(reassessed)},
                blocking=True,
            )
        )
    for row in reassessed:
        code = row.indicator.code
        if not row.rating:
            checks.append(
                QualityCheck(
                    "not_rated",
                    _("PI %(code)s is reassessed but not rated.") % {"code": code},
                    blocking=True,
                    indicator_code=code,
                )
            )
        elif (
            Rating(row.rating).rank > Rating(row.suggested_rating).rank
            and not row.override_justification.strip()
        ):
            checks.append(
                QualityCheck(
                    "unjustified_rating",
                    _("PI %(code)s is rated above the suggested rating without a justification.")
                    % {"code": code},
                    blocking=True,
                    indicator_code=code,
                )
            )
        if not row.evidence_count and not row.means_of_verification.strip():
            checks.append(
                QualityCheck(
                    "no_evidence",
                    _("PI %(code)s has neither evidence nor means of verification.")
                    % {"code": code},
                    blocking=False,
                    indicator_code=code,
                )
            )
        letters = {c.code: c.letter for c in row.indicator.criteria.all()}
        missing = [
            letters.get(c, c) for c in row.criteria_met if not (row.findings.get(c) or "").strip()
        ]
        if missing:
            checks.append(
                QualityCheck(
                    "findings_missing",
                    _("PI %(code)s: no findings for ticked criteria %(letters)s.")
                    % {"code": code, "letters": ", ".join(f"({x})" for x in missing)},
                    blocking=False,
                    indicator_code=code,
                )
            )
    overdue = ActionPoint.objects.filter(
        assessment=assessment,
        withdrawn_at__isnull=True,
        timeline__lt=timezone.localdate(),
        status__in=[ActionPoint.Status.NOT_STARTED, ActionPoint.Status.IN_PROGRESS],
    ).select_related("indicator")
    for point in overdue:
        checks.append(
            QualityCheck(
                "action_overdue",
                _("An action point of PI %(code)s is past its timeline (%(date)s).")
                % {"code": point.indicator.code, "date": point.timeline.isoformat()},
                blocking=False,
                indicator_code=point.indicator.code,
            )
        )
    return checks


def workflow_history(assessment: Assessment) -> list[WorkflowEvent]:
    return list(assessment.workflow_events.prefetch_related("indicators"))


# The steps that give the assessment back to the team with a reason. The reason matters until
# the team sends the assessment on again: then the next step is the latest, and it is history.
RETURN_ACTIONS = frozenset({"return_for_revision", "send_back_to_team", "reopen"})


def current_return(
    assessment: Assessment, history: list[WorkflowEvent] | None = None
) -> WorkflowEvent | None:
    """The step that gave the assessment back to the team (returned by UN Women, sent back by
    the Resident Coordinator, reopened), while it is the latest step and the assessment is
    still where it put it; None once the team has sent it on, or when nothing did. Pass the
    overview's `history` (oldest first) to save the query."""
    if assessment.status not in EDITABLE:
        return None
    if history is None:
        last = (
            WorkflowEvent.objects.filter(assessment=assessment)
            .prefetch_related("indicators")
            .order_by("-at", "-pk")
            .first()
        )
    else:
        last = history[-1] if history else None
    if last is not None and last.action in RETURN_ACTIONS and last.to_status == assessment.status:
        return last
    return None


def return_reasons_for(row: IndicatorAssessment) -> list[WorkflowEvent]:
    """The reason the assessment was given back to the team, when that step named this PI and
    is still current (current_return): nothing once the team sent it on, nor after approval.
    One query; none when the assessment is not with the team."""
    if row.assessment.status not in EDITABLE:
        return []
    latest = (
        WorkflowEvent.objects.filter(assessment_id=row.assessment_id)
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    return list(
        WorkflowEvent.objects.filter(
            pk=Subquery(latest),
            action__in=RETURN_ACTIONS,
            to_status=row.assessment.status,
            indicators=row.indicator_id,
        )
    )


def comment_threads(row: IndicatorAssessment) -> list[Comment]:
    """Top-level comments with their replies (prefetched), oldest first."""
    return list(
        Comment.objects.filter(indicator_assessment=row, parent__isnull=True).prefetch_related(
            Prefetch("replies", queryset=Comment.objects.order_by("created_at", "pk"))
        )
    )


HISTORY_IGNORED = ["version", "updated_by", "order"]


def _same_text(old: Any, new: Any) -> bool:
    """Two texts a reader cannot tell apart: the same once line ends are LF and the ends are
    stripped. Saves through the API or an import used to keep CR LF and trailing blanks that the
    form then dropped, and the history showed the text as changed when nobody had touched it."""
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    return normalize_newlines(old).strip() == normalize_newlines(new).strip()


def _related_names(wanted: dict[Any, set[Any]]) -> dict[tuple[str, Any], str]:
    """(field name, pk) → the name a reader knows, for the foreign key values that changed
    (`wanted`: field → pks): one query per related model that has any, usually none."""
    by_model: dict[Any, set[Any]] = defaultdict(set)
    for field, pks in wanted.items():
        by_model[field.related_model] |= pks
    objects = {
        model: model._default_manager.in_bulk(list(pks)) for model, pks in by_model.items() if pks
    }
    names: dict[tuple[str, Any], str] = {}
    for field, pks in wanted.items():
        found = objects.get(field.related_model, {})
        for pk in pks:
            obj = found.get(pk)
            if obj is None:
                continue
            if isinstance(obj, Indicator):
                name = f"{_('PI %(code)s') % {'code': obj.code}} {obj.short_title}"
            elif hasattr(obj, "get_full_name"):
                name = obj.get_full_name() or obj.get_username()
            else:
                name = str(obj)
            names[(field.name, pk)] = name
    return names


def _shown(field: Any, value: Any, names: dict[tuple[str, Any], str]) -> str:
    """A stored value as the reader says it: labels for codes, Yes/No, dates in their format."""
    if value is None or value == "":
        return ""
    if field.is_relation:
        return names.get((field.name, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(int(value) if value == value.to_integral() else value)
    if isinstance(field, models.FileField):  # the stored path: its file name is what was sent
        return str(getattr(value, "name", value) or "").rsplit("/", 1)[-1]
    return str(value)


def _criteria_label(codes: Any, letters: dict[str, str]) -> str:
    """Criteria as the framework prints them, "(a), (c)", in the order of their letters."""
    shown = sorted((letters.get(code, code) for code in codes or []), key=str)
    return ", ".join(f"({letter})" for letter in shown)


def _labelled_changes(
    change: Any, field: Any, names: dict[tuple[str, Any], str], letters: dict[str, str]
) -> list[tuple[str, str, str]]:
    """One diff of one field as (label, before, after) rows in the reader's language; the
    findings, one text per criterion, become one row per criterion whose text changed."""
    if field.name == "findings":
        old, new = change.old or {}, change.new or {}
        rows = []
        for code in sorted(set(old) | set(new), key=lambda c: letters.get(c, c)):
            before, after = old.get(code, ""), new.get(code, "")
            if before != after and not _same_text(before, after):
                label = _("Findings for (%(letter)s)") % {"letter": letters.get(code, code)}
                rows.append((str(label), before, after))
        return rows
    if _same_text(change.old, change.new):
        return []
    label = str(capfirst(field.verbose_name))
    if field.name == "criteria_met":
        return [(label, _criteria_label(change.old, letters), _criteria_label(change.new, letters))]
    return [(label, _shown(field, change.old, names), _shown(field, change.new, names))]


def _history_entries(
    records: list[Any], model: Any, subject: Any, letters: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Entries for the saved versions of objects of one model, each diffed against the previous
    version of the same object. `records` are newest first; `subject` labels an object; `letters`
    (criterion code → letter) names the criteria. Each change is (field label, before, after),
    in words: the field's name, choice labels, Yes/No, dates, names for foreign keys."""
    letters = letters or {}
    fields = {f.name: f for f in model._meta.fields}
    order = {name: i for i, name in enumerate(fields)}
    previous: dict[int, Any] = {}
    diffs = []
    wanted: dict[Any, set[Any]] = defaultdict(set)  # the foreign keys to name
    for record in reversed(records):  # oldest first, so each knows the one before it
        older = previous.get(record.id)
        changed = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=HISTORY_IGNORED)
            # diff_against walks a set of field names: order the changes as the model does.
            changed = [
                c
                for c in sorted(delta.changes, key=lambda c: order.get(c.field, len(order)))
                if c.field in fields
            ]
            for c in changed:
                if fields[c.field].is_relation:
                    wanted[fields[c.field]] |= {v for v in (c.old, c.new) if v is not None}
        previous[record.id] = record
        diffs.append((record, older, changed))
    names = _related_names(wanted)
    entries = []
    for record, older, changed in diffs:
        changes: list[tuple[str, str, str]] = []
        for c in changed:
            changes += _labelled_changes(c, fields[c.field], names, letters)
        user = record.history_user
        entries.append(
            {
                "record": record,
                "subject": subject(record),
                "who": (user.get_full_name() or user.get_username()) if user else _("System"),
                "changes": changes,
                "created": older is None,
            }
        )
    return entries


def row_history(row: IndicatorAssessment) -> list[dict[str, Any]]:
    """The PI's audit trail, newest first: every saved version of its rating and findings, of
    its evidence and of its action points, with who, when and the fields that changed."""
    letters = {c.code: c.letter for c in row.indicator.criteria.all()}
    entries = _history_entries(
        list(row.history.select_related("history_user").order_by("-history_date")),
        IndicatorAssessment,
        lambda r: _("Rating and findings"),
        letters,
    )
    entries += _history_entries(
        list(
            Evidence.history.filter(indicator_assessment_id=row.pk)
            .select_related("history_user")
            .order_by("-history_date")
        ),
        Evidence,
        lambda r: _("Evidence: %(title)s") % {"title": r.title},
    )
    entries += _history_entries(
        list(
            ActionPoint.history.filter(
                assessment_id=row.assessment_id, indicator_id=row.indicator_id
            )
            .select_related("history_user")
            .order_by("-history_date")
        ),
        ActionPoint,
        lambda r: _("Action point: %(text)s") % {"text": r.text[:80]},
    )
    return sorted(entries, key=lambda e: e["record"].history_date, reverse=True)


@dataclass(frozen=True)
class WaitingItem:
    assessment: Assessment
    what: str


def waiting_for(user: Any) -> list[WaitingItem]:
    """What the user must act on next: the home page's "waiting for me" list, in one query.

    Per role: IAT members and coordinators, their team's work while the team holds it (a
    draft, one sent back by the Resident Coordinator, one returned or reopened by UN Women);
    the Resident Coordinator, work awaiting endorsement; UN Women reviewers (and
    administrators, who may act for them everywhere), submitted work, reviews under way and
    pending reopen requests of their regions. Viewers act on nothing."""
    Status = Assessment.Status
    Role = Membership.Role
    roles = team_roles(user)
    regions = reviewer_regions(user)
    everywhere = is_admin(user) or regions == ALL_REGIONS
    team_states = {
        Role.IAT_COORDINATOR: EDITABLE,
        Role.IAT_MEMBER: EDITABLE,
        Role.RESIDENT_COORDINATOR: frozenset({Status.AWAITING_ENDORSEMENT}),
    }
    wanted = Q(pk__in=[])
    for team_id, role in roles.items():
        statuses = team_states.get(role)
        if statuses:
            wanted |= Q(country_team_id=team_id, status__in=list(statuses))
    review_states = [Status.SUBMITTED, Status.IN_REVIEW]
    for_review = Q(status__in=review_states) | Q(pending_reopen=True)
    if everywhere:
        wanted |= for_review
    elif regions:
        wanted |= Q(country_team__region_id__in=list(regions)) & for_review
    latest_step = WorkflowEvent.objects.filter(assessment=OuterRef("pk")).order_by("-at", "-pk")
    assessments = (
        Assessment.objects.annotate(
            pending_reopen=Exists(
                ReopenRequest.objects.filter(
                    assessment=OuterRef("pk"), decision=ReopenRequest.Decision.PENDING
                )
            ),
            # A draft sent back by the Resident Coordinator says so (the reason is on top of
            # its overview): not the same task as a draft nobody has seen yet.
            last_action=Subquery(latest_step.values("action")[:1]),
        )
        .filter(wanted)
        .select_related("country_team")
        .order_by("country_team__name", "-year")
    )
    items = []
    for a in assessments:
        role = roles.get(a.country_team_id)
        reviews = everywhere or (bool(regions) and a.country_team.region_id in regions)
        if reviews and a.pending_reopen:
            what = _("Decide on a reopen request")
        elif reviews and a.status in review_states:
            what = _("Quality review")
        elif role == Role.RESIDENT_COORDINATOR and a.status == Status.AWAITING_ENDORSEMENT:
            what = _("Endorse and submit to UN Women")
        elif role in (Role.IAT_MEMBER, Role.IAT_COORDINATOR) and a.status in EDITABLE:
            if a.status == Status.RETURNED and a.last_action == "reopen":
                what = _("Revise: reopened at the team's request")
            elif a.status == Status.RETURNED:
                what = _("Revise: returned by UN Women")
            elif a.last_action == "send_back_to_team":
                what = _("Revise: sent back by the Resident Coordinator")
            elif role == Role.IAT_COORDINATOR:
                what = _("Complete and send for endorsement")
            else:
                what = _("Rate the PIs and write the findings")
        else:
            continue
        items.append(WaitingItem(a, str(what)))
    return items
