from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from core import oidc
from core import views as core_views
from scorecard import views as scorecard_views

# Redoc writes its CSS into <style> elements (styled-components) and runs its search in a worker
# it makes from a blob: both allowed on that page alone. Scripts stay our files only, everywhere.
_redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", scorecard_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/language/", core_views.set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on; 404 unless OIDC_* are set (core/oidc.py).
    path("oidc/", include(oidc.urlpatterns)),
    # Password reset and change: Django's views in the site's layout (templates/registration/);
    # the reset request is throttled and its mail sent like every other (core/views.py).
    path("accounts/password_reset/", core_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("core.urls")),  # the account page, invitations, a team's people
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI and Redoc from our static files; Swagger UI's start-up script is served by the
    # same view (?script), not inline, so the Content-Security-Policy stays as strict as the site's.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", _redoc, name="api-redoc"),
    path("", include("scorecard.urls")),
    path("", include("reports.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("parity/", include("parity.urls")),
    path("commitments/", include("commitments.urls")),
    path("hub/", include("hub.urls")),
]

# Under /api/ these errors are JSON too; elsewhere the site's pages (templates/400.html …500.html).
handler400 = "core.api.bad_request"
handler403 = "core.api.permission_denied"
handler404 = "core.api.not_found"
handler500 = "core.api.server_error"
