"""URLs of the moderation service."""

from django.urls import include, path

from micro.moderation import apis

# Django reads the error views (the contract's JSON shape) from the root URLconf.
from shared.api.urls import handler400, handler404, handler500  # noqa: F401

urlpatterns = [
    path(
        "api/moderation/decisions/",
        apis.ModerationDecisionApi.as_view(),
        name="moderation-decision",
    ),
    path("", include("shared.api.urls")),
]
