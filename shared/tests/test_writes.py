"""The 201 body of a new post, built once for both stacks, renders as the contract says."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from rest_framework.renderers import JSONRenderer

from shared.api.renderers import OrjsonRenderer
from shared.api.serializers import PostWithCommentsOutputSerializer
from shared.api.writes import post_created_body

MOMENT = dt.datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=dt.UTC)


@pytest.mark.parametrize("created_at", [MOMENT, MOMENT.replace(microsecond=0)])
def test_a_new_post_renders_as_the_post_with_comments_serializer_renders_it(created_at):
    post = SimpleNamespace(id=7, title='é 😀 </script> \u2028 "', created_at=created_at, revision=3)

    body = post_created_body(post=post)

    fields = {"id": post.id, "title": post.title, "created_at": post.created_at, "comments": []}
    expected = JSONRenderer().render(PostWithCommentsOutputSerializer(fields).data)
    assert OrjsonRenderer().render(body) == expected
    assert list(body) == ["id", "title", "created_at", "comments"]
