"""The query service: a read model of posts with their comments, built from events."""

from micro.query.celery import app as celery_app

__all__ = ["celery_app"]
