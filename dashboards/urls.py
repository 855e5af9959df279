from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("teams/<str:code>/", views.team_dashboard, name="team"),
    path("teams/<str:code>/export/<slug:what>.<slug:fmt>", views.team_export, name="team_export"),
    path("global/", views.global_dashboard, name="global"),
    path("global/export/<slug:what>.<slug:fmt>", views.global_export, name="global_export"),
]
