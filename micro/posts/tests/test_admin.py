"""Admin edits and deletes go through the services, so each publishes its event with a revision."""

from __future__ import annotations

import pytest

from micro.posts.models import Post
from shared import events
from shared.messaging.models import OutboxEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/posts/post/"


def _events_of(event_type: str) -> list[dict]:
    return [
        outbox_event.message
        for outbox_event in OutboxEvent.objects.filter(event_type=event_type).order_by("created_at")
    ]


def test_admin_opens_the_post_changelist(admin_client, make_post):
    post = make_post()

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert post.title in response.content.decode()


def test_admin_add_publishes_one_post_created(admin_client, unique_title):
    title = unique_title()

    response = admin_client.post(f"{CHANGELIST}add/", {"title": title})

    assert response.status_code == 302
    post = Post.objects.get(title=title)
    [message] = _events_of(events.POST_CREATED)
    assert message["data"]["post_id"] == post.id
    assert message["data"]["revision"] == 1
    assert OutboxEvent.objects.count() == 1


def test_admin_edit_publishes_post_updated_with_revision_2(admin_client, make_post, unique_title):
    post = make_post()
    new_title = unique_title("Edited")

    response = admin_client.post(f"{CHANGELIST}{post.id}/change/", {"title": new_title})

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.revision) == (new_title, 2)
    [message] = _events_of(events.POST_UPDATED)
    assert message["source"] == "posts"
    assert message["data"] == {
        "post_id": post.id,
        "title": new_title,
        "created_at": post.created_at.isoformat(),
        "revision": 2,
    }


def test_two_admin_edits_publish_increasing_revisions(admin_client, make_post, unique_title):
    post = make_post()

    for _ in range(2):
        admin_client.post(f"{CHANGELIST}{post.id}/change/", {"title": unique_title("Edited")})

    revisions = [message["data"]["revision"] for message in _events_of(events.POST_UPDATED)]
    assert revisions == [2, 3]


def test_admin_edit_with_a_blank_title_publishes_nothing(admin_client, make_post):
    post = make_post()

    response = admin_client.post(f"{CHANGELIST}{post.id}/change/", {"title": "   "})

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.revision == 1
    assert _events_of(events.POST_UPDATED) == []


def test_admin_delete_publishes_post_deleted(admin_client, make_post):
    post = make_post()

    response = admin_client.post(f"{CHANGELIST}{post.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Post.objects.filter(pk=post.id).exists()
    [message] = _events_of(events.POST_DELETED)
    assert message["data"] == {"post_id": post.id, "revision": 2}


def test_admin_bulk_delete_publishes_one_post_deleted_each(admin_client, make_post):
    posts = [make_post() for _ in range(2)]
    kept = make_post()

    response = admin_client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": [post.pk for post in posts],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert list(Post.objects.all()) == [kept]
    deleted = {message["data"]["post_id"] for message in _events_of(events.POST_DELETED)}
    assert deleted == {post.id for post in posts}
