"""Celery app of the event bus (its worker runs eventbus.publish)."""

from shared.messaging.celery_app import make_celery_app

app = make_celery_app("eventbus", settings="micro.eventbus.settings")
