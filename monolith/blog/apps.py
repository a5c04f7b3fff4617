"""App config of the monolith's blog."""

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "monolith.blog"
    label = "blog"
    default_auto_field = "django.db.models.BigAutoField"
