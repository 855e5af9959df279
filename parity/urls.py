from django.urls import path

from . import views

app_name = "parity"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/<str:code>/<int:year>/", views.team_year, name="team"),
    path("teams/<str:code>/<int:year>/grid/", views.entity_grid, name="grid"),
    path(
        "teams/<str:code>/<int:year>/template.<str:fmt>",
        views.staffing_template,
        name="template",
    ),
    path("global/", views.global_view, name="global"),
    path("strategy/", views.strategy_index, name="strategy_index"),
    path("strategy/<str:acronym>/", views.strategy, name="strategy"),
    path("strategy/<str:acronym>/export.xlsx", views.strategy_export, name="strategy_export"),
]
