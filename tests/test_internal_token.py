"""Each launch makes its own internal token (never the fixed development one) and writes it
into its run directory for the tools that attach to it."""

from __future__ import annotations

import stat

import pytest
import requests

from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.settings.environment import DEV_INTERNAL_TOKEN
from stacks.launcher import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.any_database]


def test_a_launch_writes_its_own_token_and_refuses_the_development_one(micro_stack):
    token_file = micro_stack.internal_token_file
    assert token_file.read_text().strip() == micro_stack.internal_token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert micro_stack.internal_token != DEV_INTERNAL_TOKEN

    url = f"{micro_stack.url('eventbus')}/internal/events/"
    fixed = requests.get(url, headers={INTERNAL_TOKEN_HEADER: DEV_INTERNAL_TOKEN}, timeout=10)
    own = requests.get(url, headers=micro_stack.internal_headers(), timeout=10)
    assert (fixed.status_code, own.status_code) == (403, 200)


def test_two_launches_get_different_tokens(tmp_path, monkeypatch):
    monkeypatch.delenv("INTERNAL_TOKEN", raising=False)
    first = Stack("micro", run_dir=tmp_path / "a")
    second = Stack("micro", run_dir=tmp_path / "b")
    assert first.internal_token != second.internal_token
    assert len(first.internal_token) >= 32
    assert first.service_env(first.services[0])["INTERNAL_TOKEN"] == first.internal_token


def test_a_given_token_is_used_as_it_is(tmp_path):
    stack = Stack("micro", run_dir=tmp_path, env={"INTERNAL_TOKEN": "given-token-" + "x" * 32})
    assert stack.internal_token == "given-token-" + "x" * 32
