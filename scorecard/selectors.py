"""Reads: what pages, exports and reports show. Each function does its own prefetching so a page
costs the same number of queries whatever the number of PIs, evidence items or action points."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from core.models import CountryTeam

from .models import (
    ActionPoint,
    Assessment,
    Criterion,
    Dimension,
    Evidence,
    Framework,
    Indicator,
    IndicatorAssessment,
    LevelRule,
)
from .rules import Band, CriterionRule, IndicatorRules, LevelRuleSpec

ASSESSMENT_FORMAT = "unct-swap-assessment/1"
FRAMEWORK_FORMAT = "unct-swap-framework/1"


def current_framework() -> Framework | None:
    return Framework.objects.filter(is_current=True).first() or Framework.objects.first()


def assessments_for_team(country_team: CountryTeam) -> QuerySet[Assessment]:
    """The team's assessments, newest first, with counts for the list page."""
    return (
        Assessment.objects.filter(country_team=country_team)
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


def assessment_overview(assessment: Assessment) -> list[DimensionGroup]:
    """The 15 PI rows grouped by dimension, with evidence counts, in framework order."""
    rows = (
        IndicatorAssessment.objects.filter(assessment=assessment)
        .select_related("indicator__dimension")
        .annotate(evidence_count=Count("evidence"))
        .order_by("indicator__order")
    )
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


def evidence_for_row(row: IndicatorAssessment) -> list[Evidence]:
    return list(
        Evidence.objects.filter(indicator_assessment=row).select_related("category", "entity")
    )


def action_points_for(
    assessment: Assessment, *, indicator: Indicator | None = None
) -> list[ActionPoint]:
    qs = ActionPoint.objects.filter(assessment=assessment).select_related(
        "indicator__dimension", "responsible_entity"
    )
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
        doc["text"] = c.text
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
        doc["text"] = r.text
        doc["status"] = r.text_status
        return doc

    level_order = ["approaches", "meets", "exceeds"]
    return {
        "format": FRAMEWORK_FORMAT,
        "version": framework.version,
        "name": framework.name,
        "notes": framework.notes,
        "evidence_categories": [c.name for c in framework.evidence_categories.all()],
        "dimensions": [
            {
                "number": dimension.number,
                "title": dimension.title,
                "indicators": [
                    {
                        "code": i.code,
                        "short_title": i.short_title,
                        "statement": i.statement,
                        "aliases": list(i.aliases),
                        "mov_hint": i.mov_hint,
                        "numeric_label": i.numeric_label,
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
            for dimension in framework.dimensions.all()
        ],
    }


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
                queryset=Evidence.objects.select_related("category", "entity"),
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
