from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scorecard.models import Assessment

from .models import Membership
from .permissions import country_teams_visible_to, team_roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's country teams and their assessments."""
    teams = country_teams_visible_to(request.user).prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-year"))
    )
    roles = team_roles(request.user)
    rows = [
        (team, Membership.Role(roles[team.pk]).label if team.pk in roles else None)
        for team in teams
    ]
    # core imports no domain app at module level; the home page is where they meet.
    from scorecard.selectors import waiting_for  # noqa: PLC0415

    return render(request, "core/home.html", {"rows": rows, "waiting": waiting_for(request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
