"""The comments service: owns comments; publishes CommentCreated, CommentUpdated, CommentDeleted."""

from micro.comments.celery import app as celery_app

__all__ = ["celery_app"]
