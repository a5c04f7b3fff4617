"""The one JSON parser: nesting is measured without recursion and refused over the limit."""

from __future__ import annotations

from io import BytesIO

import pytest
from rest_framework.exceptions import ValidationError

from shared import rules
from shared.api.parsers import JsonParser, json_nesting_exceeds

LIMIT = rules.JSON_MAX_DEPTH


@pytest.mark.parametrize(
    ("document", "too_deep"),
    [
        (b"[" * LIMIT + b"]" * LIMIT, False),
        (b"[" * (LIMIT + 1) + b"]" * (LIMIT + 1), True),
        (b'{"a":' * (LIMIT + 1) + b"1" + b"}" * (LIMIT + 1), True),
        # Brackets inside strings (escaped quotes too) are text, not nesting.
        (b'{"title": "' + b"[{" * 5000 + b'\\" [[[["}', False),
        (b"[" * 100_000, True),
    ],
)
def test_nesting_is_measured_outside_strings(document, too_deep):
    assert json_nesting_exceeds(document) is too_deep


def test_a_body_nested_deeper_than_the_limit_is_refused_naming_the_body():
    with pytest.raises(ValidationError) as refused:
        JsonParser().parse(BytesIO(b"[" * 5000 + b"]" * 5000))
    assert refused.value.detail == {"body": [rules.MSG_BODY_TOO_DEEP]}


def test_a_body_within_the_limit_is_parsed():
    assert JsonParser().parse(BytesIO(b'{"ids": [["a"]]}')) == {"ids": [["a"]]}


def test_the_body_limit_fits_every_worst_case_valid_body():
    assert max(rules.worst_case_body_bytes().values()) <= rules.MAX_BODY_BYTES
    assert rules.worst_case_body_bytes()["comment"] == 2000 * len("\\ud83c\\udf4a")
