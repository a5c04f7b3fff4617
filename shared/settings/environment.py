"""Every setting that comes from the environment, read in one place."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shared import signing

PROJECT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("BLOG_VAR_DIR", PROJECT_DIR / "var"))

DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"
DEV_INTERNAL_TOKEN = "dev-internal-token"
DEV_REDIS_URL = "redis://127.0.0.1:6379/0"


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


# Words that mark a value as a stand-in (deploy/k8s/secret.yaml, deploy/compose/dev.env,
# the development defaults): production refuses them.
PLACEHOLDER_MARKERS = ("replace-me", "change-me", "changeme", "placeholder", "dev-only", "insecure")
# Shortest value production accepts: Django's own deploy check wants a 50-character key.
MIN_SECRET_KEY_LENGTH = 50
MIN_INTERNAL_TOKEN_LENGTH = 32
HOW_TO_MAKE_A_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def placeholder_marker(value: str) -> str | None:
    """The stand-in word a value contains, if any."""
    lowered = value.lower()
    return next((marker for marker in PLACEHOLDER_MARKERS if marker in lowered), None)


def production_secret(name: str, *, dev_default: str, min_length: int) -> str:
    """A secret from the environment: in development it defaults; production refuses it
    unset, the development default, a placeholder or too short, naming the variable."""
    value = env_str(name)
    if not is_production():
        return value or dev_default
    if not value or value == dev_default:
        raise ImproperlyConfigured(f"DJANGO_ENV=production needs {name} to be set")
    refuse_placeholder(name, value)
    if len(value) < min_length:
        raise ImproperlyConfigured(
            f"{name} is {len(value)} characters long; DJANGO_ENV=production needs at least "
            f"{min_length} (make one: {HOW_TO_MAKE_A_SECRET})"
        )
    return value


def refuse_placeholder(name: str, value: str) -> None:
    marker = placeholder_marker(value)
    if marker:
        raise ImproperlyConfigured(
            f"{name} is a placeholder (it contains {marker!r}); DJANGO_ENV=production needs "
            f"a real value (make one: {HOW_TO_MAKE_A_SECRET})"
        )


def secret_key() -> str:
    """The secret key; production refuses to start without a real one."""
    return production_secret(
        "DJANGO_SECRET_KEY", dev_default=DEV_SECRET_KEY, min_length=MIN_SECRET_KEY_LENGTH
    )


def allowed_hosts() -> list[str]:
    """DJANGO_ALLOWED_HOSTS, plus POD_IP when set (Kubernetes' downward API), so that
    Prometheus can scrape a pod by its address."""
    hosts = env_list("DJANGO_ALLOWED_HOSTS", "" if is_production() else "127.0.0.1,localhost")
    if is_production() and not hosts:
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_ALLOWED_HOSTS to be set")
    pod_ip = env_str("POD_IP").strip()
    return [*hosts, pod_ip] if pod_ip and pod_ip not in hosts else hosts


def internal_token() -> str:
    """The shared token of internal endpoints and /metrics."""
    return production_secret(
        "INTERNAL_TOKEN", dev_default=DEV_INTERNAL_TOKEN, min_length=MIN_INTERNAL_TOKEN_LENGTH
    )


HOW_TO_MAKE_EVENT_KEYS = "python -m shared.signing"


def event_signing_key(service: str) -> str:
    """The private key with which this service signs its events (shared.signing): in
    development it defaults to the service's well-known development key; production
    refuses that, a placeholder or none."""
    value = env_str("EVENT_SIGNING_KEY").strip()  # signing.SIGNING_KEY_ENV
    if is_production():
        if not value or value == signing.dev_signing_key(service):
            raise ImproperlyConfigured(
                f"DJANGO_ENV=production needs {signing.SIGNING_KEY_ENV} to be set to {service}'s "
                f"own key (make a set: {HOW_TO_MAKE_EVENT_KEYS})"
            )
        refuse_placeholder(signing.SIGNING_KEY_ENV, value)
    value = value or signing.dev_signing_key(service)
    try:
        signing.decode_key(value)
    except signing.UnreadableKey as error:
        raise ImproperlyConfigured(f"{signing.SIGNING_KEY_ENV} cannot be read: {error}") from error
    return value


def event_verify_keys() -> dict[str, str]:
    """The public key of every service that signs events, by service name; development
    defaults to the development keys, which production refuses."""
    name, value = signing.VERIFY_KEYS_ENV, env_str("EVENT_VERIFY_KEYS")
    if not value.strip():
        if is_production():
            raise ImproperlyConfigured(
                f"DJANGO_ENV=production needs {name} (make a set: {HOW_TO_MAKE_EVENT_KEYS})"
            )
        return signing.dev_verify_keys()
    if is_production():
        refuse_placeholder(name, value)
    try:
        keys = signing.parse_verify_keys(value)
    except signing.UnreadableKey as error:
        raise ImproperlyConfigured(f"{name} cannot be read: {error}") from error
    missing = [service for service in signing.SIGNERS if service not in keys]
    if missing:
        raise ImproperlyConfigured(f"{name} lacks the key of {', '.join(missing)}")
    development = signing.dev_verify_keys()
    if is_production() and any(keys[service] == development[service] for service in keys):
        raise ImproperlyConfigured(f"{name} holds a development key; production needs its own")
    return keys


def check_database_password() -> None:
    """PGPASSWORD is optional (libpq reads it); production refuses a placeholder there too."""
    password = env_str("PGPASSWORD")
    if is_production() and password:
        refuse_placeholder("PGPASSWORD", password)


def redis_url() -> str:
    """REDIS_URL, the broker: redis://<user>:<password>@host:port/<db> (each micro service
    has a Redis user of its own). Production refuses one without a password or with a
    placeholder password, naming REDIS_URL (never the password). Unset, it is the
    development default, which no deployed Redis answers without a password: the monolith
    and the aggregator use no broker and are given none."""
    url = env_str("REDIS_URL")
    if not url:
        return DEV_REDIS_URL
    if is_production():
        password = urlsplit(url).password
        if not password:
            raise ImproperlyConfigured(
                "REDIS_URL carries no password; DJANGO_ENV=production needs "
                "redis://<user>:<password>@host:port/0"
            )
        refuse_placeholder("REDIS_URL", unquote(password))
    return url


def database(*, default_name: str) -> dj_database_url.DBConfig:
    """DATABASE_URL when given, else a SQLite file named after the deployable."""
    url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / (default_name + '.sqlite3')}"
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # Connections are kept, as on PostgreSQL: a new one per request (connect, the
        # pragmas, close) was a third of an empty request's time (docs/speed.md).
        config["OPTIONS"] = {
            # Several processes write one file: wait for the lock instead of failing,
            # and take it when the transaction starts so two writers never deadlock.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        keep_postgres_extras_out()
    else:
        config["OPTIONS"] = {"connect_timeout": 3}
    return config


def keep_postgres_extras_out() -> None:
    """On SQLite, make `import django.contrib.postgres` fail, as if psycopg were not installed.

    DRF imports django.contrib.postgres whenever it can (rest_framework/compat.py, to map
    PostgreSQL's model fields, which no model here has), and that imports psycopg: 6.8 MiB
    of every process's own memory on SQLite, where nothing else loads it (docs/cost.md).
    A None entry in sys.modules makes that import raise ImportError, which DRF takes for
    "not installed". Only django.contrib.postgres: psycopg itself still imports (the
    launcher's and the benchmark's PostgreSQL helpers use it directly)."""
    sys.modules.setdefault("django.contrib.postgres", None)  # type: ignore[arg-type]  # None: refused
