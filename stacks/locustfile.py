"""Drive either stack by hand with Locust, through the public contract and the route table.

    .venv/bin/python manage.py launch both          # monolith on :8000, micro on :8001-8006
    locust -f stacks/locustfile.py --host http://127.0.0.1:8000                  # the monolith
    locust -f stacks/locustfile.py --host http://127.0.0.1:8000 --stack micro    # micro
    locust -f stacks/locustfile.py --host http://127.0.0.1:8000 --stack micro --read-strategy naive

--host is the launcher's port base (the monolith's URL): micro's services are found at the
ports the route table gives them (posts +1, comments +2, query +4, aggregator +6), so post
creation goes to posts, comments to comments and the list to query (or to the aggregator,
or to posts + comments for the naive client). BLOG_URLS="posts=http://...,comments=..."
overrides any of them (e.g. behind a gateway: every one the gateway's URL). BLOG_STACK and
BLOG_READ_STRATEGY set the defaults of --stack and --read-strategy. `manage.py compare` is
the benchmark; this is for watching a stack under a load you change while it runs.
"""

from __future__ import annotations

import os
import random
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `stacks` without install
from stacks.routes import PUBLIC_ROUTES, READ_STRATEGIES, STACK_SERVICES

REQUEST_ID_HEADER = "X-Request-ID"


@events.init_command_line_parser.add_listener
def _add_options(parser) -> None:
    parser.add_argument(
        "--stack",
        choices=list(STACK_SERVICES),
        default=os.environ.get("BLOG_STACK", "monolith"),
        help="Which stack --host belongs to (its route table is used).",
    )
    parser.add_argument(
        "--read-strategy",
        choices=list(READ_STRATEGIES),
        default=os.environ.get("BLOG_READ_STRATEGY", "query"),
        help="How micro's post list is read: query, aggregator or naive.",
    )
    parser.add_argument("--list-limit", type=int, default=50, help="Posts per list read.")


def service_urls(host: str, stack: str, overrides: str = "") -> dict[str, str]:
    """Each service's base URL: --host plus the service's port offset, then BLOG_URLS."""
    parts = urlsplit(host.rstrip("/"))
    urls = {
        spec.name: urlunsplit(
            parts._replace(netloc=f"{parts.hostname}:{parts.port + spec.port_offset}")
        )
        if parts.port
        else host.rstrip("/")
        for spec in STACK_SERVICES[stack]
    }
    for pair in filter(None, overrides.split(",")):
        name, _, url = pair.partition("=")
        urls[name.strip()] = url.strip().rstrip("/")
    return urls


class BlogReader(HttpUser):
    """Reads the post list most of the time, adds a comment now and then, rarely posts."""

    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.stack = options.stack
        self.strategy = options.read_strategy
        self.limit = options.list_limit
        self.urls = service_urls(self.host, self.stack, os.environ.get("BLOG_URLS", ""))
        self.post_ids: list[int] = []
        self.create_post()

    def url(self, operation: str, path: str) -> str:
        return self.urls[PUBLIC_ROUTES[operation][self.stack]] + path

    def _headers(self) -> dict[str, str]:
        return {REQUEST_ID_HEADER: f"locust-{uuid.uuid4().hex[:16]}"}

    @task(1)
    def create_post(self) -> None:
        with self.client.post(
            self.url("post_create", "/api/posts/"),
            json={"title": "Locust"},
            headers=self._headers(),
            name="create post",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.post_ids.append(response.json()["id"])
            else:
                response.failure(f"create post answered {response.status_code}")

    @task(3)
    def add_comment(self) -> None:
        if not self.post_ids:
            return
        post_id = random.choice(self.post_ids)
        path = f"/api/posts/{post_id}/comments/"
        self.client.post(
            self.url("comment_create", path),
            json={"content": "Locust was here"},
            headers=self._headers(),
            name="add comment",
        )

    @task(6)
    def list_posts(self) -> None:
        if self.stack == "monolith" or self.strategy == "query":
            self.client.get(
                self.url("post_list", f"/api/posts/?limit={self.limit}"),
                headers=self._headers(),
                name="list",
            )
        elif self.strategy == "aggregator":
            self.client.get(
                f"{self.urls['aggregator']}/api/posts/?limit={self.limit}",
                headers=self._headers(),
                name="list via aggregator",
            )
        else:
            self._list_naively()

    def _list_naively(self) -> None:
        """What a client without a read model does: posts once, then comments per post."""
        headers = self._headers()
        response = self.client.get(
            f"{self.urls['posts']}/api/posts/?limit={self.limit}",
            headers=headers,
            name="naive: posts",
        )
        if response.status_code != 200:
            return
        for post in response.json():
            self.client.get(
                f"{self.urls['comments']}/api/posts/{post['id']}/comments/",
                headers=headers,
                name="naive: comments of one post",
            )
