"""The posts service consumes no events; its worker only relays the outbox (see celery_app)."""
