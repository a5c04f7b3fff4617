"""URL patterns every deployable serves: health and its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from shared.api.health import HealthApi
from shared.instrumentation.metrics import metrics_view

urlpatterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("metrics", metrics_view, name="metrics"),
]
