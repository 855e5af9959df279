"""What the Knowledge Hub adds to other apps' pages, as template tags: the scorecard's PI page
shows the published practices for its PI, and the team's ways to share, without the scorecard
importing this app."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from scorecard.models import IndicatorAssessment, Rating

from ..permissions import can_propose
from ..selectors import active_evidence_ids, top_for_indicator

register = template.Library()
LANGUAGE_NAMES = dict(settings.LANGUAGES)


@register.filter
def language_label(code: str) -> str:
    """An item's language by its own name, as the language menu says it ("Français")."""
    return str(LANGUAGE_NAMES.get(code, code))


@register.inclusion_tag("hub/_pi_panel.html", takes_context=True)
def hub_for_pi(context: template.Context, row: IndicatorAssessment) -> dict[str, Any]:
    """The PI page's "Good practices for this PI" section: at most three published items, and
    for the team's IAT members and coordinators the ways to share. One query, two for those
    who may share (the evidence is the list the PI page already read, `evidence`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    practices = top_for_indicator(row.indicator_id) if user is not None else []
    for practice in practices:
        practice.pi_rating_label = Rating(practice.pi_rating).label if practice.pi_rating else ""
    shareable = []
    team = row.assessment.country_team
    may_propose = user is not None and can_propose(user, team.pk)
    if may_propose:
        evidence = [e for e in context.get("evidence") or [] if e.withdrawn_at is None]
        active = active_evidence_ids(e.pk for e in evidence)
        shareable = [e for e in evidence if e.pk not in active]
    return {
        "practices": practices,
        "row": row,
        "team": team,
        "may_propose": may_propose,
        "shareable": shareable,
    }
