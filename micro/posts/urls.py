"""URLs of the posts service."""

from django.contrib import admin
from django.urls import include, path

from micro.posts import apis

# Django reads the error views (the contract's JSON shape) from the root URLconf.
from shared.api.urls import handler400, handler404, handler500  # noqa: F401

urlpatterns = [
    path("api/posts/", apis.PostCollectionApi.as_view(), name="post-collection"),
    path("api/posts/<int:post_id>/", apis.PostDetailApi.as_view(), name="post-detail"),
    path("admin/", admin.site.urls),
    path("", include("shared.api.urls")),
]
