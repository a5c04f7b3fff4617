"""Events between micro services: transactional outbox, idempotent inbox, dead letters, Celery wiring."""
