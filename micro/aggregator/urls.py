"""URLs of the aggregator."""

from django.urls import include, path

from micro.aggregator import apis

urlpatterns = [
    path("api/posts/", apis.PostCollectionApi.as_view(), name="post-collection"),
    path("api/posts/<int:post_id>/", apis.PostDetailApi.as_view(), name="post-detail"),
    path("", include("shared.api.urls")),
]

handler400 = "shared.api.errors.bad_request_view"
handler404 = "shared.api.errors.not_found_view"
handler500 = "shared.api.errors.server_error_view"
