"""Celery app of the comments service (its worker consumes events and relays the outbox)."""

from shared.messaging.celery_app import make_celery_app

app = make_celery_app("comments", settings="micro.comments.settings")
