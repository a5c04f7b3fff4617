"""The monolith's admin: post and comment changelists, approve / reject actions."""

from __future__ import annotations

import pytest

from monolith.blog.models import Comment
from shared import rules

pytestmark = pytest.mark.django_db

POST_CHANGELIST = "/admin/blog/post/"
COMMENT_CHANGELIST = "/admin/blog/comment/"


def test_admin_opens_the_post_changelist(admin_client, make_post):
    post = make_post()

    response = admin_client.get(POST_CHANGELIST)

    assert response.status_code == 200
    assert post.title in response.content.decode()


def test_admin_opens_a_post_with_its_comments(admin_client, make_post, make_comment):
    post = make_post()
    comment = make_comment(post=post)

    response = admin_client.get(f"{POST_CHANGELIST}{post.id}/change/")

    assert response.status_code == 200
    assert comment.content in response.content.decode()


def test_admin_opens_the_comment_changelist(admin_client, make_post, make_comment):
    comment = make_comment(post=make_post())

    response = admin_client.get(COMMENT_CHANGELIST, {"status__exact": rules.APPROVED})

    assert response.status_code == 200
    assert comment.content in response.content.decode()


def test_admin_needs_a_login(client):
    response = client.get(COMMENT_CHANGELIST)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _run_action(admin_client, action: str, comments: list[Comment]):
    return admin_client.post(
        COMMENT_CHANGELIST,
        {"action": action, "_selected_action": [comment.pk for comment in comments]},
    )


def test_approve_action_approves_the_selected_comments(admin_client, make_post, make_comment):
    post = make_post()
    selected = [make_comment(post=post, status=rules.REJECTED) for _ in range(2)]
    untouched = make_comment(post=post, status=rules.REJECTED)

    response = _run_action(admin_client, "approve", selected)

    assert response.status_code == 302
    for comment in selected:
        comment.refresh_from_db()
        assert comment.status == rules.APPROVED
    untouched.refresh_from_db()
    assert untouched.status == rules.REJECTED


def test_reject_action_rejects_the_selected_comments(admin_client, make_post, make_comment):
    post = make_post()
    selected = make_comment(post=post, status=rules.APPROVED)
    untouched = make_comment(post=post, status=rules.APPROVED)

    response = _run_action(admin_client, "reject", [selected])

    assert response.status_code == 302
    selected.refresh_from_db()
    untouched.refresh_from_db()
    assert (selected.status, untouched.status) == (rules.REJECTED, rules.APPROVED)


def test_rejected_comment_approved_in_admin_shows_approved_in_the_api(
    admin_client, api_client, make_post, make_comment
):
    post = make_post()
    comment = make_comment(post=post, content="orange", status=rules.REJECTED)

    _run_action(admin_client, "approve", [comment])

    [listed] = api_client.get(f"/api/posts/{post.id}/").json()["comments"]
    assert listed["status"] == rules.APPROVED
