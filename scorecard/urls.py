from django.urls import path

from . import views

app_name = "scorecard"

urlpatterns = [
    path("teams/<str:code>/", views.team_assessments, name="team"),
    path("teams/<str:code>/<int:year>/", views.assessment_overview, name="assessment"),
    path("teams/<str:code>/<int:year>/process/", views.assessment_process, name="process"),
    path("teams/<str:code>/<int:year>/workflow/", views.workflow_action, name="workflow"),
    path("teams/<str:code>/<int:year>/reopen/", views.reopen_request, name="reopen"),
    path(
        "teams/<str:code>/<int:year>/reopen/<int:pk>/decide/",
        views.reopen_decide,
        name="reopen_decide",
    ),
    path("teams/<str:code>/<int:year>/export.json", views.export_assessment, name="export"),
    path("teams/<str:code>/<int:year>/action-plan/", views.action_plan, name="action_plan"),
    path(
        "teams/<str:code>/<int:year>/workbook.xlsx",
        views.workbook_download,
        name="workbook_download",
    ),
    path(
        "teams/<str:code>/<int:year>/workbook/upload/",
        views.workbook_upload,
        name="workbook_upload",
    ),
    path(
        "teams/<str:code>/<int:year>/workbook/apply/",
        views.workbook_apply,
        name="workbook_apply",
    ),
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
    path(
        "teams/<str:code>/<int:year>/pi/<str:pi>/open/<slug:part>/",
        views.pi_part,
        name="pi_part",
    ),
    path(
        "teams/<str:code>/<int:year>/pi/<str:pi>/comments/",
        views.comment_add,
        name="comment_add",
    ),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence_withdraw"),
    path(
        "action-points/<int:pk>/withdraw/",
        views.action_point_withdraw,
        name="action_point_withdraw",
    ),
    path("action-points/<int:pk>/edit/", views.action_point_edit, name="action_point_edit"),
]
