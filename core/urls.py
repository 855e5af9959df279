from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("accounts/profile/", views.account, name="account"),
    path("accounts/invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("teams/<str:code>/people/", views.team_people, name="team_people"),
    path(
        "teams/<str:code>/people/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "teams/<str:code>/people/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
]
