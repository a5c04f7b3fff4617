"""gunicorn's own refusals are written in the contract's JSON error shape."""

from __future__ import annotations

import json
import socket
import sys

from gunicorn import util

from shared import gunicorn_conf
from shared.unused_imports import UNUSED_IN_SERVICES

# Importing the config kept requests and the like out of this process, as it does in a web
# process (shared/unused_imports.py); the rest of the suite may use them.
for _name in UNUSED_IN_SERVICES:
    if sys.modules.get(_name, False) is None:
        del sys.modules[_name]


def test_gunicorn_writes_its_own_errors_as_json():
    assert util.write_error is gunicorn_conf.write_json_error
    server, client = socket.socketpair()
    with server, client:
        util.write_error(server, 414, "URI Too Long", "Request Line is too large (10000 > 4094)")
        head, _, body = client.recv(65536).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 URI Too Long")
    assert b"Content-Type: application/json" in head
    assert json.loads(body) == {
        "code": "uri_too_long",
        "message": "Request Line is too large (10000 > 4094)",
        "fields": {},
    }
