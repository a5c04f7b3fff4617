"""A stack's databases: one per service (SQLite or PostgreSQL), migrated, reset, with admins."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from stacks.launcher.base import MANAGE_PY, StackBase, StackError
from stacks.routes import ServiceSpec

# Run by `manage.py shell -c` in a service's environment (the values come from it, unquoted).
_CREATE_ADMIN = (
    "import os; from django.contrib.auth import get_user_model; "
    "user, _ = get_user_model().objects.get_or_create(username=os.environ['BLOG_ADMIN_USERNAME']); "
    "user.is_staff = user.is_superuser = True; "
    "user.set_password(os.environ['BLOG_ADMIN_PASSWORD']); user.save()"
)


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


class DatabasesMixin(StackBase):
    """Each service's own database: created (PostgreSQL) and migrated at start, reset on
    demand, and its Django admin's superuser."""

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
