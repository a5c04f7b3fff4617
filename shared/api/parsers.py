"""The one JSON parser of every service: refuses a body nested too deep before parsing it."""

from __future__ import annotations

import re
from io import BytesIO

from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings

from shared import rules

# A JSON string (skipped whole, escapes and all) or one bracket outside strings.
_STRING_OR_BRACKET = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def json_nesting_exceeds(document: bytes, *, limit: int = rules.JSON_MAX_DEPTH) -> bool:
    """True when the JSON text opens more than `limit` arrays/objects inside one another.

    A scan, not a parse: no recursion, so any depth is measured safely. Text that is not
    JSON at all is measured too; the parser refuses it afterwards.
    """
    if document.count(b"[") + document.count(b"{") <= limit:
        return False
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(document):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


class JsonParser(JSONParser):
    """DRF's JSONParser, after a depth check: a body nested deeper than
    rules.JSON_MAX_DEPTH is a 400 naming `body`, never a RecursionError (a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        document = stream.read()
        if json_nesting_exceeds(document):
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [rules.MSG_BODY_TOO_DEEP]}, code="too_deep"
            )
        return super().parse(BytesIO(document), media_type, parser_context)
