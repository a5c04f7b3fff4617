"""gunicorn's gthread worker (the launcher's and the image's), asleep while it has no
connection, and keeping a busy kept-alive connection on its pool thread.

**Asleep while idle.** gthread's main loop wakes every second whatever happens: it tells the
arbiter it is alive (a utime of its heartbeat file), looks whether its parent is alive and
closes expired kept-alive connections. Twelve web processes doing that were a fifth of
micro's CPU at rest (docs/cost.md). While the worker has no connection open, nothing can
expire, so it waits IDLE_TICK_SECONDS instead (well within gunicorn's --timeout of 30 s,
after which the arbiter takes a silent worker for hung); a new connection wakes it at once
(its listening socket is in the same selector), and with any connection open it ticks every
second as gthread does. A stop signal (SIGTERM) wakes it too, through gthread's own wake-up
pipe, so a graceful stop is as quick as before.

**The next request on the same thread.** gthread hands every request of a kept-alive
connection from its poller (the main thread) to a pool thread and back: the main thread
unregisters the socket, submits it to the pool, and when the answer is written the pool
thread queues a callback that wakes the main thread, which registers the socket again and
goes back to its poll. That round trip was about half of the GIL's time serving query's list
to one client (docs/speed.md, sixth pass). Here the pool thread, once it has answered, waits
up to LINGER_SECONDS for the connection's next request and serves it itself, but only while
another pool thread is idle to take any other connection's request (so no connection waits
behind one that lingers) and while the worker is not stopping. When the wait runs out, or
the pool is busy, the connection goes back to the poller exactly as in gthread: kept-alive
timeouts, graceful stop and the request limits are gthread's own.
"""

from __future__ import annotations

import select
import threading

from gunicorn.workers import gthread

IDLE_TICK_SECONDS = 5.0
GTHREAD_TICK_SECONDS = 1.0  # what gthread's main loop asks for (gunicorn 27)
# How long a pool thread waits for a kept-alive connection's next request before it hands
# the connection back to the poller. A client sending its requests back to back answers
# well within it; a connection idle longer costs gthread's round trip, as before.
LINGER_SECONDS = 0.002
_LINGER_MS = max(1, round(LINGER_SECONDS * 1000))


class IdleThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._busy = 0  # pool threads inside handle()
        self._busy_lock = threading.Lock()
        self._threads = self.cfg.threads

    def wait_for_and_dispatch_events(self, timeout):
        if timeout == GTHREAD_TICK_SECONDS and self.alive and not self.nr_conns:
            timeout = IDLE_TICK_SECONDS
        super().wait_for_and_dispatch_events(timeout)

    def handle_exit(self, sig, frame) -> None:
        super().handle_exit(sig, frame)
        # Wake the selector (a byte on gthread's pipe; SimpleQueue.put is reentrant).
        self.method_queue.defer(_nothing)

    def handle(self, conn):
        """gthread's handle, again for each request that follows within LINGER_SECONDS."""
        with self._busy_lock:
            self._busy += 1
        try:
            while True:
                result = super().handle(conn)
                if result is not True or not self._may_linger():
                    return result
                if not conn.parser.unreader.buf.getvalue() and not _readable(conn, _LINGER_MS):
                    return result
        finally:
            with self._busy_lock:
                self._busy -= 1

    def _may_linger(self) -> bool:
        """Keep the connection on this thread only while another pool thread is free."""
        return self.alive and self._busy < self._threads


def _readable(conn, timeout_ms: int) -> bool:
    """True when the connection's socket has bytes (a request, or the client's close)."""
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    return bool(poller.poll(timeout_ms))


def _nothing() -> None:
    pass
