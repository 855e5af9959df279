"""Dashboards (issue 7): a team's ratings over the years, the picture across country teams for
UN Women reviewers and administrators, and their CSV and Excel exports.

Thin, as the other views: the permission gate, the filter, selectors.py (then charts.py or
exports.py), render. The same querystring drives the global page and its exports, so an export
holds exactly what the page counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import CountryTeam, Region
from core.permissions import can_view_team, get_country_team_for_user
from core.tabular import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_chunks, xlsx_table
from scorecard.models import Assessment, Rating

from . import charts, exports, selectors
from .selectors import COUNTED, GlobalFilter, GlobalScope

CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
}
STATUS_BADGES = {
    selectors.NO_ASSESSMENT: "text-bg-light border",
    Assessment.Status.DRAFT: "text-bg-secondary",
    Assessment.Status.AWAITING_ENDORSEMENT: "text-bg-warning",
    Assessment.Status.SUBMITTED: "text-bg-info",
    Assessment.Status.IN_REVIEW: "text-bg-primary",
    Assessment.Status.RETURNED: "text-bg-danger",
    Assessment.Status.APPROVED: "text-bg-success",
}
CHANGE_LABELS = {
    selectors.IMPROVED: gettext_lazy("Improved"),
    selectors.SAME: gettext_lazy("Same"),
    selectors.REGRESSED: gettext_lazy("Regressed"),
    selectors.NOT_COMPARABLE: gettext_lazy("Not comparable (not rated)"),
}
SELECT = {"class": "form-select form-select-sm"}


class GlobalFilterForm(forms.Form):
    """Region and year of the global dashboard (and of its exports), within the viewer's scope."""

    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All my regions"),
        widget=forms.Select(attrs=SELECT),
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, scope: GlobalScope, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope.regions()
        self.fields["year"].choices = [(year, str(year)) for year in years]


def _global_filter(
    request: HttpRequest, scope: GlobalScope, years: list[int]
) -> tuple[GlobalFilterForm, GlobalFilter | None]:
    """The form and what it selects; None when a value is not one the viewer may choose.

    With no year given, the latest year with submitted or approved work (selectors.default_year).
    """
    data = request.GET.copy()
    if not data.get("year") and years:
        data["year"] = str(selectors.default_year(scope, years))
    form = GlobalFilterForm(data, scope=scope, years=years)
    if not form.is_valid():
        return form, None
    return form, GlobalFilter(region=form.cleaned_data["region"], year=form.cleaned_data["year"])


def _export(what: str, fmt: str, assessments: Any, stem: str) -> HttpResponse:
    """CSV streamed row by row (large sets), or an .xlsx workbook, of ratings or action plans."""
    if what not in exports.EXPORTS or fmt not in CONTENT_TYPES:
        raise Http404
    columns, rows = exports.EXPORTS[what]
    # Header and labels in the request's language, taken now (before the response streams).
    header, data = columns.header(), rows(assessments)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(header, data), content_type=CONTENT_TYPES[fmt])
    else:
        body = xlsx_table(header, data, title=what)
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, f"unct-swap-{what}-{stem}.{fmt}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Team dashboard -------------------------------------------------------------------------


def _pi_link(team: CountryTeam) -> Any:
    base = reverse("scorecard:team", kwargs={"code": team.code})
    return lambda year, pi: f"{base}{year}/pi/{pi}/"


def _rating_label(value: str) -> str:
    return str(Rating(value).label) if value in Rating.values else ""


@login_required
def team_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """Ratings per PI over the years, and the progress since the latest comprehensive assessment.

    Members see every assessment; reviewers of the team's region see its submitted work; anyone
    else gets 404 (get_country_team_for_user).
    """
    team = get_country_team_for_user(request.user, code)
    history = selectors.team_history(selectors.team_assessments(request.user, team))
    progress = selectors.progress_since_comprehensive(history)
    return render(
        request,
        "dashboards/team.html",
        {
            "team": team,
            "history": history,
            "heatmap": charts.heatmap(
                history,
                chart_id="heatmap",
                title=_("%(team)s: ratings per PI and year") % {"team": team.display_name},
                href_for=_pi_link(team),
            )
            if history.years
            else None,
            "progress": progress,
            "progress_rows": [
                (
                    row,
                    _rating_label(row.baseline),
                    _rating_label(row.latest),
                    CHANGE_LABELS[row.change],
                )
                for row in progress.rows
            ]
            if progress
            else [],
            "sees_drafts": can_view_team(request.user, team.pk),
            "crumb": _("Dashboard"),
        },
    )


