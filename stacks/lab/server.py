"""Serve the lab from inside the launcher process: waitress in a daemon thread, 127.0.0.1 only."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.core.handlers.wsgi import WSGIHandler
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server
from whitenoise import WhiteNoise

from stacks.lab import registry

LAB_URLCONF = "stacks.lab.urls"
STATIC_DIR = Path(__file__).parent / "static"
# Enough threads that live polling goes on while one request waits for a process to start.
THREADS = 8


class LabHandler(WSGIHandler):
    """Django with the lab's URLconf instead of the settings' ROOT_URLCONF (the launcher runs
    with the monolith's settings; the lab's pages are not the monolith's)."""

    def get_response(self, request):
        request.urlconf = LAB_URLCONF
        request.needs_browser_middleware = True  # its page uses CSRF (BrowserOnlyMiddleware)
        return super().get_response(request)


def lab_application():
    """The lab's WSGI app: its static files (lab.js, lab.css) first, then Django."""
    application = WhiteNoise(LabHandler(), autorefresh=False)
    application.add_files(str(STATIC_DIR), prefix="static/")
    return application


def port_is_free(port: int, *, host: str = "127.0.0.1") -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class LabServer:
    """The lab page on http://127.0.0.1:<port>/ until stopped (or the process exits)."""

    def __init__(self, *, port: int | None = None, host: str = "127.0.0.1"):
        self.host = host
        # Port 0 (or a port that is taken) lets the system choose a free one at start.
        self.port = port if port and port_is_free(port, host=host) else 0
        self.server: BaseWSGIServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> LabServer:
        server = create_server(
            lab_application(), host=self.host, port=self.port, threads=THREADS, ident="lab"
        )
        assert isinstance(server, BaseWSGIServer)  # one host and port: one server, no multi
        self.server = server
        # Set by BaseWSGIServer.__init__ (from getsockname()); types-waitress leaves it out.
        self.port = server.effective_port  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=server.run, name="lab-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is None:
            return
        server = self.server

        def close_everything() -> None:
            # In the server's own loop thread: closing its sockets from another thread while
            # it waits in select() fails with EBADF. An empty socket map ends the loop.
            # _map: wasyncore.dispatcher's socket map, which types-waitress leaves out.
            wasyncore.close_all(server._map, ignore_all=True)  # type: ignore[attr-defined]

        # trigger: a waitress.trigger.trigger, which types-waitress declares as an int.
        server.trigger.pull_trigger(close_everything)  # type: ignore[attr-defined]
        assert self.thread is not None  # started with the server
        self.thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)
        self.server = None


def serve(stacks: list, *, port: int | None = None) -> LabServer:
    """Attach stacks and start the lab in this process. Django is set up with the monolith's
    settings (those the launcher runs with) unless this process has set it up already."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monolith.settings")
    django.setup()
    registry.attach(stacks)
    return LabServer(port=port).start()
