"""The one JSON renderer of every service: orjson, writing exactly the bytes DRF's JSONRenderer
writes with this project's settings (compact, UTF-8 unescaped, datetimes in ISO 8601 with `Z`).

DRF's renderer (rest_framework/renderers.py) calls json.dumps with separators (",", ":"),
ensure_ascii=False and allow_nan=False, its encoder writes a UTC datetime as isoformat()
with "+00:00" turned into "Z" (microseconds only when there are some, as isoformat does),
and it escapes U+2028 / U+2029 afterwards. orjson writes the same with OPT_UTC_Z; the two
line separators are escaped here as DRF does. What orjson cannot write (an integer beyond
64 bits, a dict with keys that are not strings, an indented answer asked for in the Accept
header) falls back to DRF's own renderer, so the bytes never differ.
shared/tests/test_renderers.py proves it on awkward data.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# https://github.com/ijl/orjson#option: "Z" for UTC instead of "+00:00", as DRF writes it.
OPTIONS = orjson.OPT_UTC_Z
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()
# Both separators' UTF-8 encodings start with this byte. Looking for one byte is memchr
# (about 2 us over the 60 KB post list here); looking for the three-byte sequences is a
# generic substring search (about 100 us each), and most bodies contain neither.
_SEPARATORS_LEAD_BYTE = _LINE_SEPARATOR[0]
_default = JSONEncoder().default  # lazy strings, Decimals, QuerySets ... as DRF writes them


def render_json(data: Any) -> bytes:
    """`data` as the JSON bytes DRF's JSONRenderer would write for it (no indent)."""
    try:
        body = orjson.dumps(data, default=_default, option=OPTIONS)
    except orjson.JSONEncodeError:
        return JSONRenderer().render(data)
    if _SEPARATORS_LEAD_BYTE in body:
        body = body.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
    return body


class OrjsonRenderer(JSONRenderer):
    """DRF's JSONRenderer, rendered by orjson (REST_FRAMEWORK's only renderer)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            if isinstance(data, orjson.Fragment):  # pre-rendered: indent it as DRF would
                data = orjson.loads(orjson.dumps(data))
            return super().render(data, accepted_media_type, renderer_context)
        return render_json(data)


def json_response(body: Any, *, status: int = 200, **kwargs) -> HttpResponse:
    """A plain Django response with `body` rendered as the API renders it (for the error
    bodies written outside DRF: 404/500 handlers, the body-size limit, injected faults)."""
    return HttpResponse(render_json(body), status=status, content_type="application/json", **kwargs)
