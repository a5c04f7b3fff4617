"""App config of the moderation service (no models: installed so Celery finds its tasks)."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "micro.moderation"
    label = "moderation"
