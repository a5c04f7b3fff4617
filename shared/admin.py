"""What both stacks' comment admins share: the approve / reject actions, filter and search.

Not an app's admin module (nothing registers here): the monolith's and the comments
service's CommentAdmin subclass it, each with its own services module.
"""

from __future__ import annotations

from types import ModuleType

from django.contrib import admin

from shared import rules


class CommentModerationAdmin(admin.ModelAdmin):
    """An admin's override of moderation, through `services`, which provides
    comment_set_status(*, comment, status) -> bool (True if the comment changed)."""

    services: ModuleType
    list_filter = ["status"]
    search_fields = ["content"]
    actions = ["approve", "reject"]

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        self._set_status(queryset, status=rules.APPROVED)

    @admin.action(description="Reject selected comments")
    def reject(self, request, queryset):
        self._set_status(queryset, status=rules.REJECTED)

    def _set_status(self, queryset, *, status: str) -> None:
        for comment in queryset:
            self.services.comment_set_status(comment=comment, status=status)
