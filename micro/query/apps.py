"""App config of the query service."""

from django.apps import AppConfig


class QueryConfig(AppConfig):
    name = "micro.query"
    label = "query"
    default_auto_field = "django.db.models.BigAutoField"