@login_required
def team_export(request: HttpRequest, code: str, what: str, fmt: str) -> HttpResponse:
    """What the team dashboard shows: every assessment of the team the user may see."""
    team = get_country_team_for_user(request.user, code)
    return _export(what, fmt, selectors.team_assessments(request.user, team), team.code)


# --- Global dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    code: str
    name: str
    region: str
    kind: str
    status: str
    label: str
    badge: str
    dashboard_href: str
    assessment_href: str  # "" when there is no assessment the viewer may open

    def markup(self) -> SafeString:
        """The row as HTML: up to ~200 rows of 9 values, built here rather than in the
        template (the template language took ~15 ms for them)."""
        badge = format_html('<span class="badge {}">{}</span>', self.badge, self.label)
        if self.assessment_href:
            badge = format_html(
                '<a href="{}" class="text-decoration-none">{}</a>', self.assessment_href, badge
            )
        return format_html(
            '<tr data-testid="team-status-row" data-team="{}" data-status="{}">'
            '<td><a href="{}">{}</a> <span class="small text-muted">{}</span></td>'
            "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
            self.code,
            self.status,
            self.dashboard_href,
            self.name,
            self.code,
            self.region,
            self.kind,
            badge,
        )


def _team_rows(scope: GlobalScope, statuses: list[selectors.TeamStatus]) -> list[TeamRow]:
    """The status table's rows, links built from one reverse() each (up to ~200 rows)."""
    labels = {key: selectors.status_label(scope, key) for key in selectors.status_keys(scope)}
    kinds = {kind.value: str(kind.label) for kind in Assessment.Kind}
    dashboard = reverse("dashboards:team", kwargs={"code": "CODE"}).replace("CODE", "{code}")
    overview = reverse("scorecard:assessment", kwargs={"code": "CODE", "year": 1}).replace(
        "CODE/1/", "{code}/{year}/"
    )
    return [
        TeamRow(
            code=item.team.code,
            name=item.team.display_name,
            region=item.team.region.name,
            kind=kinds.get(item.kind, ""),
            status=item.status,
            label=labels[item.status],
            badge=STATUS_BADGES[item.status],
            dashboard_href=dashboard.format(code=item.team.code),
            assessment_href=overview.format(code=item.team.code, year=item.year)
            if item.kind
            else "",
        )
        for item in statuses
    ]


@login_required
def global_dashboard(request: HttpRequest) -> HttpResponse:
    """Across country teams: shares per level per PI, teams by region, workflow status."""
    scope = selectors.global_scope(request.user)
    years = selectors.available_years(scope)
    form, selected = _global_filter(request, scope, years)
    context: dict[str, Any] = {"form": form, "scope": scope, "selected": selected}
    if selected is not None and selected.year is not None:
        shares = selectors.level_shares(scope, selected)
        statuses = selectors.team_statuses(scope, selected)
        keys = selectors.status_keys(scope)
        regions, total = selectors.region_summaries(statuses, keys)
        region_label = selected.region.name if selected.region else _("all my regions")
        context.update(
            share_chart=charts.share_chart(
                shares.get(selected.year, []),
                chart_id="shares",
                title=_("Share of country teams at each level, %(year)s, %(where)s")
                % {"year": selected.year, "where": region_label},
            ),
            trends=charts.trend_charts(shares, prefix="trend"),
            trend_years=sorted(shares),
            counted=sum(1 for s in statuses if s.status in COUNTED),
            status_columns=[(key, selectors.status_label(scope, key)) for key in keys],
            status_totals=[
                (key, selectors.status_label(scope, key), STATUS_BADGES[key], total.counts[key])
                for key in keys
            ],
            region_rows=[(r, [r.counts[k] for k in keys]) for r in regions],
            total_row=[total.counts[k] for k in keys],
            total_teams=total.teams,
            team_rows=_team_rows(scope, statuses),
            querystring=form.data.urlencode(),
        )
    return render(request, "dashboards/global.html", context)


@login_required
def global_export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """The assessments the global page counts for the same filter (submitted or later)."""
    scope = selectors.global_scope(request.user)
    years = selectors.available_years(scope)
    _form, selected = _global_filter(request, scope, years)
    if selected is None or selected.year is None:
        assessments = Assessment.objects.none()
        stem = "none"
    else:
        assessments = selectors.counted_assessments(scope, selected)
        stem = f"{selected.region.code if selected.region else 'all-regions'}-{selected.year}"
    return _export(what, fmt, assessments, stem)
