"""The read model's admin: readable, never writable (events are its only writers)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shared import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("query-admin", "q@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_posts_and_comments_can_be_read(admin_client, deliver, post_event, comment_event, new_id):
    post_id, comment_id = new_id(), new_id()
    deliver(post_event(events.POST_CREATED, post_id=post_id, revision=1, title="Read me"))
    deliver(
        comment_event(events.COMMENT_CREATED, comment_id=comment_id, post_id=post_id, revision=1)
    )

    assert "Read me" in admin_client.get("/admin/query/post/").content.decode()
    detail = admin_client.get(f"/admin/query/comment/{comment_id}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


@pytest.mark.parametrize("model", ["post", "comment"])
def test_the_read_model_cannot_be_edited_in_the_admin(
    model, admin_client, deliver, post_event, comment_event, new_id
):
    ids = {"post": new_id(), "comment": new_id()}
    deliver(post_event(events.POST_CREATED, post_id=ids["post"], revision=1))
    deliver(
        comment_event(
            events.COMMENT_CREATED, comment_id=ids["comment"], post_id=ids["post"], revision=1
        )
    )

    assert admin_client.get(f"/admin/query/{model}/add/").status_code == 403
    delete = admin_client.post(f"/admin/query/{model}/{ids[model]}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    change = admin_client.post(f"/admin/query/{model}/{ids[model]}/change/", {"title": "x"})
    assert change.status_code == 403
