"""URLs of the event bus."""

from django.contrib import admin
from django.urls import include, path

from micro.eventbus import apis

urlpatterns = [
    path("internal/events/", apis.EventCollectionApi.as_view(), name="event-collection"),
    path("internal/events/stored/", apis.StoredEventIdsApi.as_view(), name="event-stored-ids"),
    path("admin/", admin.site.urls),
    path("", include("shared.api.urls")),
]

handler400 = "shared.api.errors.bad_request_view"
handler404 = "shared.api.errors.not_found_view"
handler500 = "shared.api.errors.server_error_view"
