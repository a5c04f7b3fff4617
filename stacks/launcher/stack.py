"""The Stack: one class made of its roles' parts, with the life cycle that puts them together."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import time
from pathlib import Path

import requests

from shared.signing import (
    SIGNERS,
    SIGNING_KEY_ENV,
    VERIFY_KEYS_ENV,
    format_verify_keys,
    new_signing_key,
)
from stacks.gateway import Gateway
from stacks.launcher.base import StackError
from stacks.launcher.databases import DatabasesMixin, per_service_database_url
from stacks.launcher.faults import FaultsMixin
from stacks.launcher.keys import KeysMixin
from stacks.launcher.processes import ProcessesMixin
from stacks.processes import ManagedProcess, stop_all
from stacks.redis_server import PrivateRedis, free_port, write_private
from stacks.routes import STACK_SERVICES, ServiceSpec, service_env_urls


class Stack(ProcessesMixin, DatabasesMixin, FaultsMixin, KeysMixin):
    """The monolith or the micro stack: its processes, its databases, its Redis."""

    def __init__(
        self,
        kind: str,
        *,
        run_dir: Path,
        host: str = "127.0.0.1",
        port_base: int | None = None,
        redis_url: str | None = None,
        database_url: str | None = None,
        fresh: bool = False,
        env: dict[str, str] | None = None,
        gateway: bool = False,
    ):
        if kind not in STACK_SERVICES:
            raise StackError(f"unknown stack {kind!r}; choose from {', '.join(STACK_SERVICES)}")
        self.kind = kind
        self.services: tuple[ServiceSpec, ...] = STACK_SERVICES[kind]
        self.run_dir = Path(run_dir).resolve()
        self.host = host
        self.database_url = database_url
        self.fresh = fresh
        self.extra_env = dict(env or {})
        self.ports = {
            spec.name: (port_base + spec.port_offset) if port_base else free_port(host)
            for spec in self.services
        }
        # Optional: nginx in front of micro, routed by the route table (one base URL).
        self.gateway = (
            Gateway(self.run_dir, self.urls, host=host) if gateway and kind == "micro" else None
        )
        self.redis: PrivateRedis | None = None
        # The URL the workbench uses (every right): the private Redis's admin identity, or
        # the Redis given. A given Redis is used as it is: every service connects with this
        # URL, without ACL users of its own.
        self.redis_url = redis_url
        self.processes: dict[str, ManagedProcess] = {}
        # Processes stopped on purpose (fault injection): wait_healthy does not wait for them.
        self.stopped_on_purpose: set[str] = set()
        # A fresh internal token per launch, unless INTERNAL_TOKEN is given (never a fixed one).
        self._launch_token = secrets.token_urlsafe(32)
        # Fresh event signing keys per launch too (shared.signing): each producer's own
        # private key in its own processes only, every producer's public key in all.
        self.event_signing_keys = {service: new_signing_key() for service in SIGNERS}

    def set_tracing(self, on: bool) -> None:
        """Switch trace records on or off in every process of the stack at once (they look
        for shared.instrumentation.trace.TRACING_OFF_FILE), and wait until all have seen it."""
        from shared.instrumentation.trace import SWITCH_CHECK_SECONDS, TRACING_OFF_FILE

        switch = self.trace_dir / TRACING_OFF_FILE
        if on == (not switch.exists()):
            return
        if on:
            switch.unlink(missing_ok=True)
        else:
            switch.touch()
        time.sleep(2 * SWITCH_CHECK_SECONDS)

    # -- addresses -----------------------------------------------------------------
    @property
    def public_urls(self) -> dict[str, str]:
        """Where a client sends each operation: the gateway's one base URL when there is one."""
        if self.gateway:
            return {name: self.gateway.url for name in self.urls}
        return self.urls

    def event_page(self, *, after: int, limit: int, timeout: float = 10.0) -> requests.Response:
        """One page of micro's event store: GET /internal/events/ on the eventbus."""
        return requests.get(
            f"{self.url('eventbus')}/internal/events/",
            params={"after": after, "limit": limit},
            headers=self.internal_headers(),
            timeout=timeout,
        )

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        """The environment one service's processes run with."""
        env = {
            **{name: value for name, value in os.environ.items() if name != SIGNING_KEY_ENV},
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": spec.settings,
            "DJANGO_ALLOWED_HOSTS": f"{self.host},localhost,127.0.0.1",
            "BLOG_VAR_DIR": str(self.run_dir),
            "BLOG_STUDY_MODE": "1",
            # No gunicorn access log unless asked (shared/gunicorn_conf.py).
            "BLOG_ACCESS_LOG": os.environ.get("BLOG_ACCESS_LOG", "off"),
            "BLOG_TRACE_DIR": str(self.trace_dir),
            "BLOG_FAULT_FILE": str(self._fault_file(spec.name)),
            # Web and worker of one service add up their metrics in one folder.
            "PROMETHEUS_MULTIPROC_DIR": str(self.run_dir / "metrics" / spec.name),
            "DATABASE_URL": per_service_database_url(
                self.database_url, service=spec.name, run_dir=self.run_dir
            ),
            **service_env_urls(self.urls),
            "INTERNAL_TOKEN": self.internal_token,
            VERIFY_KEYS_ENV: format_verify_keys(self.event_verify_keys),
            **self.extra_env,
        }
        if spec.name in self.event_signing_keys:
            env[SIGNING_KEY_ENV] = self.event_signing_keys[spec.name]
        redis_url = self.service_redis_url(spec)
        if redis_url:
            env["REDIS_URL"] = redis_url
        elif self.redis:
            env.pop("REDIS_URL", None)
        return env

    # -- life cycle ----------------------------------------------------------------
    def start(self, *, timeout: float = 90.0) -> Stack:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._write_internal_token()
        atexit.register(self.stop)
        try:
            if self.kind == "micro" and not self.redis_url:
                # One ACL user per service with a queue (shared.messaging.redis_acl).
                users = [spec.name for spec in self.services if spec.has_worker]
                self.redis = PrivateRedis(run_dir=self.run_dir, host=self.host, users=users)
                self.redis.start()
                self.redis_url = self.redis.url
                write_private(self.redis_admin_url_file, self.redis_url + "\n")
            self._reset_instrumentation()
            self.migrate()
            self._build_processes()
            for process in self.processes.values():
                process.start()
            self.wait_healthy(timeout=timeout)
            if self.gateway:
                self.gateway.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _reset_instrumentation(self) -> None:
        """Start with no trace records and no stale multiprocess metrics files."""
        for folder in (self.trace_dir, self.run_dir / "faults"):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        for spec in self.services:
            metrics_dir = self.run_dir / "metrics" / spec.name
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)

    def stop(self) -> None:
        """Stop the gateway, then every process this stack started (all at once: SIGTERM to
        each, then wait for each), then its private Redis."""
        if self.gateway:
            self.gateway.stop()
        stop_all(list(self.processes.values()))
        if self.redis:
            self.redis.stop()

    # -- the gateway ---------------------------------------------------------------------
    def start_gateway(self) -> Gateway:
        """Put nginx in front of the running micro stack (unless it already is); from then on
        public_urls is the gateway's one base URL."""
        if self.kind != "micro":
            raise StackError("only the micro stack has a gateway")
        if self.gateway is None:
            self.gateway = Gateway(self.run_dir, self.urls, host=self.host)
        if not self.gateway.running:
            self.gateway.start()
        return self.gateway

    def stop_gateway(self) -> None:
        """Stop the gateway; clients go straight to the services again."""
        if self.gateway:
            self.gateway.stop()
        self.gateway = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
