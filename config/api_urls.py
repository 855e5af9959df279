"""The API's router: every app owns its api.py; the paths under /api/v1/ are gathered here."""

from rest_framework.routers import DefaultRouter

from commitments import api as commitments_api
from core import api as core_api
from hub import api as hub_api
from parity import api as parity_api
from reports import api as reports_api
from scorecard import api

router = DefaultRouter()
router.register("country-teams", api.CountryTeamViewSet, basename="country-team")
router.register("frameworks", api.FrameworkViewSet, basename="framework")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("pi-ratings", api.PIRatingViewSet, basename="pi-rating")
router.register("evidence", api.EvidenceViewSet, basename="evidence")
router.register("action-points", api.ActionPointViewSet, basename="action-point")
router.register("comments", api.CommentViewSet, basename="comment")
router.register("notifications", core_api.NotificationViewSet, basename="notification")
router.register("report-jobs", reports_api.ReportJobViewSet, basename="report-job")
router.register("parity/snapshots", parity_api.StaffingSnapshotViewSet, basename="parity-snapshot")
router.register(
    "parity/recommendations",
    parity_api.ParityRecommendationViewSet,
    basename="parity-recommendation",
)
router.register("parity/strategy", parity_api.StrategyViewSet, basename="parity-strategy")
# Before "commitments": its ids are digits only, but the order keeps these two unambiguous anyway.
router.register(
    "commitments/makers", commitments_api.CommitmentMakerViewSet, basename="commitment-maker"
)
router.register(
    "commitments/progress-reports",
    commitments_api.ProgressReportViewSet,
    basename="progress-report",
)
router.register("commitments", commitments_api.CommitmentViewSet, basename="commitment")
router.register("hub/practices", hub_api.PracticeViewSet, basename="hub-practice")

urlpatterns = router.urls
