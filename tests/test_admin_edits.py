"""Content managed in the Django admin: on micro, every admin change reaches the read model."""

from __future__ import annotations

import pytest

from shared import rules
from tests.admin_session import AdminSession, ensure_superuser
from tests.conftest import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def posts_admin(micro_stack) -> AdminSession:
    ensure_superuser(micro_stack, "posts")
    return AdminSession(micro_stack.url("posts"))


@pytest.fixture(scope="module")
def comments_admin(micro_stack) -> AdminSession:
    ensure_superuser(micro_stack, "comments")
    return AdminSession(micro_stack.url("comments"))


def _query_post(micro_client, post_id):
    return micro_client.get_post(post_id)


def test_a_title_edited_in_the_posts_admin_reaches_query(micro_client, posts_admin, unique):
    post = micro_client.create_post(f"Before {unique}").body
    eventually(lambda: _query_post(micro_client, post["id"]), until=lambda r: r.status == 200)

    reply = posts_admin.submit(
        f"/admin/posts/post/{post['id']}/change/", {"title": f"After {unique}"}
    )
    assert reply.status_code == 200

    shown = eventually(
        lambda: _query_post(micro_client, post["id"]),
        until=lambda r: r.body.get("title") == f"After {unique}",
    )
    assert shown.body["title"] == f"After {unique}"


def test_a_post_deleted_in_the_admin_leaves_query(micro_client, posts_admin, unique):
    post = micro_client.create_post(f"Doomed {unique}").body
    eventually(lambda: _query_post(micro_client, post["id"]), until=lambda r: r.status == 200)

    posts_admin.action("/admin/posts/post/", "delete_selected", [post["id"]])

    eventually(lambda: _query_post(micro_client, post["id"]), until=lambda r: r.status == 404)
    assert micro_client.add_comment(post["id"], "too late").status == 404


def test_a_status_overridden_in_the_comments_admin_reaches_query(
    micro_client, comments_admin, unique
):
    post = micro_client.create_post(f"Override {unique}").body
    comment = micro_client.add_comment(post["id"], "I like oranges").body

    def status_in_query(reply):
        comments = reply.body.get("comments", []) if reply.status == 200 else []
        return comments[0]["status"] if comments else None

    eventually(
        lambda: _query_post(micro_client, post["id"]),
        until=lambda r: status_in_query(r) == rules.REJECTED,
    )
    comments_admin.action("/admin/comments/comment/", "approve", [comment["id"]])
    eventually(
        lambda: _query_post(micro_client, post["id"]),
        until=lambda r: status_in_query(r) == rules.APPROVED,
    )


def test_the_monolith_admin_approves_at_once(monolith_stack, unique):
    from stacks.client import BlogClient

    ensure_superuser(monolith_stack, "monolith")
    admin = AdminSession(monolith_stack.url("monolith"))
    client = BlogClient("monolith", monolith_stack.urls)
    post = client.create_post(f"Mono {unique}").body
    comment = client.add_comment(post["id"], "orange").body
    assert comment["status"] == rules.REJECTED

    admin.action("/admin/blog/comment/", "approve", [comment["id"]])

    assert client.get_post(post["id"]).body["comments"][0]["status"] == rules.APPROVED
