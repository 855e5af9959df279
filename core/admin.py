from django.contrib import admin

from .models import CountryTeam, Invitation, Membership, Region, UNEntity


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(CountryTeam)
class CountryTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "cf_name"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]


@admin.register(UNEntity)
class UNEntityAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name"]
    search_fields = ["acronym", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "country_team", "role", "entity"]
    list_filter = ["role", "country_team"]
    autocomplete_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from a team's People page (which mails the link); here they are
    only looked at, or withdrawn by setting "revoked"."""

    list_display = ["email", "country_team", "role", "invited_by", "expires_at", "accepted_at"]
    list_filter = ["role", "country_team"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "country_team",
        "role",
        "language",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
