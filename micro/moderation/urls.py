"""URLs of the moderation service."""

from django.urls import include, path

from micro.moderation import apis

urlpatterns = [
    path(
        "api/moderation/decisions/",
        apis.ModerationDecisionApi.as_view(),
        name="moderation-decision",
    ),
    path("", include("shared.api.urls")),
]

handler400 = "shared.api.errors.bad_request_view"
handler404 = "shared.api.errors.not_found_view"
handler500 = "shared.api.errors.server_error_view"
