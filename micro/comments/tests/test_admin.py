"""The comments admin: every change goes through a service, so the read model hears of it."""

from __future__ import annotations

from micro.comments.models import Comment, KnownPost
from shared import events, rules
from shared.events import Event
from shared.messaging.models import OutboxEvent

CHANGELIST = "/admin/comments/comment/"


def published(event_type: str) -> list[dict]:
    return [
        Event.from_message(outbox.message).data
        for outbox in OutboxEvent.objects.filter(event_type=event_type)
    ]


def test_approve_action_records_comment_updated(admin_client, comment_factory):
    first, second = comment_factory(), comment_factory()

    response = admin_client.post(
        CHANGELIST, {"action": "approve", "_selected_action": [first.pk, second.pk]}
    )

    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", "revision")) == {(rules.APPROVED, 2)}
    updates = published(events.COMMENT_UPDATED)
    assert sorted(update["comment_id"] for update in updates) == sorted([first.pk, second.pk])
    assert {(update["status"], update["revision"]) for update in updates} == {(rules.APPROVED, 2)}


def test_reject_action_records_comment_updated(admin_client, comment_factory):
    comment = comment_factory()

    admin_client.post(CHANGELIST, {"action": "reject", "_selected_action": [comment.pk]})

    comment.refresh_from_db()
    assert comment.status == rules.REJECTED
    assert [update["status"] for update in published(events.COMMENT_UPDATED)] == [rules.REJECTED]


def test_approving_an_approved_comment_records_nothing(admin_client, comment_factory):
    comment = comment_factory()
    admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})

    admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})

    comment.refresh_from_db()
    assert comment.revision == 2
    assert len(published(events.COMMENT_UPDATED)) == 1


def test_change_form_edit_records_comment_updated(admin_client, comment_factory):
    comment = comment_factory(content="typo")

    response = admin_client.post(
        f"{CHANGELIST}{comment.pk}/change/",
        {"content": "fixed", "status": rules.REJECTED, "_save": "Save"},
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.content, comment.status, comment.revision) == ("fixed", rules.REJECTED, 2)
    [update] = published(events.COMMENT_UPDATED)
    assert (update["content"], update["status"], update["revision"]) == ("fixed", "rejected", 2)


def test_delete_records_comment_deleted(admin_client, comment_factory):
    comment = comment_factory()

    response = admin_client.post(f"{CHANGELIST}{comment.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Comment.objects.exists()
    assert published(events.COMMENT_DELETED) == [
        {"comment_id": comment.pk, "post_id": comment.post_id, "revision": 2}
    ]


def test_bulk_delete_records_comment_deleted_for_each(admin_client, comment_factory):
    comments = [comment_factory(), comment_factory()]

    admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [c.pk for c in comments], "post": "yes"},
    )

    assert not Comment.objects.exists()
    assert sorted(deleted["comment_id"] for deleted in published(events.COMMENT_DELETED)) == sorted(
        c.pk for c in comments
    )


def test_changelist_filters_by_status(admin_client, comment_factory):
    pending = comment_factory(content="still pending")
    approved = comment_factory(content="already approved")
    admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [approved.pk]})

    response = admin_client.get(CHANGELIST, {"status__exact": rules.PENDING})

    assert response.status_code == 200
    assert pending.content in response.content.decode()
    assert approved.content not in response.content.decode()


def test_comments_cannot_be_added_in_the_admin(admin_client, db):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_known_posts_are_read_only(admin_client, known_post):
    url = f"/admin/comments/knownpost/{known_post.pk}/change/"

    response = admin_client.post(url, {"title": "Edited", "revision": 9, "deleted": "on"})

    assert response.status_code == 403
    assert admin_client.get(url).status_code == 200
    known_post.refresh_from_db()
    assert known_post.title != "Edited"
    assert KnownPost.objects.count() == 1
