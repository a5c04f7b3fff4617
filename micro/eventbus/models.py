"""The event store: every event once, append-only, in the order it was stored."""

from django.db import models

# The longest event source the store keeps (services refuse a longer one before storing).
SOURCE_MAX_LENGTH = 64


class StoredEvent(models.Model):
    """One event as it was published; `seq` is its place in the store's order."""

    seq = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=SOURCE_MAX_LENGTH, db_index=True)
    occurred_at = models.TextField(blank=True)
    # The whole event envelope, exactly as consumers receive it.
    message = models.JSONField()
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} {self.event_id}"
