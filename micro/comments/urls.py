"""URLs of the comments service."""

from django.contrib import admin
from django.urls import include, path

from micro.comments import apis

# Django reads the error views (the contract's JSON shape) from the root URLconf.
from shared.api.urls import handler400, handler404, handler500  # noqa: F401

urlpatterns = [
    path(
        "api/posts/<int:post_id>/comments/",
        apis.CommentCollectionApi.as_view(),
        name="comment-collection",
    ),
    path("admin/", admin.site.urls),
    path("", include("shared.api.urls")),
]
