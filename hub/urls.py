from django.urls import path

from . import views

app_name = "hub"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("proposals/", views.queue, name="queue"),
    path("propose/evidence/<int:evidence_pk>/", views.propose_evidence, name="propose_evidence"),
    path("propose/<str:team_code>/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/", views.file_download, name="file"),
    path("<int:pk>/<slug:step>/", views.step, name="step"),
]
