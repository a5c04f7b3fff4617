"""Celery remote control is off on every worker unless the study flag turns it on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.deployables import queue_services

PROJECT_DIR = Path(__file__).resolve().parents[3]
PROBE = (
    "import importlib, sys;"
    "app = importlib.import_module(f'micro.{sys.argv[1]}.celery').app;"
    "print(app.conf.worker_enable_remote_control)"
)


def _remote_control(service: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, service],
        env={
            **{
                name: value
                for name, value in os.environ.items()
                if not name.startswith(("DJANGO_", "BLOG_"))
            },
            "DJANGO_SETTINGS_MODULE": f"micro.{service}.settings",
            "BLOG_VAR_DIR": str(PROJECT_DIR / "var"),
            **env,
        },
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("service", queue_services())
def test_remote_control_is_off_on_every_worker(service):
    assert _remote_control(service, BLOG_STUDY_MODE="1") == "False"


def test_the_study_flag_turns_remote_control_on():
    on = {"BLOG_STUDY_MODE": "1", "BLOG_CELERY_REMOTE_CONTROL": "1"}
    assert _remote_control("query", **on) == "True"
    assert _remote_control("query", BLOG_CELERY_REMOTE_CONTROL="1") == "False"
