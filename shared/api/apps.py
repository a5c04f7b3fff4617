"""Django app config for the shared API pieces (templates, checks)."""

from django.apps import AppConfig


class SharedApiConfig(AppConfig):
    name = "shared.api"
    label = "shared_api"
    verbose_name = "Shared API"
