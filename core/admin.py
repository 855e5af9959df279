from django.contrib import admin

from .models import CountryTeam, Membership, Region, UNEntity


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
