"""The monolith's admin: posts with their comments, and approve / reject actions."""

from django.contrib import admin

from monolith.blog import services
from monolith.blog.models import Comment, Post
from shared import rules


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["content", "status", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "created_at"]
    search_fields = ["title"]
    inlines = [CommentInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "content", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["content"]
    actions = ["approve", "reject"]

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        for comment in queryset:
            services.comment_set_status(comment=comment, status=rules.APPROVED)

    @admin.action(description="Reject selected comments")
    def reject(self, request, queryset):
        for comment in queryset:
            services.comment_set_status(comment=comment, status=rules.REJECTED)
