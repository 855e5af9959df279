"""Who may do what in a country team. Every scorecard permission is decided from these roles.

Roles are loaded once per request (cached on the user object), so a page that checks many
objects does not add a query per object.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import CountryTeam, Invitation, Membership, Notification, ReviewerScope

Role = Membership.Role
EDITOR_ROLES = frozenset({Role.IAT_MEMBER, Role.IAT_COORDINATOR})
ALL_REGIONS = "all"
# The roles an IAT coordinator may give in their own team (administrators may give any).
COORDINATOR_INVITES = (Role.IAT_MEMBER, Role.VIEWER)

AnyUser = User | AnonymousUser


def team_roles(user: AnyUser) -> dict[int, str]:
    """country team id → the user's role there (empty for anonymous users)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_team_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("country_team_id", "role"))
        user._team_roles = cached  # type: ignore[union-attr]
    return cached


def reviewer_regions(user: AnyUser) -> frozenset[int] | str:
    """The region ids a UN Women reviewer covers, ALL_REGIONS, or an empty set."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_reviewer_regions", None)
    if cached is None:
        scope = ReviewerScope.objects.filter(user=user).first()
        if scope is None:
            cached = frozenset()
        elif scope.is_global:
            cached = ALL_REGIONS
        else:
            cached = frozenset(scope.regions.values_list("pk", flat=True))
        user._reviewer_regions = cached  # type: ignore[union-attr]
    return cached


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def is_reviewer(user: AnyUser) -> bool:
    return bool(reviewer_regions(user))


def role_in(user: AnyUser, country_team_id: int) -> str | None:
    return team_roles(user).get(country_team_id)


def can_view_team(user: AnyUser, country_team_id: int) -> bool:
    """Members of the team see everything of it; reviewers see its submitted work only."""
    return is_admin(user) or role_in(user, country_team_id) is not None


def reviews_region(user: AnyUser, region_id: int) -> bool:
    regions = reviewer_regions(user)
    return regions == ALL_REGIONS or region_id in regions


def can_review_team(user: AnyUser, country_team: CountryTeam) -> bool:
    return is_admin(user) or reviews_region(user, country_team.region_id)


def can_edit_team_content(user: AnyUser, country_team_id: int) -> bool:
    """IAT members and coordinators write findings, ratings, evidence and action points."""
    return is_admin(user) or role_in(user, country_team_id) in EDITOR_ROLES


def can_coordinate_team(user: AnyUser, country_team_id: int) -> bool:
    """Coordinators start assessments and send them for endorsement."""
    return is_admin(user) or role_in(user, country_team_id) == Role.IAT_COORDINATOR


def can_endorse_for_team(user: AnyUser, country_team_id: int) -> bool:
    """The Resident Coordinator endorses the report for the UNCT and submits it."""
    return is_admin(user) or role_in(user, country_team_id) == Role.RESIDENT_COORDINATOR


def can_view_global(user: AnyUser) -> bool:
    """Cross-team views (global parity, global dashboards): administrators and reviewers."""
    return is_admin(user) or is_reviewer(user)


def country_teams_visible_to(user: AnyUser) -> QuerySet[CountryTeam]:
    """Teams the user is a member of, plus for reviewers the teams of their regions."""
    teams = CountryTeam.objects.select_related("region")
    if is_admin(user):
        return teams
    regions = reviewer_regions(user)
    if regions == ALL_REGIONS:
        return teams
    return teams.filter(Q(pk__in=list(team_roles(user))) | Q(region_id__in=list(regions)))


def get_country_team_for_user(user: AnyUser, code: str) -> CountryTeam:
    """The team, or 404 when it does not exist or the user may not know about it."""
    team = CountryTeam.objects.select_related("region").filter(code=code.upper()).first()
    if team is None or not (can_view_team(user, team.pk) or can_review_team(user, team)):
        raise Http404
    return team


# --- People: invitations and memberships ---------------------------------------------------


def invitable_roles(user: AnyUser, country_team_id: int) -> list[str]:
    """The roles the user may give in the team: any for administrators, IAT member and viewer
    for the team's IAT coordinator, none for anybody else."""
    if is_admin(user):
        return list(Role.values)
    if role_in(user, country_team_id) == Role.IAT_COORDINATOR:
        return list(COORDINATOR_INVITES)
    return []


def can_invite(user: AnyUser, country_team_id: int, role: str | None = None) -> bool:
    """Administrators invite to any team; a team's IAT coordinator to their own team only (and
    only for the roles of COORDINATOR_INVITES)."""
    allowed = invitable_roles(user, country_team_id)
    return bool(allowed) if role is None else role in allowed


def can_remove_member(user: AnyUser, membership: Membership) -> bool:
    """Whoever may give a role may take it away again, in the same team; nobody removes
    themselves here (that is an administrator's job)."""
    return membership.user_id != getattr(user, "pk", None) and can_invite(
        user, membership.country_team_id, membership.role
    )


def get_team_people_for_user(user: AnyUser, code: str) -> CountryTeam:
    """The team whose people (members, invitations) the user manages: 404 when they may not know
    the team exists, 403 when they see it but may not invite to it."""
    team = get_country_team_for_user(user, code)
    if not can_invite(user, team.pk):
        raise PermissionDenied
    return team


def get_invitation_for_user(user: AnyUser, code: str, pk: int) -> Invitation:
    """An invitation of a team whose people the user manages (404 for another team's)."""
    team = get_team_people_for_user(user, code)
    invitation = Invitation.objects.filter(pk=pk, country_team=team).first()
    if invitation is None:
        raise Http404
    return invitation


def get_membership_for_user(user: AnyUser, code: str, pk: int) -> Membership:
    """A membership the user may remove: 404 outside their team, 403 for a role they may not
    give (or their own)."""
    team = get_team_people_for_user(user, code)
    membership = (
        Membership.objects.select_related("user", "country_team")
        .filter(pk=pk, country_team=team)
        .first()
    )
    if membership is None:
        raise Http404
    if not can_remove_member(user, membership):
        raise PermissionDenied
    return membership


# --- Notifications ---------------------------------------------------------------------------


def get_notification_for_user(user: AnyUser, pk: int) -> Notification:
    """One of the user's own notifications; 404 for anyone else's (administrators included:
    a notification belongs to its recipient alone)."""
    if not user.is_authenticated:
        raise Http404
    notification = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
    if notification is None:
        raise Http404
    return notification
