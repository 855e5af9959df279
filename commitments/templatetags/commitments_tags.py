"""What the commitments app adds to other apps' pages, as template tags: the scorecard's PI page
shows the commitments linked to its rating without the scorecard importing this app."""

from __future__ import annotations

from typing import Any

from django import template

from scorecard.models import IndicatorAssessment

from ..selectors import commitments_for_indicator_assessment

register = template.Library()


@register.inclusion_tag("commitments/_pi_panel.html")
def pi_commitments(row: IndicatorAssessment) -> dict[str, Any]:
    """The PI page's "Generation Equality commitments" section for one PI rating."""
    return {"linked_commitments": commitments_for_indicator_assessment(row)}
