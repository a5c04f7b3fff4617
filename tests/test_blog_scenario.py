"""The blog's main scenario, the same on both stacks: posts, comments, moderation, the list."""

from __future__ import annotations

import pytest

from shared import rules
from tests.conftest import eventually

pytestmark = pytest.mark.e2e


def _mine(posts: list[dict], unique: str) -> list[dict]:
    return [post for post in posts if unique in post["title"]]


def _final(posts: list[dict]) -> bool:
    return all(c["status"] != rules.PENDING for post in posts for c in post["comments"])


def test_posts_and_comments_reach_the_list_with_their_final_status(client, unique):
    first = client.create_post(f"First {unique}")
    second = client.create_post(f"  Second {unique}  ")
    assert (first.status, second.status) == (201, 201)
    assert second.body["title"] == f"Second {unique}"
    rejected = client.add_comment(first.body["id"], "I like ORANGE juice")
    approved = client.add_comment(first.body["id"], "A fine post")
    assert (rejected.status, approved.status) == (201, 201)

    def read() -> list[dict]:
        return _mine(client.list_posts(limit=rules.LIST_LIMIT_MAX).body, unique)

    posts = eventually(
        read, until=lambda p: len(p) == 2 and len(p[1]["comments"]) == 2 and _final(p)
    )
    assert [post["title"] for post in posts] == [f"Second {unique}", f"First {unique}"]
    assert posts[0]["comments"] == []
    comments = posts[1]["comments"]
    assert [(c["content"], c["status"]) for c in comments] == [
        ("I like ORANGE juice", rules.REJECTED),
        ("A fine post", rules.APPROVED),
    ]
    assert {c["id"] for c in comments} == {rejected.body["id"], approved.body["id"]}


def test_the_monolith_moderates_in_the_request_and_micro_answers_pending(client, unique):
    post = client.create_post(f"Moderation {unique}").body
    reply = client.add_comment(post["id"], "orange")
    expected = rules.REJECTED if client.kind == "monolith" else rules.PENDING
    assert reply.body["status"] == expected


def test_one_post_with_its_comments(client, unique):
    post = client.create_post(f"Single {unique}").body
    comment = client.add_comment(post["id"], "hello").body
    reply = eventually(
        lambda: client.get_post(post["id"]),
        until=lambda r: (
            r.status == 200
            and r.body["comments"]
            and r.body["comments"][0]["status"] == rules.APPROVED
        ),
    )
    assert reply.body["id"] == post["id"]
    assert reply.body["title"] == f"Single {unique}"
    assert [c["id"] for c in reply.body["comments"]] == [comment["id"]]


def test_a_comment_on_a_missing_post_is_a_404_and_no_orphan(client, unique):
    reply = client.add_comment(987_654_321, f"orphan {unique}")
    assert reply.status == 404
    assert reply.body["fields"] == {"post_id": [rules.MSG_POST_NOT_FOUND]}
    assert client.get_post(987_654_321).status == 404


def test_a_comment_right_after_its_post_is_accepted(client, unique):
    """On micro, comments may not have heard of the post yet: it asks posts instead of refusing."""
    for attempt in range(5):
        post = client.create_post(f"Race {attempt} {unique}").body
        assert client.add_comment(post["id"], "first!").status == 201
