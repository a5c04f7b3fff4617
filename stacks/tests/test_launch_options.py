"""`manage.py launch`'s port probe and its --admin option (no stack is started)."""

from __future__ import annotations

import socket

import pytest
from django.core.management.base import CommandError

from stacks.management.commands.launch import parse_admin, port_base_is_free


def _port_in_time_wait() -> int:
    """A loopback port whose only connection was closed by the listening side first, so
    that side's socket waits in TIME-WAIT (as after `launch` stops). The listener sets
    SO_REUSEADDR, as gunicorn, redis-server and nginx do: Linux lets a new bind reuse a
    TIME-WAIT port only when both sockets ask for it."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()
        client.recv(1)
        client.close()
    return port


def test_a_port_in_time_wait_counts_as_free():
    assert port_base_is_free(_port_in_time_wait(), 1)


def test_a_listening_port_counts_as_taken():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not port_base_is_free(listener.getsockname()[1], 1)


def test_admin_takes_user_and_password():
    assert parse_admin("ada:s3cret:with-colon") == ("ada", "s3cret:with-colon")
    assert parse_admin(None) is None
    with pytest.raises(CommandError, match="user:password"):
        parse_admin("ada")


def test_admin_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("DJANGO_ENV", "production")
    with pytest.raises(CommandError, match="development only"):
        parse_admin("ada:s3cret")
