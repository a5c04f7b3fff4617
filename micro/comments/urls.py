"""URLs of the comments service."""

from django.contrib import admin
from django.urls import include, path

from micro.comments import apis

urlpatterns = [
    path(
        "api/posts/<int:post_id>/comments/",
        apis.CommentCollectionApi.as_view(),
        name="comment-collection",
    ),
    path("admin/", admin.site.urls),
    path("", include("shared.api.urls")),
]

handler400 = "shared.api.errors.bad_request_view"
handler404 = "shared.api.errors.not_found_view"
handler500 = "shared.api.errors.server_error_view"
