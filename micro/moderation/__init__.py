"""The moderation service: no database; answers each CommentCreated with CommentModerated."""

from micro.moderation.celery import app as celery_app

__all__ = ["celery_app"]
