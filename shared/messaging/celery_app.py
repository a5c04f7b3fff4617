"""The Celery app of each micro service, as in Celery's own Django example, plus worker hooks."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from celery import Celery, signals

import shared.instrumentation.celery_signals  # noqa: F401 - connects the per-task hooks

logger = logging.getLogger(__name__)


def make_celery_app(service: str) -> Celery:
    """The Celery app of one deployable; settings come from Django with namespace CELERY."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"micro.{service}.settings")
    app = Celery(service)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    return app


@signals.worker_ready.connect
def _announce_ready(sender=None, **kwargs) -> None:
    """Touch BLOG_READY_FILE so the launcher knows the worker consumes its queue, and
    start the outbox relay loop in services that own an outbox."""
    ready_file = os.environ.get("BLOG_READY_FILE")
    if ready_file:
        Path(ready_file).parent.mkdir(parents=True, exist_ok=True)
        Path(ready_file).write_text(str(os.getpid()))
    from django.conf import settings

    if getattr(settings, "OUTBOX_RELAY_INTERVAL_MS", 0) > 0:
        threading.Thread(target=_relay_loop, name="outbox-relay", daemon=True).start()


@signals.worker_shutting_down.connect
def _announce_stopping(**kwargs) -> None:
    ready_file = os.environ.get("BLOG_READY_FILE")
    if ready_file:
        Path(ready_file).unlink(missing_ok=True)


_stop_relay = threading.Event()


def _relay_loop() -> None:
    """Send what the outbox still holds (events whose relay after commit failed)."""
    from django.conf import settings
    from django.db import DatabaseError, close_old_connections

    from shared.messaging.publish import relay_outbox

    interval = settings.OUTBOX_RELAY_INTERVAL_MS / 1000
    while not _stop_relay.wait(interval):
        try:
            close_old_connections()
            relay_outbox()
        except DatabaseError as error:
            logger.warning("outbox relay: database unavailable (%s)", error)
        except Exception:
            logger.exception("outbox relay failed; will try again")
