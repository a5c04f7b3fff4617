"""URL patterns every deployable serves: health (live, ready), the OpenAPI schema, its docs;
the error views every root URLconf names (Django reads handler400/404/500 from the root
URLconf module: each one imports them from here); and the public API's paths, said once for
the deployables that answer them (public_paths)."""

from collections.abc import Mapping

from django.urls import URLPattern, path
from django.views import View
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from shared.api.health import HealthLiveApi, HealthReadyApi
from shared.api.metrics_view import metrics_view
from shared.api.schema_view import SchemaApi

urlpatterns = [
    # Readiness under its old name, for the callers that poll it (the launcher, the tests).
    path("health/", HealthReadyApi.as_view(), name="health"),
    path("health/live/", HealthLiveApi.as_view(), name="health-live"),
    path("health/ready/", HealthReadyApi.as_view(), name="health-ready"),
    path("api/schema/", SchemaApi.as_view(), name="schema"),
    # Pages that read it: Swagger UI and Redoc, from local assets (drf-spectacular-sidecar).
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("metrics", metrics_view, name="metrics"),
]

# The contract's JSON error shape for Django's own 400, 404 and 500 (shared.api.errors).
handler400 = "shared.api.errors.bad_request_view"
handler404 = "shared.api.errors.not_found_view"
handler500 = "shared.api.errors.server_error_view"

# The public operations' paths (the contract: docs/api.md), by route name. The monolith
# answers all three; in micro, posts and query the first two, the aggregator its own
# reading of them, comments the third.
PUBLIC_PATHS = {
    "post-collection": "api/posts/",
    "post-detail": "api/posts/<int:post_id>/",
    "comment-collection": "api/posts/<int:post_id>/comments/",
}


def public_paths(views: Mapping[str, type[View]]) -> list[URLPattern]:
    """The URL patterns of the public operations a deployable answers: route name -> view."""
    return [path(PUBLIC_PATHS[name], view.as_view(), name=name) for name, view in views.items()]
