"""Start a whole stack (monolith or micro) on loopback, drive its processes, stop it all.

Importable, so that tests and the benchmark can start a stack, stop, kill, pause and
restart one service or worker, and wait until everything is healthy again.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from shared.deployables import queue
from shared.events import Event
from shared.signing import (
    SIGNERS,
    SIGNING_KEY_ENV,
    VERIFY_KEYS_ENV,
    format_verify_keys,
    new_signing_key,
    public_key_of,
    signed_as_producer,
)
from stacks.gateway import Gateway
from stacks.processes import ManagedProcess, stop_all, wait_until
from stacks.redis_server import PrivateRedis, free_port, write_private
from stacks.routes import STACK_SERVICES, ServiceSpec, service_env_urls

PROJECT_DIR = Path(__file__).resolve().parent.parent
MANAGE_PY = PROJECT_DIR / "manage.py"
# Where a launch writes its internal token (for the lab, compare and anyone attaching).
INTERNAL_TOKEN_FILE = "internal_token"
# Where a launch with its own Redis writes that Redis's admin URL (password included).
REDIS_ADMIN_URL_FILE = "redis_admin_url"


# Each web service: two gunicorn processes of four threads (eight requests at once, as one
# process of eight threads served before), unless BLOG_WEB_WORKERS and BLOG_WEB_THREADS
# say otherwise. One process is one GIL: in `compare` query's list at 8 clients served
# 445-474 req/s from two processes against 241 from one, for 42% more memory (2-core
# machine; docs/speed.md).
WEB_WORKERS = int(os.environ.get("BLOG_WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("BLOG_WEB_THREADS", "4"))


def gunicorn_command(
    wsgi: str, *, bind: str, workers: int = WEB_WORKERS, threads: int = WEB_THREADS
) -> list[str]:
    """The one way a web process is served: every service, and the benchmark's WSGI floor."""
    return [
        sys.executable, "-m", "gunicorn", wsgi,
        "--bind", bind,
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
        "--graceful-timeout", "5", "--timeout", "30", "--no-control-socket",
        "--chdir", str(PROJECT_DIR),
        "--config", "python:shared.gunicorn_conf",
    ]  # fmt: skip


# Run by `manage.py shell -c` in a service's environment (the values come from it, unquoted).
_CREATE_ADMIN = (
    "import os; from django.contrib.auth import get_user_model; "
    "user, _ = get_user_model().objects.get_or_create(username=os.environ['BLOG_ADMIN_USERNAME']); "
    "user.is_staff = user.is_superuser = True; "
    "user.set_password(os.environ['BLOG_ADMIN_PASSWORD']); user.save()"
)


class StackError(RuntimeError):
    """A stack could not be started, or did not become healthy in time."""


def per_service_database_url(base_url: str | None, *, service: str, run_dir: Path) -> str:
    """SQLite file per service by default; with a PostgreSQL URL, database `<name>_<service>`."""
    if not base_url:
        return f"sqlite:///{run_dir / (service + '.sqlite3')}"
    parts = urlsplit(base_url)
    base_name = parts.path.lstrip("/") or "blog"
    return urlunsplit(parts._replace(path=f"/{base_name}_{service}"))


def ensure_postgres_database(url: str, *, fresh: bool) -> None:
    """Create the database a URL names (dropping it first when fresh)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def set_postgres_connections(url: str, *, allowed: bool) -> None:
    """Allow or refuse connections to one database; refusing also ends the open ones."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


