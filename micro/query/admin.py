"""Admin of the query service: the read model, to read only (events are its only writers)."""

from django.contrib import admin

from micro.query.models import Comment, Post


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["post_id", "title", "created_at", "revision", "deleted"]
    list_filter = ["deleted"]
    search_fields = ["title"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["comment_id", "post_id", "content", "status", "created_at", "revision"]
    list_filter = ["status", "deleted"]
    search_fields = ["content"]
