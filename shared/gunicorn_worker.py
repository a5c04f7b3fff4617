"""gunicorn's gthread worker, asleep while it has no connection (the launcher's and the image's).

gthread's main loop wakes every second whatever happens: it tells the arbiter it is alive
(a utime of its heartbeat file), looks whether its parent is alive and closes expired
kept-alive connections. Twelve web processes doing that were a fifth of micro's CPU at
rest (docs/cost.md). While the worker has no connection open, nothing can expire, so it
waits IDLE_TICK_SECONDS instead (well within gunicorn's --timeout of 30 s, after which the
arbiter takes a silent worker for hung); a new connection wakes it at once (its listening
socket is in the same selector), and with any connection open it ticks every second as
gthread does. A stop signal (SIGTERM) wakes it too, through gthread's own wake-up pipe, so a
graceful stop is as quick as before.
"""

from __future__ import annotations

from gunicorn.workers import gthread

IDLE_TICK_SECONDS = 5.0
GTHREAD_TICK_SECONDS = 1.0  # what gthread's main loop asks for (gunicorn 27)


class IdleThreadWorker(gthread.ThreadWorker):
    def wait_for_and_dispatch_events(self, timeout):
        if timeout == GTHREAD_TICK_SECONDS and self.alive and not self.nr_conns:
            timeout = IDLE_TICK_SECONDS
        super().wait_for_and_dispatch_events(timeout)

    def handle_exit(self, sig, frame) -> None:
        super().handle_exit(sig, frame)
        # Wake the selector (a byte on gthread's pipe; SimpleQueue.put is reentrant).
        self.method_queue.defer(_nothing)


def _nothing() -> None:
    pass