class Stack:
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
        web_threads: int = WEB_THREADS,
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
        self.web_threads = web_threads
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

    @property
    def trace_dir(self) -> Path:
        return self.run_dir / "traces"

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
    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports[service]}"

    @property
    def urls(self) -> dict[str, str]:
        return {spec.name: self.url(spec.name) for spec in self.services}

    @property
    def public_urls(self) -> dict[str, str]:
        """Where a client sends each operation: the gateway's one base URL when there is one."""
        if self.gateway:
            return {name: self.gateway.url for name in self.urls}
        return self.urls

    @property
    def internal_token(self) -> str:
        """The token the stack's internal endpoints and /metrics want: INTERNAL_TOKEN when
        given, else one made fresh for this launch (written to <run dir>/internal_token)."""
        return (
            self.extra_env.get("INTERNAL_TOKEN")
            or os.environ.get("INTERNAL_TOKEN")
            or self._launch_token
        )

    @property
    def internal_token_file(self) -> Path:
        return self.run_dir / INTERNAL_TOKEN_FILE

    def _write_internal_token(self) -> None:
        """Write the token where the tools that attach to this launch find it (owner only)."""
        write_private(self.internal_token_file, self.internal_token + "\n")

    @property
    def redis_admin_url_file(self) -> Path:
        return self.run_dir / REDIS_ADMIN_URL_FILE

    def service_redis_url(self, spec: ServiceSpec) -> str | None:
        """The REDIS_URL one service runs with: on the private Redis its own ACL user (none for
        a service without a queue: it uses no Redis), else the Redis given, as it is."""
        if self.redis:
            return self.redis.user_url(spec.name) if spec.name in self.redis.users else None
        return self.redis_url

    def internal_headers(self) -> dict[str, str]:
        """What a call to an internal endpoint sends (shared.api.permissions.HasInternalToken)."""
        from shared.api.permissions import INTERNAL_TOKEN_HEADER

        return {INTERNAL_TOKEN_HEADER: self.internal_token}

    def event_page(self, *, after: int, limit: int, timeout: float = 10.0) -> requests.Response:
        """One page of micro's event store: GET /internal/events/ on the eventbus."""
        return requests.get(
            f"{self.url('eventbus')}/internal/events/",
            params={"after": after, "limit": limit},
            headers=self.internal_headers(),
            timeout=timeout,
        )

    def metrics_headers(self) -> dict[str, str]:
        """What a scrape of /metrics sends (shared.instrumentation.metrics.scrape_allowed)."""
        return {"Authorization": f"Bearer {self.internal_token}"}

    @property
    def event_verify_keys(self) -> dict[str, str]:
        return {service: public_key_of(key) for service, key in self.event_signing_keys.items()}

    def sign_event(self, message: dict) -> dict:
        """An event message from its producer, signed as that producer signs in this launch
        (for tests and faults that put real events straight onto a queue)."""
        event = Event.from_message(message)
        return signed_as_producer(event, signing_keys=self.event_signing_keys).as_message()

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

    def migrate(self) -> None:
        """Create (PostgreSQL) and migrate every service's database, in parallel."""
        running = []
        for spec in self.services:
            if not spec.has_database:
                continue
            if self.database_url:
                ensure_postgres_database(self.service_env(spec)["DATABASE_URL"], fresh=self.fresh)
            elif self.fresh:
                database_file = self.service_env(spec)["DATABASE_URL"].removeprefix("sqlite:///")
                for suffix in ("", "-wal", "-shm"):  # a stale write-ahead log is data too
                    Path(database_file + suffix).unlink(missing_ok=True)
            running.append((spec, self._manage_popen(spec, ["migrate", "--noinput", "-v0"])))
        for spec, popen in running:
            output, _ = popen.communicate(timeout=120)
            if popen.returncode != 0:
                raise StackError(f"migrating {spec.name} failed:\n{output}")

    def reset_database(self, service: str) -> None:
        """Give one service a brand-new empty database (its processes should be stopped)."""
        spec = self.spec(service)
        url = self.service_env(spec)["DATABASE_URL"]
        if self.database_url:
            ensure_postgres_database(url, fresh=True)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        self.manage(service, "migrate", "--noinput", "-v0")

    def _manage_popen(self, spec: ServiceSpec, args: list[str], env=None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(MANAGE_PY), *args],
            env={**self.service_env(spec), **(env or {})},
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def manage(self, service: str, *args: str, env: dict[str, str] | None = None) -> str:
        """Run a management command in one service's environment; returns its output."""
        popen = self._manage_popen(self.spec(service), list(args), env)
        output, _ = popen.communicate(timeout=300)
        if popen.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} on {service} failed:\n{output}")
        return output

    # -- admin users --------------------------------------------------------------
    def admin_services(self) -> list[ServiceSpec]:
        """The services with a Django admin: those with a database of their own."""
        return [spec for spec in self.services if spec.has_database]

    def admin_hints(self) -> list[str]:
        """One shell line per admin service that creates its superuser when pasted: this
        Python (the venv's), this manage.py, and the database this stack runs on."""
        database = {spec.name: self.service_env(spec)["DATABASE_URL"] for spec in self.services}
        return [
            f"DATABASE_URL={shlex.quote(database[spec.name])} {shlex.quote(sys.executable)} "
            f"{shlex.quote(str(MANAGE_PY))} createsuperuser --settings={spec.settings}"
            for spec in self.admin_services()
        ]

    def create_admin(self, username: str, password: str, *, services=None) -> None:
        """Create (or reset the password of) a superuser on every admin service."""
        for spec in services or self.admin_services():
            self.manage(
                spec.name, "shell", "-c", _CREATE_ADMIN,
                env={"BLOG_ADMIN_USERNAME": username, "BLOG_ADMIN_PASSWORD": password},
            )  # fmt: skip

    def spec(self, service: str) -> ServiceSpec:
        for spec in self.services:
            if spec.name == service:
                return spec
        raise StackError(f"{self.kind} has no service {service!r}")

    def _build_processes(self) -> None:
        logs = self.run_dir / "logs"
        for spec in self.services:
            self.processes[f"{spec.name}-web"] = ManagedProcess(
                name=f"{spec.name}-web",
                command=self._web_command(spec),
                env=self.service_env(spec),
                log_path=logs / f"{spec.name}-web.log",
            )
            if spec.has_worker:
                name = f"{spec.name}-worker"
                self.processes[name] = self._worker_process(spec, name)

    def _worker_process(
        self,
        spec: ServiceSpec,
        name: str,
        *,
        hostname: str | None = None,
        env: dict[str, str] | None = None,
    ) -> ManagedProcess:
        command = self._worker_command(spec)
        if hostname:
            command[command.index("--hostname") + 1] = hostname
        return ManagedProcess(
            name=name,
            command=command,
            env={
                **self.service_env(spec),
                "BLOG_READY_FILE": str(self._ready_file(name)),
                **(env or {}),
            },
            log_path=self.run_dir / "logs" / f"{name}.log",
        )

    def _web_command(self, spec: ServiceSpec) -> list[str]:
        return gunicorn_command(
            spec.wsgi, bind=f"{self.host}:{self.ports[spec.name]}", threads=self.web_threads
        )

    def _worker_command(self, spec: ServiceSpec) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", spec.celery_app, "worker",
            "--queues", queue(spec.name), "--hostname", f"{spec.name}@%h-{os.getpid()}",
            "--pool", "solo", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    def _ready_file(self, process_name: str) -> Path:
        return self.run_dir / "ready" / process_name

    def stop(self) -> None:
        """Stop the gateway, then every process this stack started (all at once: SIGTERM to
        each, then wait for each), then its private Redis."""
        if self.gateway:
            self.gateway.stop()
        stop_all(list(self.processes.values()))
        if self.redis:
            self.redis.stop()

    # -- more workers, the gateway ---------------------------------------------------------
    def add_worker(
        self, service: str, *, env: dict[str, str] | None = None, start: bool = True
    ) -> str:
        """One more Celery worker for a service: another consumer of its queue, with the
        launcher's command and environment (plus `env`) and its own hostname. Returns its
        process name, `<service>-worker-<n>` (n from 2). It stops with the stack, or before
        with remove_worker. With start=False, start it (and others) with start_processes."""
        spec = self.spec(service)
        if not spec.has_worker:
            raise StackError(f"{service} runs no worker")
        number = 2
        while f"{service}-worker-{number}" in self.processes:
            number += 1
        name = f"{service}-worker-{number}"
        self._ready_file(name).unlink(missing_ok=True)
        self.processes[name] = self._worker_process(
            spec, name, hostname=f"{service}{number}@%h", env=env
        )
        if start:
            self.start_processes([name])
        return name

    def remove_worker(self, name: str) -> None:
        """Stop a worker that add_worker started and forget it."""
        if name not in self.processes or not re.fullmatch(r"[a-z]+-worker-\d+", name):
            raise StackError(f"{name!r} is not a worker added by add_worker")
        self.processes.pop(name).stop()
        self._ready_file(name).unlink(missing_ok=True)
        self.stopped_on_purpose.discard(name)

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

    # -- one process at a time (fault injection) -----------------------------------------
    def process(self, name: str) -> ManagedProcess:
        if name == "redis" and self.redis:
            return self.redis.process
        try:
            return self.processes[name]
        except KeyError:
            known = ", ".join([*self.processes, *(["redis"] if self.redis else [])])
            raise StackError(f"no process {name!r}; known: {known}") from None

    def stop_process(self, name: str) -> None:
        self.stopped_on_purpose.add(name)
        self.process(name).stop()
        self._ready_file(name).unlink(missing_ok=True)

    def kill_process(self, name: str) -> None:
        self.stopped_on_purpose.add(name)
        self.process(name).kill()
        self._ready_file(name).unlink(missing_ok=True)

    def start_process(self, name: str, *, timeout: float = 60.0) -> None:
        self.start_processes([name], timeout=timeout)

    def start_processes(self, names: list[str], *, timeout: float = 60.0) -> None:
        """Start several (stopped) processes at once, then wait until they answer: Redis its
        ping, the others until the whole stack is healthy."""
        for name in names:
            self._ready_file(name).unlink(missing_ok=True)
            self.stopped_on_purpose.discard(name)
            self.process(name).start()
        if "redis" in names:
            assert self.redis is not None, "only a stack with a Redis has a redis process"
            wait_until(self.redis.ping, timeout=timeout, message="redis did not come back")
        if any(name != "redis" for name in names):
            self.wait_healthy(timeout=timeout)

    def pause_process(self, name: str) -> None:
        """SIGSTOP: the process holds its sockets but answers nothing (a hung service)."""
        self.process(name).pause()

    def resume_process(self, name: str) -> None:
        self.process(name).resume()

    # -- injected faults (study mode only) -----------------------------------------------
    def _fault_file(self, service: str) -> Path:
        return self.run_dir / "faults" / f"{service}.json"

    def inject_fault(self, service: str, *, seconds: float | None = None, **fault) -> None:
        """Make a service slow (delay_ms), failing (fail_status), its database unreachable
        (database_down), its moderation slow (moderation_delay_ms) or its outbox relay die
        once after publishing (relay_crash_after_publish), for a while or until cleared.
        Every process of the service, web and worker, sees it at its next request or task.
        Keys as in shared.study.Fault."""
        self.spec(service)
        unknown = set(fault) - {
            "delay_ms", "fail_status", "database_down", "moderation_delay_ms",
            "relay_crash_after_publish",
        }  # fmt: skip
        if unknown:
            raise StackError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        if seconds is not None:
            fault["until"] = time.time() + seconds
        path = self._fault_file(service)
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps(fault))
        staging.replace(path)  # atomic: a process never reads half a fault

    def clear_fault(self, service: str) -> None:
        self._fault_file(service).unlink(missing_ok=True)

    def clear_faults(self) -> None:
        for spec in self.services:
            self.clear_fault(spec.name)

    def slow_moderation(self, delay_ms: int) -> None:
        """Where moderation runs: in the monolith's request, or in micro's moderation worker."""
        service = "monolith" if self.kind == "monolith" else "moderation"
        self.inject_fault(service, moderation_delay_ms=delay_ms)

    def break_database(self, service: str) -> None:
        """Cut a service off from its database: really, on PostgreSQL (no new connections,
        existing ones terminated); by an injected fault on SQLite, which has no server."""
        url = self.service_env(self.spec(service))["DATABASE_URL"]
        if self.database_url:
            set_postgres_connections(url, allowed=False)
        else:
            self.inject_fault(service, database_down=True)

    def restore_database(self, service: str) -> None:
        url = self.service_env(self.spec(service))["DATABASE_URL"]
        if self.database_url:
            set_postgres_connections(url, allowed=True)
        else:
            self.clear_fault(service)

    # -- health ----------------------------------------------------------------
    def process_ready(self, name: str) -> bool:
        process = self.processes[name]
        if not process.running:
            return False
        if "-worker" in name:  # the launcher's `<service>-worker` or an added one
            return self._ready_file(name).exists()
        try:
            response = requests.get(f"{self.url(name.removesuffix('-web'))}/health/", timeout=1)
        except requests.RequestException:
            return False
        return response.status_code == 200

    def unhealthy(self) -> list[str]:
        return [name for name in self.processes if not self.process_ready(name)]

    def wait_healthy(self, *, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            waiting = [
                name
                for name in self.processes
                if name not in self.stopped_on_purpose and not self.process_ready(name)
            ]
            if not waiting:
                return
            died = [name for name in waiting if not self.processes[name].running]
            if died or time.monotonic() > deadline:
                name = (died or waiting)[0]
                state = "exited" if died else "not healthy in time"
                raise StackError(
                    f"{self.kind}: {name} {state}; log tail:\n{self.processes[name].log_tail()}"
                )
            time.sleep(0.1)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
