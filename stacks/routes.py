"""The route table: which service answers each public operation, in each stack.

The launcher, the client, the demo and the tests read it; the gateway and the
Kubernetes ingress must agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    """One deployable: its settings, whether it owns a database and runs a worker."""

    name: str
    settings: str
    wsgi: str
    port_offset: int
    has_database: bool
    has_worker: bool

    @property
    def celery_app(self) -> str:
        return self.settings.removesuffix(".settings")


MONOLITH = ServiceSpec("monolith", "monolith.settings", "monolith.wsgi:application", 0, True, False)
MICRO_SERVICES: tuple[ServiceSpec, ...] = tuple(
    ServiceSpec(name, f"micro.{name}.settings", f"micro.{name}.wsgi:application", offset, db, wk)
    for name, offset, db, wk in [
        ("posts", 1, True, True),
        ("comments", 2, True, True),
        ("moderation", 3, False, True),
        ("query", 4, True, True),
        ("eventbus", 5, True, True),
        ("aggregator", 6, False, False),
    ]
)
STACK_SERVICES: dict[str, tuple[ServiceSpec, ...]] = {
    "monolith": (MONOLITH,),
    "micro": MICRO_SERVICES,
}

# Public operation -> the service that answers it, per stack.
PUBLIC_ROUTES: dict[str, dict[str, str]] = {
    "post_create": {"monolith": "monolith", "micro": "posts"},
    "post_list": {"monolith": "monolith", "micro": "query"},
    "post_get": {"monolith": "monolith", "micro": "query"},
    "comment_create": {"monolith": "monolith", "micro": "comments"},
    "comment_list": {"monolith": "monolith", "micro": "comments"},
}

# Service -> the services it calls over HTTP (each one's <NAME>_URL setting): the sync
# aggregator's reads, comments' check that a post exists, the catch-up reads of the event
# store. The NetworkPolicy set (stacks/network_policy.py) allows exactly these calls.
INTERNAL_CALLS: dict[str, tuple[str, ...]] = {
    "aggregator": ("posts", "comments"),
    "comments": ("eventbus", "posts"),
    "posts": ("eventbus",),
    "query": ("eventbus",),
}

# How a client can read the post list with comments from the micro stack.
READ_STRATEGIES = {
    "query": "one request to the query service's read model (async, event-fed)",
    "aggregator": "one request to the aggregator, which makes 1 + N internal HTTP calls (sync)",
    "naive": "the client itself asks posts once and comments once per post (1 + N requests)",
}


def service_env_urls(urls: dict[str, str]) -> dict[str, str]:
    """The environment variables that tell each micro service where the others are."""
    return {f"{name.upper()}_URL": url for name, url in urls.items()}
