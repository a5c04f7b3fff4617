"""The OpenAPI schema endpoint every service serves."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer


class SchemaApi(SpectacularAPIView):
    """The schema view; its errors (a wrong method, say) in the JSON error shape, not YAML."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
