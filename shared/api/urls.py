"""URL patterns every deployable serves: health (liveness, readiness), its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from shared.api.health import HealthLiveApi, HealthReadyApi
from shared.instrumentation.metrics import metrics_view

urlpatterns = [
    # Readiness under its old name, for the callers that poll it (the launcher, the tests).
    path("health/", HealthReadyApi.as_view(), name="health"),
    path("health/live/", HealthLiveApi.as_view(), name="health-live"),
    path("health/ready/", HealthReadyApi.as_view(), name="health-ready"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("metrics", metrics_view, name="metrics"),
]
