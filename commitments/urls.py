from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.commitment_create, name="create"),
    path("import/", views.import_file, name="import"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("makers/<int:pk>/", views.maker_detail, name="maker"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
    path("<int:pk>/edit/", views.commitment_edit, name="edit"),
    path("<int:pk>/progress/", views.progress_create, name="progress_create"),
    path("progress/<int:pk>/edit/", views.progress_edit, name="progress_edit"),
]
