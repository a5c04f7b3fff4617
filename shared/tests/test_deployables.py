"""The deployables table (shared/deployables.py): it agrees with the events' subscriptions and
producers, every service's Celery app registers its event task and names the table's settings,
and the routes, the settings and the workbench's specs derive from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from shared import deployables
from shared.deployables import DEPLOYABLES, MICRO_SERVICES, event_task, queue, queue_services
from shared.events import PRODUCERS, SUBSCRIPTIONS
from stacks import routes

PROJECT_DIR = Path(__file__).resolve().parents[2]
WITH_CELERY = [row.name for row in MICRO_SERVICES if row.has_worker]
# Run in a process of its own (one Django settings module per process): import the service's
# package (its celery.py says which settings), then report the app and those settings.
PROBE = """
import importlib, json, os, sys
app = importlib.import_module(f"micro.{sys.argv[1]}.celery").app
import django
django.setup()
from django.conf import settings
app.loader.import_default_modules()
print(json.dumps({
    "settings_module": os.environ["DJANGO_SETTINGS_MODULE"],
    "app": app.main,
    "tasks": sorted(name for name in app.tasks if not name.startswith("celery.")),
    "service_name": settings.SERVICE_NAME,
    "default_queue": settings.CELERY_TASK_DEFAULT_QUEUE,
    "signs": hasattr(settings, "EVENT_SIGNING_KEY"),
    "verifies": hasattr(settings, "EVENT_VERIFY_KEYS"),
    "database": settings.DATABASES["default"]["ENGINE"],
    "routes": settings.CELERY_TASK_ROUTES,
}))
"""


@pytest.fixture(scope="module")
def probed() -> dict[str, dict]:
    """What each service with a worker reports about its Celery app and settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "BLOG_", "EVENT_", "DATABASE_URL"))
    }
    env["BLOG_VAR_DIR"] = str(PROJECT_DIR / "var")
    reports = {}
    for service in WITH_CELERY:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, service],
            env=env,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        reports[service] = json.loads(result.stdout.strip().splitlines()[-1])
    return reports


def test_the_subscribers_and_producers_are_those_of_the_events():
    assert set(deployables.subscribers()) == {s for names in SUBSCRIPTIONS.values() for s in names}
    assert set(deployables.producers()) == set(PRODUCERS.values())
    for row in DEPLOYABLES.values():
        assert set(row.subscriptions) == {
            t for t, names in SUBSCRIPTIONS.items() if row.name in names
        }
        assert set(row.produces) == {t for t, producer in PRODUCERS.items() if producer == row.name}


def test_every_subscriber_and_producer_has_a_queue_and_only_micro_services_have_one():
    assert set(deployables.subscribers()) | set(deployables.producers()) <= set(queue_services())
    assert deployables.EVENTBUS in queue_services()
    assert DEPLOYABLES["monolith"].queue is None
    assert [row.name for row in MICRO_SERVICES if row.queue is None] == ["aggregator"]


def test_the_event_tasks_are_handle_event_for_subscribers_and_publish_for_the_event_bus():
    tasks = {row.name: row.event_task for row in DEPLOYABLES.values()}
    assert tasks == {
        "monolith": None,
        "posts": None,
        "comments": "comments.handle_event",
        "moderation": "moderation.handle_event",
        "query": "query.handle_event",
        "eventbus": "eventbus.publish",
        "aggregator": None,
    }
    with pytest.raises(LookupError):
        event_task("posts")
    with pytest.raises(LookupError):
        queue("aggregator")


def test_celery_routes_each_event_task_to_its_services_queue():
    assert deployables.task_routes() == settings.CELERY_TASK_ROUTES
    app = Celery("routes", set_as_current=False)
    app.conf.task_routes = settings.CELERY_TASK_ROUTES
    for row in MICRO_SERVICES:
        if row.event_task:
            assert app.amqp.router.route({}, row.event_task)["queue"].name == row.queue


@pytest.mark.parametrize("service", WITH_CELERY)
def test_each_celery_app_names_its_tables_settings_and_registers_its_event_task(probed, service):
    row, report = DEPLOYABLES[service], probed[service]
    assert report["settings_module"] == row.settings
    assert report["app"] == service
    if row.event_task:
        assert row.event_task in report["tasks"]
    # Every task the app registers is routed to its own queue by its name.
    assert all(task.startswith(f"{service}.") for task in report["tasks"]), report["tasks"]
    assert report["routes"] == deployables.task_routes()


@pytest.mark.parametrize("service", WITH_CELERY)
def test_each_services_common_settings_follow_its_row(probed, service):
    row, report = DEPLOYABLES[service], probed[service]
    assert report["service_name"] == service
    assert report["default_queue"] == row.queue
    assert report["signs"] == bool(row.produces)
    assert report["verifies"] is True
    # No DATABASES: Django's dummy backend, which refuses every query.
    assert (report["database"] != "django.db.backends.dummy") == row.has_database


def test_the_workbench_specs_are_the_table_in_its_order():
    specs = (routes.MONOLITH, *routes.MICRO_SERVICES)
    assert [spec.name for spec in specs] == list(DEPLOYABLES)
    for offset, spec in enumerate(specs):
        row = DEPLOYABLES[spec.name]
        assert (spec.settings, spec.wsgi, spec.has_database, spec.has_worker) == (
            row.settings,
            row.wsgi,
            row.has_database,
            row.has_worker,
        )
        assert spec.port_offset == offset
    assert routes.STACK_SERVICES == {"monolith": (routes.MONOLITH,), "micro": routes.MICRO_SERVICES}


def test_the_route_and_call_tables_name_only_deployables():
    for operation, by_stack in routes.PUBLIC_ROUTES.items():
        for stack, service in by_stack.items():
            assert service in {spec.name for spec in routes.STACK_SERVICES[stack]}, operation
    named = {
        name for client, servers in routes.INTERNAL_CALLS.items() for name in (client, *servers)
    }
    assert named <= {row.name for row in MICRO_SERVICES}
