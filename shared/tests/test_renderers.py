"""The orjson renderer writes exactly the bytes DRF's JSONRenderer writes, on awkward data too."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from rest_framework.renderers import JSONRenderer

from shared.api.renderers import OrjsonRenderer, json_response, render_json

UTC = dt.UTC

AWKWARD = [
    "".join(chr(code) for code in range(0x100)),  # every control character, DEL, Latin-1
    'quotes " and \\ backslashes, tabs\t and\nnew lines',
    "</script><script>alert(1)</script> <!-- & ' -->",
    "unicode: é ß 日本語 Ελληνικά עברית",
    "emoji: 😀 👩🏽‍💻 🇫🇷",
    "line and paragraph separators: \u2028 \u2029",
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    2**64,  # beyond orjson: DRF's renderer writes it
    -(2**63) - 1,
    10**40,
    0,
    1.5,
    0.1,
    1e100,
    -0.0,
    True,
    False,
    None,
    dt.datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC),
    dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 11, 29, 12, 0, 0, 1, tzinfo=UTC),
    dt.datetime(2026, 11, 29, 12, 0, 0, 120000, tzinfo=UTC),
    dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    dt.datetime(2026, 11, 29, 12, 0, 0, 4500),  # naive
    dt.date(2026, 11, 29),
    dt.time(12, 30, 5, 7),
    dt.timedelta(seconds=90, microseconds=5),
    decimal.Decimal("1.10"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    {1: "an integer key"},  # beyond orjson: DRF's renderer writes it
    ("a", "tuple"),
    b"bytes",
]


@pytest.mark.parametrize("value", AWKWARD, ids=lambda value: repr(value)[:40])
def test_orjson_writes_the_bytes_drf_writes(value):
    document = {"value": value, "list": [value, {"nested": value}]}

    assert render_json(document) == JSONRenderer().render(document)
    assert OrjsonRenderer().render(document) == JSONRenderer().render(document)


def test_a_post_list_with_comments_renders_identically():
    moment = dt.datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)
    posts = [
        {
            "id": post_id,
            "title": f"Post {post_id} 😀 </script>",
            "created_at": moment - dt.timedelta(seconds=post_id),
            "comments": [
                {
                    "id": post_id * 100 + number,
                    "post_id": post_id,
                    "content": f"Comment {number} \u2028 é \x00",
                    "status": "approved",
                    "created_at": moment + dt.timedelta(microseconds=number * 1000),
                }
                for number in range(10)
            ],
        }
        for post_id in range(1, 51)
    ]

    assert render_json(posts) == JSONRenderer().render(posts)


def test_no_data_is_an_empty_body_and_an_indent_asked_for_is_honoured():
    assert OrjsonRenderer().render(None) == JSONRenderer().render(None) == b""
    indented = "application/json; indent=2"
    body = {"a": [1, 2]}
    assert OrjsonRenderer().render(body, indented) == JSONRenderer().render(body, indented)
    assert b"\n  " in OrjsonRenderer().render(body, indented)


def test_error_bodies_outside_drf_are_rendered_the_same_way():
    response = json_response({"message": "é </script>"}, status=404)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render({"message": "é </script>"})
