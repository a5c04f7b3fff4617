"""The lab's URLs (served by stacks.lab.server, never part of the monolith's URLconf)."""

from django.urls import path

from stacks.lab import views

urlpatterns = [
    path("", views.lab_page, name="lab"),
    path("api/state/", views.LabStateApi.as_view()),
    path("api/actions/<str:request_id>/", views.ActionDetailApi.as_view()),
    path("api/<str:kind>/posts/", views.PostCollectionApi.as_view()),
    path("api/<str:kind>/posts/<int:post_id>/", views.PostDetailApi.as_view()),
    path("api/<str:kind>/posts/<int:post_id>/comments/", views.CommentCreateApi.as_view()),
    path("api/<str:kind>/processes/<str:name>/stop/", views.ProcessStopApi.as_view()),
    path("api/<str:kind>/processes/<str:name>/start/", views.ProcessStartApi.as_view()),
    path("api/<str:kind>/moderation-delay/", views.ModerationDelayApi.as_view()),
    path("api/<str:kind>/events/", views.EventListApi.as_view()),
]

handler404 = "shared.api.errors.not_found_view"
handler500 = "shared.api.errors.server_error_view"
