"""Every setting that comes from the environment, read in one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("BLOG_VAR_DIR", PROJECT_DIR / "var"))

DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"
DEV_INTERNAL_TOKEN = "dev-internal-token"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def is_production() -> bool:
    return env_str("DJANGO_ENV", "development").lower() == "production"


def secret_key() -> str:
    """The secret key; production refuses to start without a real one."""
    key = env_str("DJANGO_SECRET_KEY")
    if is_production() and (not key or key == DEV_SECRET_KEY):
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_SECRET_KEY to be set")
    return key or DEV_SECRET_KEY


def allowed_hosts() -> list[str]:
    hosts = env_list("DJANGO_ALLOWED_HOSTS", "" if is_production() else "127.0.0.1,localhost")
    if is_production() and not hosts:
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_ALLOWED_HOSTS to be set")
    return hosts


def internal_token() -> str:
    token = env_str("INTERNAL_TOKEN")
    if is_production() and (not token or token == DEV_INTERNAL_TOKEN):
        raise ImproperlyConfigured("DJANGO_ENV=production needs INTERNAL_TOKEN to be set")
    return token or DEV_INTERNAL_TOKEN


def database(*, default_name: str) -> dict[str, Any]:
    """DATABASE_URL when given, else a SQLite file named after the deployable."""
    url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / (default_name + '.sqlite3')}"
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # Several processes write one file: wait for the lock instead of failing,
            # and take it when the transaction starts so two writers never deadlock.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config["OPTIONS"] = {"connect_timeout": 3}
    return config
