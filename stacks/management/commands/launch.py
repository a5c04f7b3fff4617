"""`manage.py launch [monolith|micro|both]`: bring up whole stacks on loopback, and the lab page
that drives them, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stacks.lab import registry
from stacks.lab.server import LabServer
from stacks.launcher import PROJECT_DIR, Stack, StackError
from stacks.routes import PUBLIC_ROUTES

# The lab page listens on the port base + this (8010 by default).
LAB_PORT_OFFSET = 10


def port_base_is_free(base: int, count: int) -> bool:
    import socket

    for port in range(base, base + count):
        with socket.socket() as probe:
            # As a server binds: a port whose last connection is in TIME-WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def parse_admin(value: str | None) -> tuple[str, str] | None:
    """`--admin user:password`, for development only."""
    if not value:
        return None
    from shared.settings.environment import is_production

    if is_production():
        raise CommandError("--admin is for development only; DJANGO_ENV is production")
    username, _, password = value.partition(":")
    if not username or not password:
        raise CommandError("--admin takes user:password (both non-empty)")
    return username, password


def add_connection_arguments(parser) -> None:
    """Where the stacks' Redis and databases are: `launch`, `demo` and `compare`."""
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or None,
        help="Use this Redis (default: REDIS_URL, else a private redis-server on a free port).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL URL; each service gets database <name>_<service> "
        "(default: DATABASE_URL, else one SQLite file per service).",
    )


def add_stack_arguments(parser) -> None:
    """Options shared by `launch` and `demo`."""
    add_connection_arguments(parser)
    parser.add_argument(
        "--moderation-delay-ms",
        type=int,
        default=int(os.environ.get("MODERATION_DELAY_MS", "0")),
        help="Slow moderation down by this many milliseconds (default 0).",
    )


def stack_env(options) -> dict[str, str]:
    return {"MODERATION_DELAY_MS": str(options["moderation_delay_ms"])}


class Command(BaseCommand):
    help = "Launch the monolith, the microservices, or both, on 127.0.0.1 until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument(
            "stack", nargs="?", default="both", choices=["monolith", "micro", "both"]
        )
        parser.add_argument(
            "--port-base",
            type=int,
            default=8000,
            help="monolith on this port, micro services on the next six (default 8000; "
            "0, or ports that are taken, means free ports).",
        )
        parser.add_argument(
            "--run-dir",
            default=str(PROJECT_DIR / "var"),
            help="Where SQLite files, Redis data and logs go (default ./var).",
        )
        parser.add_argument("--fresh", action="store_true", help="Start from empty databases.")
        parser.add_argument(
            "--gateway",
            action="store_true",
            help="Put nginx (the compose/Kubernetes gateway config) in front of micro: "
            "one base URL for every public operation.",
        )
        parser.add_argument(
            "--admin",
            metavar="USER:PASSWORD",
            help="Create this superuser on every service with an admin (development only: "
            "refused with DJANGO_ENV=production).",
        )
        add_stack_arguments(parser)

    def handle(self, *args, **options):
        kinds = ["monolith", "micro"] if options["stack"] == "both" else [options["stack"]]
        admin = parse_admin(options["admin"])
        base = options["port_base"] or None
        if base and not port_base_is_free(base, 7):
            self.stderr.write(f"ports {base}-{base + 6} are taken; using free ports instead")
            base = None
        stacks = [
            Stack(
                kind,
                # Same files as each deployable's default DATABASE_URL (var/<service>.sqlite3),
                # so `manage.py createsuperuser --settings=...` finds them.
                run_dir=Path(options["run_dir"]),
                port_base=base,
                redis_url=options["redis_url"],
                database_url=options["database_url"],
                fresh=options["fresh"],
                env=stack_env(options),
                gateway=options["gateway"],
            )
            for kind in kinds
        ]
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        lab = LabServer(port=base + LAB_PORT_OFFSET if base else None)
        try:
            for stack in stacks:
                self.stdout.write(f"starting {stack.kind} ...")
                stack.start()
                if admin:
                    stack.create_admin(*admin)
                self._print_urls(stack, admin=admin)
            registry.attach(stacks)
            lab.start()
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"lab: {lab.url}  (both blogs side by side)")
            )
            self.stdout.write(self.style.SUCCESS("all healthy; Ctrl-C stops everything"))
            # Ctrl-C from here on just says "stop", even where a shell started this command
            # with SIGINT ignored (a background job).
            signal.signal(signal.SIGINT, lambda *_: stopping.set())
            stopping.wait()
        except KeyboardInterrupt:
            pass
        except StackError as error:
            raise CommandError(str(error)) from error
        finally:
            # A second Ctrl-C must not cut the clean-up short (processes, Redis, the lab).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.stdout.write("stopping ...")
            lab.stop()
            for stack in stacks:
                stack.stop()
            self.stdout.write("stopped")

    def _print_urls(self, stack: Stack, *, admin: tuple[str, str] | None) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"{stack.kind}:"))
        for spec in stack.services:
            url = stack.url(spec.name)
            admin_url = f"  admin {url}/admin/" if spec.has_database else ""
            self.stdout.write(f"  {spec.name:<11} {url}  schema {url}/api/schema/{admin_url}")
        for operation, services in PUBLIC_ROUTES.items():
            self.stdout.write(f"  {operation:<15} -> {stack.url(services[stack.kind])}")
        if stack.gateway:
            self.stdout.write(f"  gateway     {stack.gateway.url}  (every public operation)")
        if stack.redis:
            # Its admin URL carries a password: it is in the file, not on the screen.
            self.stdout.write(
                f"  redis       redis://{stack.redis.host}:{stack.redis.port}/0  admin URL in "
                f"{stack.redis_admin_url_file}; one ACL user per service"
            )
        elif stack.redis_url:
            self.stdout.write(f"  redis       {stack.redis_url}")
        self.stdout.write(f"  logs        {stack.run_dir / 'logs'}")
        self.stdout.write(f"  token       {stack.internal_token_file}  (X-Internal-Token)")
        if admin:
            self.stdout.write(f"  admin login: {admin[0]} (on every service with an admin)")
            return
        self.stdout.write(
            "  admin login: create a superuser (or launch with --admin user:password):"
        )
        for hint in stack.admin_hints():
            self.stdout.write(f"    {hint}")
