"""The read model: posts and their comments, denormalised from events, ids as the owners gave them.

Every row keeps the revision it was last written at, so that events apply in any order (the
highest revision wins), and deletes are tombstones (`deleted`), so that a late create cannot
bring a deleted post or comment back.

Each post also keeps its `document`: its public JSON with its live comments, exactly the
contract's bytes, rewritten in the same transaction as every event that changes it
(micro.query.services), so that a read assembles stored text and parses nothing.
"""

from django.db import models

from shared import rules


class Post(models.Model):
    post_id = models.BigIntegerField(primary_key=True)
    title = models.CharField(max_length=rules.TITLE_MAX_LENGTH, blank=True)
    # Null only on a tombstone that arrived before its post.
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revision = models.PositiveIntegerField()
    deleted = models.BooleanField(default=False)
    # Null while the post is unknown (its comments came first) or deleted: not listed.
    # (Null, not "": "no document" is not an empty document.)
    document = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["-created_at", "-post_id"]

    def __str__(self) -> str:
        return self.title or f"post {self.post_id}"


class Comment(models.Model):
    comment_id = models.BigIntegerField(primary_key=True)
    # No foreign key: a comment may arrive before its post, and shows once the post does.
    post_id = models.BigIntegerField(db_index=True)
    content = models.TextField(max_length=rules.CONTENT_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField()
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "comment_id"]

    def __str__(self) -> str:
        return self.content[:60] or f"comment {self.comment_id}"
