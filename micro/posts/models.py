"""Posts, owned by this service alone."""

from django.db import models

from shared import rules


class Post(models.Model):
    title = models.CharField(max_length=rules.TITLE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Bumped on every change, carried by every event, so consumers apply events in any order.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
