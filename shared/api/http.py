"""Calls from one service to another over HTTP: pooled connections, timeouts, clear 503s."""

from __future__ import annotations

import threading
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from shared.api.errors import ServiceUnavailable
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.instrumentation import metrics
from shared.instrumentation.tally import REQUEST_ID_HEADER, count, current_request_id


class ServiceClient:
    """A client for one other service. One requests.Session per thread, so that
    connections are reused without sharing a session across threads.

    The session does not read the environment (`trust_env` off): a call goes straight to
    the service's URL, never through an HTTP_PROXY set for the host's outbound traffic, and
    without requests' per-call look-ups of proxy variables and ~/.netrc, which were about a
    fifth of what `requests` cost comments' web process per lookup of a post (docs/speed.md)."""

    def __init__(self, *, service: str, base_url: str):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False
            session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=16))
            self._local.session = session
        return session

    def get(self, path: str, *, params: dict | None = None) -> requests.Response:
        """GET a path; a connection error, a timeout or a 5xx becomes ServiceUnavailable."""
        return self.request("GET", path, params=params)

    def post_json(self, path: str, body: dict) -> Any:
        """POST a JSON body and return the JSON answer (anything but 200 is unavailable)."""
        response = self.request("POST", path, json=body)
        if response.status_code != 200:
            message = f"{self.service} answered {response.status_code}"
            raise ServiceUnavailable(self.service, message)
        return response.json()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """One call; a connection error, a timeout or a 5xx becomes ServiceUnavailable."""
        headers = {INTERNAL_TOKEN_HEADER: settings.INTERNAL_TOKEN}
        request_id = current_request_id.get()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        count("calls_out")
        try:
            response = self.session.request(
                method,
                f"{self.base_url}{path}",
                headers=headers,
                timeout=(settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT),
                **kwargs,
            )
        except requests.RequestException as error:
            self._count_call("unreachable")
            raise ServiceUnavailable(self.service) from error
        self._count_call(str(response.status_code))
        if response.status_code >= 500:
            raise ServiceUnavailable(self.service)
        return response

    def _count_call(self, outcome: str) -> None:
        metrics.HTTP_CALLS.labels(settings.SERVICE_NAME, self.service, outcome).inc()

    def get_json(self, path: str, *, params: dict | None = None) -> Any:
        response = self.get(path, params=params)
        if response.status_code != 200:
            raise ServiceUnavailable(
                self.service, f"{self.service} answered {response.status_code}"
            )
        return response.json()
