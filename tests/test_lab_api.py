"""The lab page's JSON API, fast: bad input is a 400 naming the field, unknown things are 404s,
writes need the page's CSRF token. The stacks are built but not started (no process needed)."""

from __future__ import annotations

import pytest
import requests

from shared import rules
from stacks.launcher import Stack

pytestmark = pytest.mark.any_database


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from stacks.lab.server import serve

    stacks = [Stack(kind, run_dir=tmp_path_factory.mktemp(kind)) for kind in ("monolith", "micro")]
    server = serve(stacks)
    yield server
    server.stop()


@pytest.fixture
def page(lab) -> requests.Session:
    """A browser-like session: it loaded the page, so it holds the CSRF cookie and token."""
    session = requests.Session()
    response = session.get(lab.url, timeout=5)
    assert response.status_code == 200
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Origin"] = lab.url.rstrip("/")
    return session


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    return body


def test_the_page_has_both_columns_and_the_status_texts(lab):
    html = requests.get(lab.url, timeout=5).text
    assert 'id="col-monolith"' in html and 'id="col-micro"' in html
    assert rules.MSG_COMMENT_PENDING in html and rules.MSG_COMMENT_REJECTED in html
    assert requests.get(f"{lab.url}static/lab/lab.js", timeout=5).status_code == 200


def test_the_page_links_every_services_swagger_ui_and_redoc(lab):
    html = requests.get(lab.url, timeout=5).text
    from stacks.lab import registry

    stacks = registry.current()
    services = [*stacks["monolith"].stack.urls.items(), *stacks["micro"].stack.urls.items()]
    assert len(services) == 7
    for _, url in services:
        assert f'href="{url.rstrip("/")}/api/docs/"' in html
        assert f'href="{url.rstrip("/")}/api/redoc/"' in html


def test_state_lists_each_stack_with_its_read_strategies(lab):
    state = requests.get(f"{lab.url}api/state/", timeout=5).json()
    assert set(state["stacks"]) == {"monolith", "micro"}
    assert state["stacks"]["micro"]["strategies"] == ["query", "aggregator", "naive"]
    assert state["stacks"]["monolith"]["strategies"] == ["query"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("strategy=fastest", "strategy"), ("limit=0", "limit"), ("limit=x", "limit")],
)
def test_a_bad_list_parameter_is_a_400_naming_it(lab, query, field):
    body = _error(requests.get(f"{lab.url}api/micro/posts/?{query}", timeout=5), 400)
    assert list(body["fields"]) == [field]


@pytest.mark.parametrize("payload", [{}, {"ms": -1}, {"ms": "slow"}, {"ms": 60_000}])
def test_a_bad_moderation_delay_is_a_400_naming_ms(page, lab, payload):
    response = page.post(f"{lab.url}api/micro/moderation-delay/", json=payload, timeout=5)
    assert list(_error(response, 400)["fields"]) == ["ms"]


def test_a_post_without_a_title_is_a_400_naming_title(page, lab):
    response = page.post(f"{lab.url}api/monolith/posts/", json={}, timeout=5)
    assert _error(response, 400)["fields"] == {"title": [rules.MSG_REQUIRED]}


def test_a_comment_without_content_is_a_400_naming_content(page, lab):
    response = page.post(f"{lab.url}api/micro/posts/1/comments/", json={"content_": "x"}, timeout=5)
    assert _error(response, 400)["fields"] == {"content": [rules.MSG_REQUIRED]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "api/micro/processes/nginx/stop/"),
        ("post", "api/micro/processes/monolith-web/start/"),
        ("post", "api/cloud/posts/"),
        ("get", "api/cloud/posts/1/"),
        ("get", "api/actions/act-0000000000000000/"),
        ("get", "api/monolith/events/"),
        ("get", "api/micro/posts/first/"),
        ("get", "nothing-here"),
    ],
)
def test_unknown_stacks_processes_and_actions_are_404s(page, lab, method, path):
    response = getattr(page, method)(f"{lab.url}{path}", json={"title": "x"}, timeout=5)
    _error(response, 404)


def test_a_write_without_the_csrf_token_is_refused(lab):
    response = requests.post(f"{lab.url}api/micro/moderation-delay/", json={"ms": 0}, timeout=5)
    assert "CSRF" in _error(response, 403)["message"]
