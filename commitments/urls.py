from django.urls import path  # noqa: F401 -- routes are added with the app's pages

app_name = "commitments"

urlpatterns: list = []
