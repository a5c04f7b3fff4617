"""Admin of the comments service: every change goes through a service, so it publishes."""

from django.contrib import admin

from micro.comments import services
from micro.comments.models import Comment, KnownPost
from shared import rules


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "post_id", "content", "status", "created_at", "revision"]
    list_filter = ["status"]
    search_fields = ["content"]
    fields = ["post_id", "content", "status", "created_at", "revision"]
    readonly_fields = ["post_id", "created_at", "revision"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        # Comments are added through the API, which checks that their post exists.
        return False

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        for comment in queryset:
            services.comment_set_status(comment=comment, status=rules.APPROVED)

    @admin.action(description="Reject selected comments")
    def reject(self, request, queryset):
        for comment in queryset:
            services.comment_set_status(comment=comment, status=rules.REJECTED)

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
