from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("country-teams", api.CountryTeamViewSet, basename="country-team")
router.register("frameworks", api.FrameworkViewSet, basename="framework")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("pi-ratings", api.PIRatingViewSet, basename="pi-rating")
router.register("evidence", api.EvidenceViewSet, basename="evidence")
router.register("action-points", api.ActionPointViewSet, basename="action-point")
router.register("comments", api.CommentViewSet, basename="comment")

urlpatterns = router.urls
