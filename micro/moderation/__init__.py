"""The moderation service: no database; decides each CommentCreated and publishes CommentModerated."""

from micro.moderation.celery import app as celery_app

__all__ = ["celery_app"]
