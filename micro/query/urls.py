"""URLs of the query service."""

from django.contrib import admin
from django.urls import include, path

from micro.query import apis

# Django reads the error views (the contract's JSON shape) from the root URLconf.
from shared.api.urls import handler400, handler404, handler500, public_paths  # noqa: F401

urlpatterns = [
    *public_paths({"post-collection": apis.PostCollectionApi, "post-detail": apis.PostDetailApi}),
    path("admin/", admin.site.urls),
    path("", include("shared.api.urls")),
]
