"""Checks of a service's docs pages (Swagger UI, Redoc), reused by each deployable's tests."""

from __future__ import annotations

import re

DOCS_PAGES = {"/api/docs/": "swagger-ui-dist", "/api/redoc/": "redoc"}


def assets_of(page: str) -> list[str]:
    """The script and stylesheet addresses a page loads."""
    return re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", page)


def check_docs_pages(client) -> None:
    """Each docs page answers 200 with HTML that loads only this service's own assets,
    each of which it serves."""
    for path, dist in DOCS_PAGES.items():
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
        page = response.content.decode()
        assets = assets_of(page)
        assert any(f"/static/drf_spectacular_sidecar/{dist}/" in asset for asset in assets), path
        assert not [asset for asset in assets if "//" in asset], f"{path} loads from elsewhere"
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert "/api/schema/" in page, path
