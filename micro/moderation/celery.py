"""Celery app of the moderation service (its worker moderates new comments)."""

from shared.messaging.celery_app import make_celery_app

app = make_celery_app("moderation", settings="micro.moderation.settings")
