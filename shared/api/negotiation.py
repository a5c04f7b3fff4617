"""Content negotiation with a shortcut for what nearly every API request asks for.

DRF's DefaultContentNegotiation parses the Accept header into media types and matches
them against every renderer, for every request. With the answer known in advance for
the usual cases (no Accept header, `*/*`, `application/json`: the first renderer, with its
own media type, exactly what DRF's matching returns for those), it skips that work; any
other header, a `?format=` or a format suffix goes through DRF's own negotiation.
shared/tests/test_negotiation.py proves the shortcut answers as DRF does.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

# Accept headers whose negotiation result is the first renderer when it renders JSON.
USUAL_ACCEPT = frozenset({None, "*/*", "application/json"})


class JsonFirstContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0]
        if (
            format_suffix is None
            and first.media_type == "application/json"
            and request.META.get("HTTP_ACCEPT") in USUAL_ACCEPT
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
