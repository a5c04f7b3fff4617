"""URL patterns every deployable serves: health and its OpenAPI schema."""

from django.urls import path

from shared.api.health import HealthApi
from shared.api.schema_view import SchemaApi
from shared.instrumentation.metrics import metrics_view

urlpatterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path("api/schema/", SchemaApi.as_view(), name="schema"),
    path("metrics", metrics_view, name="metrics"),
]
