"""URLs of the event bus."""

from django.contrib import admin
from django.urls import include, path

from micro.eventbus import apis

# Django reads the error views (the contract's JSON shape) from the root URLconf.
from shared.api.urls import handler400, handler404, handler500  # noqa: F401

urlpatterns = [
    path("internal/events/", apis.EventCollectionApi.as_view(), name="event-collection"),
    path("internal/events/stored/", apis.StoredEventIdsApi.as_view(), name="event-stored-ids"),
    path("admin/", admin.site.urls),
    path("", include("shared.api.urls")),
]
