"""Events between micro services: outbox, idempotent inbox, dead letters, Celery wiring."""
