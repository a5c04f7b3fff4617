"""Outbox (events to publish), inbox (events applied) and dead letters, per service database."""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    """An event recorded in the same transaction as the change that caused it."""

    id = models.UUIDField(primary_key=True)
    event_type = models.CharField(max_length=64)
    message = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The action that caused the event, so its fan-out is attributed to it when relayed later.
    request_id = models.CharField(max_length=64, blank=True)
    # When the event bus was seen to hold it; until then the relay re-sends it now and then.
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # How often it was found lost and sent again: the next re-send backs off by it.
    resends = models.PositiveIntegerField(default=0)
    # When a relay took it to send (shared.messaging.publish.claim_unsent): no other relay
    # sends it until it is marked sent or the claim expires.
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.id}"


class ProcessedEvent(models.Model):
    """An event this service has applied; a redelivered event finds itself here and is dropped."""

    event_id = models.UUIDField(primary_key=True)
    event_type = models.CharField(max_length=64)
    # Indexed for pruning (shared.messaging.pruning).
    processed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class DeadLetter(models.Model):
    """A message that could not be applied: kept with its error, never blocking the queue."""

    task_name = models.CharField(max_length=128)
    message = models.JSONField()
    error = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task_name}: {self.error[:60]}"


class EventStoreCursor(models.Model):
    """How far this service has read the event store (its catch-up position)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seq}"
