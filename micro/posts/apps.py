"""App config of the posts service."""

from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "micro.posts"
    label = "posts"
    default_auto_field = "django.db.models.BigAutoField"
