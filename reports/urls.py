from django.urls import path

from . import views

app_name = "reports"

# Under the assessment's own path, as the other pages of an assessment.
urlpatterns = [
    path("teams/<str:code>/<int:year>/report/", views.report_card, name="card"),
    path("teams/<str:code>/<int:year>/report/request/", views.report_request, name="request"),
    path("teams/<str:code>/<int:year>/report.docx", views.report_docx, name="docx"),
    path("reports/<int:pk>/", views.report_status, name="status"),
    path("reports/<int:pk>/download/", views.report_download, name="download"),
]
