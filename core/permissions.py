"""Who may do what in a country team. Every scorecard permission is decided from these roles.

Roles are loaded once per request (cached on the user object), so a page that checks many
objects does not add a query per object.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from .models import CountryTeam, Membership

Role = Membership.Role
EDITOR_ROLES = frozenset({Role.IAT_MEMBER, Role.IAT_COORDINATOR})


def team_roles(user: User | AnonymousUser) -> dict[int, str]:
    """country team id → the user's role there (empty for anonymous users)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_team_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("country_team_id", "role"))
        user._team_roles = cached  # type: ignore[union-attr]
    return cached


def is_admin(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def role_in(user: User | AnonymousUser, country_team_id: int) -> str | None:
    return team_roles(user).get(country_team_id)


def can_view_team(user: User | AnonymousUser, country_team_id: int) -> bool:
    return is_admin(user) or role_in(user, country_team_id) is not None


def can_edit_team_content(user: User | AnonymousUser, country_team_id: int) -> bool:
    """IAT members and coordinators write findings, ratings, evidence and action points."""
    return is_admin(user) or role_in(user, country_team_id) in EDITOR_ROLES


def can_coordinate_team(user: User | AnonymousUser, country_team_id: int) -> bool:
    """Coordinators start assessments and mark them complete."""
    return is_admin(user) or role_in(user, country_team_id) == Role.IAT_COORDINATOR


def can_view_global(user: User | AnonymousUser) -> bool:
    """Cross-team views (global parity, global dashboards): administrators, and UN Women
    reviewers once their role exists."""
    return is_admin(user)


def country_teams_visible_to(user: User | AnonymousUser) -> QuerySet[CountryTeam]:
    teams = CountryTeam.objects.select_related("region")
    if is_admin(user):
        return teams
    return teams.filter(pk__in=list(team_roles(user)))


def get_country_team_for_user(user: User | AnonymousUser, code: str) -> CountryTeam:
    """The team, or 404 when it does not exist or the user may not know about it."""
    team = CountryTeam.objects.select_related("region").filter(code=code.upper()).first()
    if team is None or not can_view_team(user, team.pk):
        raise Http404
    return team
