"""The post list built from rows renders exactly as the contract's serializers render it."""

from __future__ import annotations

import datetime as dt

from rest_framework.renderers import JSONRenderer

from shared import rules
from shared.api.contract import (
    COMMENT_KEYS,
    POST_KEYS,
    post_document,
    post_list_from_documents,
    posts_with_comments,
)
from shared.api.renderers import OrjsonRenderer
from shared.api.serializers import PostWithCommentsOutputSerializer

UTC = dt.UTC
MOMENT = dt.datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)


def _post(post_id: int) -> dict:
    return {"id": post_id, "title": f"Post {post_id}", "created_at": MOMENT, "revision": 3}


def _comment(comment_id: int, post_id: int, status: str = rules.APPROVED) -> dict:
    return {
        "id": comment_id,
        "post_id": post_id,
        "content": f"Comment {comment_id}",
        "status": status,
        "created_at": MOMENT + dt.timedelta(seconds=comment_id),
        "deleted": False,
    }


def test_rows_render_byte_for_byte_as_the_serializers_render_them():
    posts = [_post(2), _post(1)]
    comments = [_comment(10, 1), _comment(11, 2, rules.PENDING), _comment(12, 1, rules.REJECTED)]
    expected = [
        {**post, "comments": [comment for comment in comments if comment["post_id"] == post["id"]]}
        for post in posts
    ]

    built = posts_with_comments(posts=posts, comments=comments)

    serialized = PostWithCommentsOutputSerializer(expected, many=True).data
    assert JSONRenderer().render(built) == JSONRenderer().render(serialized)
    assert OrjsonRenderer().render(built) == JSONRenderer().render(serialized)


def test_stored_documents_assemble_byte_for_byte_as_the_serializers_render_the_list():
    posts = [
        _post(2),
        {
            **_post(1),
            "title": 'é 😀 </script> \u2028 "',
            "created_at": MOMENT.replace(microsecond=0),
        },
    ]
    comments = [_comment(10, 1), _comment(11, 2, rules.PENDING), _comment(12, 1, rules.REJECTED)]
    expected = [
        {**post, "comments": [comment for comment in comments if comment["post_id"] == post["id"]]}
        for post in posts
    ]
    documents = [
        post_document(post=post, comments=[c for c in comments if c["post_id"] == post["id"]])
        for post in posts
    ]

    assembled = OrjsonRenderer().render(post_list_from_documents(documents))

    serialized = PostWithCommentsOutputSerializer(expected, many=True).data
    assert assembled == JSONRenderer().render(serialized)
    assert OrjsonRenderer().render(post_list_from_documents([])) == b"[]"


def test_posts_keep_their_order_and_comments_theirs_and_extra_keys_are_dropped():
    built = posts_with_comments(
        posts=[_post(3), _post(1), _post(2)],
        comments=[_comment(7, 2), _comment(5, 1), _comment(6, 2)],
    )

    assert [post["id"] for post in built] == [3, 1, 2]
    assert [[comment["id"] for comment in post["comments"]] for post in built] == [[], [5], [7, 6]]
    assert all(set(post) == {*POST_KEYS, "comments"} for post in built)
    assert all(set(c) == set(COMMENT_KEYS) for post in built for c in post["comments"])


def test_a_comment_of_a_post_not_in_the_page_is_left_out():
    built = posts_with_comments(posts=[_post(1)], comments=[_comment(9, 99)])

    assert built[0]["comments"] == []
