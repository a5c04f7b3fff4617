"""The lab page in a real browser (headless Chromium) against both real stacks: write in each
column, see the status texts and the costs, switch micro's read strategy, stop and start
micro's moderation worker and watch a comment stay pending, then resolve."""

from __future__ import annotations

import re
import shutil

import pytest

from shared import rules
from stacks.launcher import PROJECT_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.any_database]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_DIR / "test-artifacts" / "lab"
WAIT_MS = 20_000  # how long a check may wait for the page (micro converges, a worker starts)
# What one action costs in messages at least (README, "Request counts"): micro's post goes to
# comments, query and the event bus's store in one hop; a comment's three events each go to
# their subscribers and the store. At least: an event the bus has not stored within 5 s is
# sent again (at-least-once; the consumers drop the duplicate), which happens on a busy
# machine.
MICRO_POST_MESSAGES = 3
MICRO_COMMENT_MESSAGES = 7
SETTLED = re.compile(r"^\d+$")  # a bare count: no message is waiting to be consumed


@pytest.fixture(scope="module")
def lab(monolith_stack, micro_stack):
    from stacks.lab.server import serve

    server = serve([monolith_stack, micro_stack])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(lab.url)
    page.wait_for_selector("body[data-ready=true]")
    yield page
    page.close()
    assert errors == [], f"the page's script failed: {errors}"


@pytest.fixture
def moderation_restored(micro_stack):
    """Whatever the test stops, moderation's worker runs again afterwards (for later tests)."""
    yield
    if "moderation-worker" in micro_stack.stopped_on_purpose:
        micro_stack.start_process("moderation-worker")
    micro_stack.wait_healthy()


def _column(page, kind: str):
    return page.locator(f"#col-{kind}")


def _cost(column, name: str):
    return column.locator(f'.cost [data-cost="{name}"]')


def _messages_once_settled(column) -> int:
    from playwright.sync_api import expect

    expect(_cost(column, "messages")).to_have_text(SETTLED)
    return int(_cost(column, "messages").inner_text())


def _assert_messages(column, kind: str, *, micro_at_least: int) -> None:
    """The monolith publishes no message; micro at least the action's fan-out."""
    messages = _messages_once_settled(column)
    if kind == "monolith":
        assert messages == 0
    else:
        assert messages >= micro_at_least


def _create_post(column, title: str):
    from playwright.sync_api import expect

    column.get_by_label("New post title").fill(title)
    column.get_by_role("button", name="Create post").click()
    post = column.locator(".post", has_text=title)
    expect(post).to_have_count(1)
    return post


def _comment(post, content: str, *, with_enter: bool = False) -> None:
    field = post.get_by_label("Add a comment")
    field.fill(content)
    if with_enter:
        field.press("Enter")  # keyboard use: the form submits without the mouse
    else:
        post.get_by_role("button", name="Add comment").click()


def test_each_column_writes_reads_and_shows_what_it_cost(page, unique):
    from playwright.sync_api import expect

    for kind in ("monolith", "micro"):
        column = _column(page, kind)
        post = _create_post(column, f"Lab post {kind} {unique}")
        expect(column.locator('[data-role="action"]')).to_have_text("Create post: answered 201")
        expect(_cost(column, "requests")).to_have_text("1")
        _assert_messages(column, kind, micro_at_least=MICRO_POST_MESSAGES)

        _comment(post, "A fine post")
        expect(post.locator(".comment")).to_have_count(1)
        _comment(post, "Orange is the best colour", with_enter=True)
        expect(post.locator(".comment")).to_have_count(2)
        _assert_messages(column, kind, micro_at_least=MICRO_COMMENT_MESSAGES)
        expect(post.locator(".comment.approved")).to_have_text("A fine post")
        expect(post.locator(".comment.rejected .comment-text")).to_have_text(
            rules.MSG_COMMENT_REJECTED
        )
    micro = _column(page, "micro")
    expect(_cost(micro, "visible_ms")).to_have_text(re.compile(r"\d (ms|s)$"))
    expect(page.locator("#events")).to_contain_text("CommentModerated")
    page.screenshot(path=SCREENSHOTS / "columns-wide.png", full_page=True)


def test_bad_input_is_shown_next_to_the_field(page):
    from playwright.sync_api import expect

    for kind in ("monolith", "micro"):
        column = _column(page, kind)
        column.get_by_role("button", name="Create post").click()
        field = column.get_by_label("New post title")
        expect(column.locator(f"#{kind}-title-error")).to_have_text(f"400: {rules.MSG_BLANK}")
        expect(field).to_have_attribute("aria-invalid", "true")


def test_the_read_strategies_cost_one_one_plus_n_and_one_request(page):
    from playwright.sync_api import expect

    micro = _column(page, "micro")
    for label, strategy in [("naive client", "naive"), ("sync aggregator", "aggregator")]:
        micro.get_by_label(label).check()
        expect(micro.locator('[data-role="action"]')).to_have_text(
            f"Read post list via {strategy}: answered 200"
        )
    posts = micro.locator(".post").count()
    assert posts >= 1
    rows = {name: micro.locator(f'tr[data-strategy="{name}"]') for name in ("naive", "aggregator")}
    expect(rows["naive"].locator('[data-cost="requests"]')).to_have_text(str(1 + posts))
    expect(rows["aggregator"].locator('[data-cost="requests"]')).to_have_text("1")
    expect(rows["aggregator"].locator('[data-cost="internal_calls"]')).to_have_text(str(1 + posts))
    micro.get_by_label("async query").check()
    query = micro.locator('tr[data-strategy="query"]')
    expect(query.locator('[data-cost="requests"]')).to_have_text("1")
    expect(query.locator('[data-cost="internal_calls"]')).to_have_text("0")


def test_a_stopped_moderation_worker_leaves_comments_pending_until_it_is_back(
    page, unique, moderation_restored
):
    from playwright.sync_api import expect

    micro = _column(page, "micro")
    post = _create_post(micro, f"Lab outage {unique}")
    page.get_by_role("button", name="Stop moderation-worker").click()
    expect(page.get_by_role("button", name="Start moderation-worker")).to_be_visible()
    expect(page.locator('[data-process="moderation-worker"] .state')).to_have_text("stopped")

    _comment(post, "Written while moderation is down")
    expect(post.locator(".comment")).to_have_count(1)
    _comment(post, "An orange one while moderation is down")
    expect(post.locator(".comment")).to_have_count(2)
    # The comments are accepted and wait: moderation's message is published, not consumed.
    expect(_cost(micro, "messages")).to_contain_text("not consumed yet")
    expect(post.locator(".comment.pending .comment-text")).to_have_text(
        [rules.MSG_COMMENT_PENDING] * 2
    )
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SCREENSHOTS / "moderation-stopped-360px.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Start moderation-worker").click()
    expect(page.locator('[data-process="moderation-worker"] .state')).to_have_text("running")
    expect(post.locator(".comment.approved")).to_have_text("Written while moderation is down")
    expect(post.locator(".comment.rejected .comment-text")).to_have_text(rules.MSG_COMMENT_REJECTED)
    assert _messages_once_settled(micro) >= MICRO_COMMENT_MESSAGES
    page.screenshot(path=SCREENSHOTS / "moderation-back.png", full_page=True)
