"""Admin of the event bus: the event store, to read only (it is append-only)."""

from django.contrib import admin

from micro.eventbus.models import StoredEvent


@admin.register(StoredEvent)
class StoredEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "event_type", "source", "event_id", "occurred_at", "stored_at"]
    list_filter = ["event_type", "source"]
    search_fields = ["event_id"]
    readonly_fields = [field.name for field in StoredEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
