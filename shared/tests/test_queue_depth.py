"""/metrics shows how many messages wait on the service's own queue (blog_queue_depth)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from shared.instrumentation.metrics import exposition


def queue_depths(text: bytes) -> dict[str, float]:
    return {
        sample.labels["queue"]: sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
        if sample.name == "blog_queue_depth"
    }


def test_the_depth_of_the_services_own_queue_is_read_from_the_broker(broker, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = "query"
    broker.rpush("query", b"one", b"two", b"three")
    broker.rpush("comments", b"not ours")

    assert queue_depths(exposition()) == {"query": 3}


def test_a_broker_that_does_not_answer_leaves_the_gauge_out(settings):
    from stacks.redis_server import free_port

    settings.CELERY_TASK_DEFAULT_QUEUE = "query"
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port('127.0.0.1')}/0"

    assert queue_depths(exposition()) == {}


def test_a_service_without_a_queue_has_no_gauge(broker, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = "celery"
    broker.rpush("celery", b"x")

    assert queue_depths(exposition()) == {}
