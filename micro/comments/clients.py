"""The one other service the comments service calls over HTTP: posts."""

from __future__ import annotations

import functools

from django.conf import settings

from shared.api.http import ServiceClient


@functools.cache
def _posts_client_for(base_url: str) -> ServiceClient:
    return ServiceClient(service="posts", base_url=base_url)


def posts_client() -> ServiceClient:
    """The posts client for settings.POSTS_URL, one per URL so its connections are reused.

    POSTS_URL is read per call rather than at import, so an overridden setting (tests, a
    launcher that picks free ports) takes effect.
    """
    return _posts_client_for(settings.POSTS_URL)
