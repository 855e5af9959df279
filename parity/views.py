"""HTML views: fetch through the permission gate, validate with a form, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bodies import body_limit, upload_limit
from core.models import CountryTeam, UNEntity
from core.permissions import can_view_global, country_teams_visible_to
from core.tabular import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from . import selectors, services, tables
from .charts import bar_chart, status_charts
from .forms import EntityChoiceForm, SnapshotDetailsForm, StaffingGridForm, StaffingUploadForm
from .models import StaffingSnapshot
from .permissions import (
    can_edit_staffing,
    check_global_access,
    get_snapshot_for_user,
    get_strategy_entity_for_user,
    sees_small_cells,
)


def _attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The user's country teams with their staffing years, and the way to the other views."""
    code, year = request.GET.get("team", ""), request.GET.get("year", "")
    if code and year.isdigit():  # "Open year": any year, with or without figures yet
        return redirect("parity:team", code=code, year=int(year))
    teams = list(country_teams_visible_to(request.user))
    years = selectors.snapshots_by_team(teams)
    return render(
        request,
        "parity/index.html",
        {
            "rows": [
                (team, years.get(team.pk, []), can_edit_staffing(request.user, team))
                for team in teams
            ],
            "this_year": timezone.now().year,
            "strategy_entities": selectors.strategy_entities(),
            "can_view_global": can_view_global(request.user),
        },
    )


def _team_context(
    request: HttpRequest,
    team: CountryTeam,
    year: int,
    snapshot: StaffingSnapshot | None,
    **extra: Any,
) -> dict[str, Any]:
    full_view = sees_small_cells(request.user, team)
    status = (
        selectors.parity_status(snapshot, protect_small_cells=not full_view) if snapshot else None
    )
    can_edit = can_edit_staffing(request.user, team)
    return {
        "team": team,
        "year": year,
        "snapshot": snapshot,
        "status": status,
        "charts": status_charts(status) if status else None,
        "entity_table": selectors.entity_table(snapshot) if snapshot and full_view else None,
        "years": selectors.team_snapshot_years(team),
        "can_edit": can_edit,
        "full_view": full_view,
        "entity_form": EntityChoiceForm() if can_edit else None,
        **extra,
    }


@body_limit(upload_limit(tables.MAX_BYTES))
@login_required
def team_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A team's parity for one year: status tables, pictures, per-entity table and the upload."""
    team, snapshot = get_snapshot_for_user(request.user, code, year, write=request.method == "POST")
    form = StaffingUploadForm(
        request.POST or None,
        request.FILES or None,
        initial=SnapshotDetailsForm.initial_for(snapshot, year),
    )
    import_errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.import_staffing(
                    country_team=team,
                    year=year,
                    file=form.cleaned_data["file"],
                    as_of=form.cleaned_data["as_of"],
                    source=form.cleaned_data["source"],
                    include_non_staff=form.cleaned_data["include_non_staff"],
                    by=request.user,
                )
            except services.StaffingImportError as error:
                import_errors = error.messages
            else:
                messages.success(
                    request,
                    _("Imported %(rows)s rows for %(entities)s entities.")
                    % {"rows": result.rows, "entities": result.entities},
                )
                return redirect("parity:team", code=team.code, year=year)
        return render(
            request,
            "parity/team.html",
            _team_context(request, team, year, snapshot, form=form, import_errors=import_errors),
            status=400,
        )
    return render(
        request, "parity/team.html", _team_context(request, team, year, snapshot, form=form)
    )


@login_required
def entity_grid(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Enter or correct one entity's counts by grade, in the browser."""
    team, snapshot = get_snapshot_for_user(request.user, code, year, write=True)
    acronym = request.GET.get("entity", "")
    if not acronym:
        return render(
            request,
            "parity/grid_pick.html",
            {"team": team, "year": year, "entity_form": EntityChoiceForm()},
        )
    entity = UNEntity.objects.filter(acronym=acronym).first()
    if entity is None:
        raise Http404
    form = StaffingGridForm(
        request.POST or None,
        counts=selectors.entity_counts(snapshot, entity),
        initial=SnapshotDetailsForm.initial_for(snapshot, year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_staffing_grid(
                country_team=team,
                year=year,
                entity=entity,
                cells=form.cells(),
                as_of=form.cleaned_data["as_of"],
                source=form.cleaned_data["source"],
                include_non_staff=form.cleaned_data["include_non_staff"],
                by=request.user,
            )
        except services.StaffingImportError as error:
            form.add_problems(error.problems)
        else:
            messages.success(
                request, _("%(entity)s's figures are saved.") % {"entity": entity.acronym}
            )
            return redirect("parity:team", code=team.code, year=year)
    return render(
        request,
        "parity/grid.html",
        {"team": team, "year": year, "entity": entity, "form": form, "snapshot": snapshot},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def staffing_template(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The import template; for the team's own members it carries the year's figures, so it can
    be edited and imported again. Others get it blank (small cells do not leave the team)."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    team, snapshot = get_snapshot_for_user(request.user, code, year)
    data = snapshot if sees_small_cells(request.user, team) else None
    filename = f"parity-{team.code}-{year}"
    if fmt == "csv":
        body = selectors.staffing_template_csv(data)
        return _attachment(body, CSV_CONTENT_TYPE, f"{filename}.csv")
    return _attachment(
        selectors.staffing_template_xlsx(data), XLSX_CONTENT_TYPE, f"{filename}.xlsx"
    )


@login_required
def global_view(request: HttpRequest) -> HttpResponse:
    """Parity by category across country teams and regions; small cells always protected."""
    check_global_access(request.user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    data = selectors.global_parity(teams=country_teams_visible_to(request.user), year=year)
    chart = (
        bar_chart(
            data.chart_levels,
            chart_id="parity-global",
            title=_("Share of women by category, all country teams, %(year)s")
            % {"year": data.year},
        )
        if data.year
        else None
    )
    return render(request, "parity/global.html", {"data": data, "chart": chart})


@login_required
def strategy_index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "parity/strategy_index.html", {"entities": selectors.strategy_entities()}
    )


@login_required
def strategy(request: HttpRequest, acronym: str) -> HttpResponse:
    entity = get_strategy_entity_for_user(request.user, acronym)
    return render(
        request,
        "parity/strategy.html",
        {
            "tracker": selectors.strategy_tracker(entity),
            "admin_url": (
                reverse("admin:parity_parityrecommendation_changelist")
                + f"?entity__id__exact={entity.pk}"
                if request.user.is_superuser
                else ""
            ),
        },
    )


@login_required
def strategy_export(request: HttpRequest, acronym: str) -> HttpResponse:
    entity = get_strategy_entity_for_user(request.user, acronym)
    body = selectors.strategy_workbook(selectors.strategy_tracker(entity))
    slug = entity.acronym.replace(" ", "-")
    return _attachment(body, XLSX_CONTENT_TYPE, f"parity-strategy-{slug}.xlsx")
