"""Posts and their comments, in the monolith's one database."""

from django.db import models

from shared import rules


class Post(models.Model):
    title = models.CharField(max_length=rules.TITLE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    content = models.TextField(max_length=rules.CONTENT_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=rules.COMMENT_STATUS_CHOICES, default=rules.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        # A post's comments in the order the contract lists them, read from the index with
        # no sort (monolith/blog/selectors.py): about a sixth of the list's SQL on SQLite.
        indexes = [models.Index(fields=["post", "created_at", "id"], name="blog_comment_in_order")]

    def __str__(self) -> str:
        return self.content[:60]
