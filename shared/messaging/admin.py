"""Admin views of the outbox, the inbox and the dead letters, to see delivery at work."""

from django.contrib import admin

from shared.messaging.models import DeadLetter, OutboxEvent, ProcessedEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "id", "created_at", "sent_at", "attempts"]
    list_filter = ["event_type", ("sent_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "event_id", "processed_at"]
    list_filter = ["event_type"]
    readonly_fields = ["event_id", "event_type", "processed_at"]


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["task_name", "created_at", "replayed_at", "error"]
    readonly_fields = ["task_name", "message", "error", "created_at", "replayed_at"]
