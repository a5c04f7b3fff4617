"""The route table: which service answers each public operation, in each stack.

The launcher, the client, the demo and the tests read it; the gateway and the
Kubernetes ingress must agree with it. The deployables themselves (settings, database,
worker, queue, event task) are the table in shared/deployables.py; here, as the workbench
runs them (port offsets), in each stack.
"""

from __future__ import annotations

import dataclasses

from shared import deployables


@dataclasses.dataclass(frozen=True)
class ServiceSpec(deployables.Deployable):
    """One deployable (its row of shared.deployables) as the workbench runs it: its web
    process on the launcher's base port + port_offset."""

    port_offset: int = 0


def _spec(row: deployables.Deployable) -> ServiceSpec:
    """A deployable's port offset is its place in the deployables table (monolith 0, posts 1...)."""
    offset = list(deployables.DEPLOYABLES).index(row.name)
    return ServiceSpec(**dataclasses.asdict(row), port_offset=offset)


MONOLITH = _spec(deployables.MONOLITH)
MICRO_SERVICES: tuple[ServiceSpec, ...] = tuple(_spec(row) for row in deployables.MICRO_SERVICES)
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
