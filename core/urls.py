from django.urls import path

from . import health, views

app_name = "core"

urlpatterns = [
    # The readiness check (core/health.py); /healthz (config/urls.py) is the liveness probe.
    path("health/", health.HealthView.as_view(), name="health"),
    path("accounts/profile/", views.account, name="account"),
    path("accounts/profile/api-token/", views.api_token_create, name="api_token_create"),
    path("accounts/profile/api-token/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("accounts/invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
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
