"""App config of the event bus."""

from django.apps import AppConfig


class EventbusConfig(AppConfig):
    name = "micro.eventbus"
    label = "eventbus"
    default_auto_field = "django.db.models.BigAutoField"
