from django.urls import path

from . import views

app_name = "scorecard"

urlpatterns = [
    path("teams/<str:code>/", views.team_assessments, name="team"),
    path("teams/<str:code>/<int:year>/", views.assessment_overview, name="assessment"),
    path("teams/<str:code>/<int:year>/process/", views.assessment_process, name="process"),
    path("teams/<str:code>/<int:year>/complete/", views.mark_complete, name="complete"),
    path("teams/<str:code>/<int:year>/export.json", views.export_assessment, name="export"),
    path("teams/<str:code>/<int:year>/action-plan/", views.action_plan, name="action_plan"),
    path("teams/<str:code>/<int:year>/pi/<str:pi>/", views.indicator_page, name="indicator"),
    path(
        "teams/<str:code>/<int:year>/pi/<str:pi>/suggest/",
        views.indicator_suggest,
        name="indicator_suggest",
    ),
    path(
        "teams/<str:code>/<int:year>/pi/<str:pi>/reassess/",
        views.indicator_reassess,
        name="indicator_reassess",
    ),
    path(
        "teams/<str:code>/<int:year>/pi/<str:pi>/evidence/",
        views.evidence_add,
        name="evidence_add",
    ),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("action-points/<int:pk>/edit/", views.action_point_edit, name="action_point_edit"),
]
