"""Admin of the comments service: every change goes through a service, so it publishes."""

from django.contrib import admin

from micro.comments import services
from micro.comments.models import Comment, KnownPost
from shared.admin import CommentModerationAdmin


@admin.register(Comment)
class CommentAdmin(CommentModerationAdmin):
    services = services
    list_display = ["id", "post_id", "content", "status", "created_at", "revision"]
    fields = ["post_id", "content", "status", "created_at", "revision"]
    readonly_fields = ["post_id", "created_at", "revision"]

    def has_add_permission(self, request) -> bool:
        # Comments are added through the API, which checks that their post exists.
        return False

    def save_model(self, request, obj, form, change):
        services.comment_update(
            comment=obj, content=form.cleaned_data["content"], status=form.cleaned_data["status"]
        )
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.comment_delete(comment=obj)

    def delete_queryset(self, request, queryset):
        for comment in queryset:
            services.comment_delete(comment=comment)


@admin.register(KnownPost)
class KnownPostAdmin(admin.ModelAdmin):
    """The posts this service has heard of: fed by events only, so read-only here."""

    list_display = ["post_id", "title", "revision", "deleted"]
    list_filter = ["deleted"]
    search_fields = ["title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
