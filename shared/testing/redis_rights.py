"""What a Redis user may do, asked of a real server (the ACL tests')."""

from __future__ import annotations

import redis


def refused(client: redis.Redis, *command) -> bool:
    """Whether the server refuses this command to the client's user (NOPERM)."""
    try:
        client.execute_command(*command)
    except redis.exceptions.NoPermissionError:
        return True
    return False
