"""The monolith's admin: posts with their comments, and approve / reject actions."""

from django.contrib import admin

from monolith.blog import services
from monolith.blog.models import Comment, Post
from shared.admin import CommentModerationAdmin


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
class CommentAdmin(CommentModerationAdmin):
    services = services
    list_display = ["id", "post", "content", "status", "created_at"]
