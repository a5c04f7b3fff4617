"""App config of the comments service."""

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "micro.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"
