"""The event bus: stores every event (the append-only event store), fans it out, serves replay."""

from micro.eventbus.celery import app as celery_app

__all__ = ["celery_app"]
