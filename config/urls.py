from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import oidc
from core import views as core_views
from scorecard import views as scorecard_views

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("scorecard.urls")),
    path("", include("reports.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("parity/", include("parity.urls")),
    path("commitments/", include("commitments.urls")),
]

# Under /api/ an unknown URL and a server error are JSON too; the pages keep Django's own.
handler404 = "core.api.not_found"
handler500 = "core.api.server_error"
