"""Admin of the posts service: every edit and delete goes through a service, so it publishes."""

from django.contrib import admin

from micro.posts import services
from micro.posts.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "created_at", "revision"]
    search_fields = ["title"]
    fields = ["title"]

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        if change:
            services.post_update(post=obj, title=form.cleaned_data["title"])
        else:
            created = services.post_create(title=form.cleaned_data["title"])
            obj.pk, obj.created_at, obj.revision = created.pk, created.created_at, created.revision

    def delete_model(self, request, obj):
        services.post_delete(post=obj)

    def delete_queryset(self, request, queryset):
        for post in queryset:
            services.post_delete(post=post)
