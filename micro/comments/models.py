"""Comments, owned by this service alone, and its own record of which posts exist."""

from django.db import models

from shared import rules


class Comment(models.Model):
    post_id = models.BigIntegerField(db_index=True)
    content = models.TextField(max_length=rules.CONTENT_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=rules.COMMENT_STATUS_CHOICES, default=rules.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every change, carried by every event, so consumers apply events in any order.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.content[:60]


class KnownPost(models.Model):
    """A post as this service last heard of it (from the posts events); deleted ones stay as
    tombstones so that a late PostCreated cannot bring them back."""

    post_id = models.BigIntegerField(primary_key=True)
    title = models.CharField(max_length=rules.TITLE_MAX_LENGTH, blank=True)
    revision = models.PositiveIntegerField(default=0)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-post_id"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.title}" + (" (deleted)" if self.deleted else "")
