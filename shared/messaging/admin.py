"""Admin views of the outbox, the inbox and the dead letters, which it can replay."""

from django.contrib import admin, messages

from shared.messaging.dead_letters import dead_letter_replay
from shared.messaging.eventbus import BROKER_ERRORS
from shared.messaging.models import DeadLetter, EventStoreCursor, OutboxEvent, ProcessedEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "id", "created_at", "sent_at", "confirmed_at", "attempts"]
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
    list_filter = ["task_name", ("replayed_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["task_name", "message", "error", "created_at", "replayed_at"]
    actions = ["replay"]

    @admin.action(
        description="Replay selected dead letters (again too: consumers drop what they applied)"
    )
    def replay(self, request, queryset) -> None:
        """Send each message to its task again; stop at the first broker error."""
        sent = 0
        for letter in queryset:
            try:
                dead_letter_replay(dead_letter=letter)
            except BROKER_ERRORS as error:
                self.message_user(
                    request, f"The broker is unavailable ({error}); try again.", messages.ERROR
                )
                break
            sent += 1
        self.message_user(request, f"Sent {sent} dead letter(s) to their tasks again.")


@admin.register(EventStoreCursor)
class EventStoreCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seq", "updated_at"]
    readonly_fields = ["name", "last_seq", "updated_at"]
