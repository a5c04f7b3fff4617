"""Production mode passes Django's own deploy checklist on every deployable.

`manage.py check --deploy --fail-level WARNING` runs for the monolith and each micro
service, with DJANGO_ENV=production and nothing but the secrets and hosts a real deployment
must give (deploy/k8s/settings.yaml sets the same DJANGO_ENV): the SECURE_* defaults of
shared/settings/security.py must leave no warning.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from shared import signing
from stacks.routes import MICRO_SERVICES, MONOLITH

pytestmark = pytest.mark.any_database

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEPLOYABLES = (MONOLITH, *MICRO_SERVICES)


_SIGNING_KEY = signing.new_signing_key()


def production_env(tmp_path: Path) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG"}
    return {
        **{name: value for name, value in os.environ.items() if name in keep},
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "INTERNAL_TOKEN": secrets.token_urlsafe(32),
        # One key for every signer here: enough for the settings checks (shared.signing).
        signing.SIGNING_KEY_ENV: _SIGNING_KEY,
        signing.VERIFY_KEYS_ENV: signing.format_verify_keys(
            dict.fromkeys(signing.SIGNERS, signing.public_key_of(_SIGNING_KEY))
        ),
        "DJANGO_ALLOWED_HOSTS": "blog.example.org",
        "BLOG_VAR_DIR": str(tmp_path),
    }


def test_check_deploy_is_clean_for_every_deployable_in_production(tmp_path):
    env = production_env(tmp_path)
    running = {
        spec.name: subprocess.Popen(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=PROJECT_DIR,
            env={**env, "DJANGO_SETTINGS_MODULE": spec.settings},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for spec in DEPLOYABLES
    }
    outcomes = {
        name: (popen.wait(timeout=120), popen.stdout.read()) for name, popen in running.items()
    }
    failed = {name: output for name, (code, output) in outcomes.items() if code != 0}
    assert failed == {}
    for name, (_, output) in outcomes.items():
        assert "System check identified no issues" in output, name


def test_check_deploy_would_fail_with_a_secure_setting_turned_off(tmp_path):
    """The check above can fail: turning off HSTS makes it warn (security.W004)."""
    env = {**production_env(tmp_path), "DJANGO_SECURE_HSTS_SECONDS": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": MONOLITH.settings},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_gunicorn_writes_a_json_access_log_line_with_the_request_id(tmp_path):
    """A real gunicorn with the image's config: LOG_FORMAT=json gives one JSON access line a
    request, carrying the X-Request-ID the response carries."""
    import json

    import requests

    from stacks.processes import wait_until
    from stacks.redis_server import free_port

    port = free_port("127.0.0.1")
    env = {
        **{name: value for name, value in os.environ.items() if name in {"PATH", "HOME"}},
        "DJANGO_SETTINGS_MODULE": MONOLITH.settings,
        "BLOG_VAR_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "gunicorn", MONOLITH.wsgi, "--bind", f"127.0.0.1:{port}"]
    command += ["--config", "python:shared.gunicorn_conf", "--no-control-socket"]
    log = (tmp_path / "gunicorn.out").open("w")
    server = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/health/live/"

    def answers() -> bool:
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(answers, timeout=30)
        response = requests.get(url, headers={"X-Request-ID": "access-log-42"}, timeout=5)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert response.headers["X-Request-ID"] == "access-log-42"
    lines = (tmp_path / "gunicorn.out").read_text().splitlines()
    access = [json.loads(line) for line in lines if '"gunicorn.access"' in line]
    ours = [line for line in access if line["request_id"] == "access-log-42"]
    assert len(ours) == 1
    assert (ours[0]["method"], ours[0]["path"], ours[0]["status"]) == ("GET", "/health/live/", 200)


# -- packaging: the lock files, the workbench extra -----------------------------------------
def locked(path: Path) -> dict[str, str]:
    """package -> version of a pip-compile --generate-hashes lock file, each with a hash."""
    import re

    text = path.read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\\n\s+--hash=sha256:", text, re.M))
    requirements = re.findall(r"^[a-z0-9][a-z0-9._-]*==", text, re.M)
    assert len(pins) == len(requirements), f"{path.name}: a pin without its hash"
    return {name.replace("_", "-"): version for name, version in pins.items()}


def pyproject() -> dict:
    import tomllib

    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())


def pinned(requirements: list[str]) -> dict[str, str]:
    import re

    pairs = (re.match(r"^([A-Za-z0-9._-]+)(?:\[[^]]*\])?==(\S+)$", item) for item in requirements)
    return {match.group(1).lower().replace("_", "-"): match.group(2) for match in pairs}


def test_the_lock_files_pin_what_pyproject_pins_with_hashes():
    project = pyproject()["project"]
    production = locked(PROJECT_DIR / "requirements.lock")
    development = locked(PROJECT_DIR / "requirements-dev.lock")
    direct = pinned(project["dependencies"])
    assert direct.items() <= production.items()
    extras = project["optional-dependencies"]
    assert (direct | pinned(extras["workbench"]) | pinned(extras["dev"])).items() <= (
        development.items()
    )
    # The image gets none of the workbench (nor numpy, pillow, fonttools through matplotlib).
    workbench = set(pinned(extras["workbench"])) | {"numpy", "pillow", "fonttools"}
    assert workbench & set(production) == set()
    assert {name: development[name] for name in production} == production


def test_the_image_and_make_setup_install_from_the_lock_files():
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    assert "pip install --require-hashes --requirement requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "pip install -q --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install -q --no-deps -e ." in makefile


def test_production_runs_the_monolith_without_the_workbench(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print('stacks' in settings.INSTALLED_APPS)"
    seen = {}
    for mode, env in {"development": {"BLOG_VAR_DIR": str(tmp_path)}, "production": None}.items():
        env = env or production_env(tmp_path)
        run = subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT_DIR,
            env={"PATH": os.environ["PATH"], **env, "DJANGO_SETTINGS_MODULE": MONOLITH.settings},
            capture_output=True,
            text=True,
            timeout=60,
        )
        seen[mode] = run.stdout.strip()
    assert seen == {"development": "True", "production": "False"}
