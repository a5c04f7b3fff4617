"""The posts service: owns posts, publishes PostCreated / PostUpdated / PostDeleted."""

from micro.posts.celery import app as celery_app

__all__ = ["celery_app"]
