"""Celery app of the posts service (its worker relays the outbox)."""

from shared.messaging.celery_app import make_celery_app

app = make_celery_app("posts", settings="micro.posts.settings")
