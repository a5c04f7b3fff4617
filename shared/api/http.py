"""Calls from one service to another over HTTP: kept-alive connections, timeouts, clear 503s."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from shared.api.errors import ServiceUnavailable
from shared.api.keepalive import KeepAliveClient, Response
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.instrumentation import metrics
from shared.instrumentation.tally import REQUEST_ID_HEADER, count, current_request_id


class ServiceClient:
    """A client for one other service, over the kept-alive http.client connections of
    shared.api.keepalive: one connection per thread (http.client's are not thread-safe), kept
    open across calls; one the service closed while idle is replaced before the next call.

    Not requests: a lookup through requests.Session cost comments' web process about three
    times the CPU of the same call through http.client (docs/speed.md), and nothing here
    needs what requests adds (proxies, ~/.netrc, cookies, redirects, content decoding). No
    proxy variable takes an internal call away from the service's URL. A call is never
    retried (a POST may have been applied): a connection that drops in flight, a refused
    connection, a timeout or a 5xx answer is ServiceUnavailable, a 503 for the caller."""

    def __init__(self, *, service: str, base_url: str):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self._local = threading.local()

    @property
    def connections(self) -> KeepAliveClient:
        """This thread's connections, made at its first call with the timeouts the settings
        give (and made again if they changed since: an overridden setting takes effect)."""
        read, connect = settings.HTTP_READ_TIMEOUT, settings.HTTP_CONNECT_TIMEOUT
        client = getattr(self._local, "client", None)
        if client is None or (client.timeout, client.connect_timeout) != (read, connect):
            if client is not None:
                client.close()
            client = self._local.client = KeepAliveClient(timeout=read, connect_timeout=connect)
        return client

    def get(self, path: str, *, params: dict | None = None) -> Response:
        """GET a path; a connection error, a timeout or a 5xx becomes ServiceUnavailable."""
        if params:
            path = f"{path}?{urlencode(params)}"
        return self.request("GET", path)

    def post_json(self, path: str, body: dict) -> Any:
        """POST a JSON body and return the JSON answer (anything but 200 is unavailable)."""
        response = self.request("POST", path, body=json.dumps(body).encode())
        return self.json_of(response)

    def get_json(self, path: str, *, params: dict | None = None) -> Any:
        """GET a path and return the JSON answer (anything but 200 is unavailable)."""
        return self.json_of(self.get(path, params=params))

    def request(self, method: str, path: str, *, body: bytes | None = None) -> Response:
        """One call; a connection error, a timeout or a 5xx becomes ServiceUnavailable."""
        headers = {INTERNAL_TOKEN_HEADER: settings.INTERNAL_TOKEN}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request_id = current_request_id.get()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        count("calls_out")
        try:
            answer = self.connections.request(
                method, f"{self.base_url}{path}", body=body, headers=headers
            )
        except (OSError, http.client.HTTPException) as error:
            self._count_call("unreachable")
            raise ServiceUnavailable(self.service) from error
        self._count_call(str(answer.status))
        if answer.status >= 500:
            raise ServiceUnavailable(self.service)
        return answer

    def json_of(self, response: Response) -> Any:
        """The JSON of a 200 answer; any other answer, or one that is not JSON, is unavailable."""
        if response.status != 200:
            raise ServiceUnavailable(self.service, f"{self.service} answered {response.status}")
        try:
            return response.json()
        except ValueError as error:
            raise ServiceUnavailable(self.service, f"{self.service} answered non-JSON") from error

    def _count_call(self, outcome: str) -> None:
        metrics.HTTP_CALLS.labels(settings.SERVICE_NAME, self.service, outcome).inc()
