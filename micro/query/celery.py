"""Celery app of the query service (its worker applies events to the read model)."""

from shared.messaging.celery_app import make_celery_app

app = make_celery_app("query", settings="micro.query.settings")
