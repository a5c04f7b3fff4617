"""A service's web and worker processes keep out what DRF imports only because it is
installed (shared/unused_imports.py): requests, markdown, pygments."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

LOADED = (
    "import sys; names = ('requests', 'urllib3', 'markdown', 'pygments'); "
    "print(sorted(n for n in names if sys.modules.get(n)))"
)
WEB = (
    "import importlib; {before}"
    "importlib.import_module('micro.comments.wsgi'); "
    "from django.urls import get_resolver; get_resolver().url_patterns; "
)
WORKER = (
    "from shared.messaging.worker import celery_app; app = celery_app('comments'); "
    "import django; django.setup(); app.loader.import_default_modules(); "
    "import micro.comments.tasks; "
)


def _loaded(tmp_path, code: str) -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "micro.comments.settings",
        "BLOG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "CELERY_SKIP_CHECKS": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code + LOADED],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return eval(result.stdout.strip().splitlines()[-1])


def test_a_web_process_under_the_gunicorn_config_loads_none_of_them(tmp_path):
    assert _loaded(tmp_path, WEB.format(before="import shared.gunicorn_conf; ")) == []


def test_without_it_drf_would_load_requests(tmp_path):
    """The control: the same app imported without the gunicorn config loads requests."""
    assert "requests" in _loaded(tmp_path, WEB.format(before=""))


def test_a_celery_worker_loads_none_of_them(tmp_path):
    assert _loaded(tmp_path, WORKER) == []


@pytest.mark.parametrize("name", ["requests", "markdown", "pygments"])
def test_importing_one_then_fails_as_if_it_were_not_installed(tmp_path, name):
    code = (
        "from shared.unused_imports import keep_unused_libraries_out; "
        "keep_unused_libraries_out()\n"
        f"try:\n    import {name}\nexcept ImportError:\n    print('refused')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "refused"
