"""Settings from the environment: safe development defaults, refusal to run production unset."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from shared.settings import environment

PRODUCTION_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "INTERNAL_TOKEN",
    "PGPASSWORD",
    "POD_IP",
    "REDIS_URL",
)
# What `secrets.token_urlsafe(50)` gives: long enough for either secret.
A_REAL_SECRET = "q3Jv8Qx1mZk7TtY2pW9bN4cR6sH0dLfG5aE8uVyK1oJ3iMzXwC7rB2nD9eF4gH6j"


@pytest.fixture
def development(monkeypatch):
    monkeypatch.delenv("DJANGO_ENV", raising=False)
    for name in PRODUCTION_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("DJANGO_ENV", "production")
    for name in PRODUCTION_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("value", ["production", "Production", "PRODUCTION"])
def test_production_is_recognised_in_any_case(monkeypatch, value):
    monkeypatch.setenv("DJANGO_ENV", value)

    assert environment.is_production()


def test_development_is_the_default(development):
    assert not environment.is_production()


def test_production_without_a_secret_key_refuses_to_start(production):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        environment.secret_key()


def test_production_with_the_development_secret_key_refuses_to_start(production, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", environment.DEV_SECRET_KEY)

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        environment.secret_key()


def test_production_uses_the_given_secret_key(production, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", A_REAL_SECRET)

    assert environment.secret_key() == A_REAL_SECRET


SECRETS = {
    "DJANGO_SECRET_KEY": environment.secret_key,
    "INTERNAL_TOKEN": environment.internal_token,
}


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize(
    "placeholder",
    [
        "replace-me-with-a-long-random-secret-key-of-at-least-fifty-characters-ok",
        "CHANGE-ME-" + "x" * 60,
        "a-placeholder-value-that-is-long-enough-to-pass-the-length-check-anyway",
        "dev-only-compose-internal-token-replace-me",
    ],
)
def test_production_refuses_a_placeholder_naming_the_variable(
    production, monkeypatch, name, placeholder
):
    monkeypatch.setenv(name, placeholder)

    with pytest.raises(ImproperlyConfigured, match=f"^{name} is a placeholder"):
        SECRETS[name]()


@pytest.mark.parametrize(
    ("name", "shortest"),
    [
        ("DJANGO_SECRET_KEY", environment.MIN_SECRET_KEY_LENGTH),
        ("INTERNAL_TOKEN", environment.MIN_INTERNAL_TOKEN_LENGTH),
    ],
)
def test_production_refuses_a_short_secret_and_takes_one_just_long_enough(
    production, monkeypatch, name, shortest
):
    monkeypatch.setenv(name, A_REAL_SECRET[: shortest - 1])
    with pytest.raises(ImproperlyConfigured, match=f"^{name} is {shortest - 1} characters"):
        SECRETS[name]()

    monkeypatch.setenv(name, A_REAL_SECRET[:shortest])
    assert SECRETS[name]() == A_REAL_SECRET[:shortest]


def test_development_takes_any_secret_it_is_given(development, monkeypatch):
    monkeypatch.setenv("INTERNAL_TOKEN", "dev-only-short")

    assert environment.internal_token() == "dev-only-short"


def test_production_refuses_a_placeholder_database_password(production, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "replace-me-with-a-random-postgres-password")
    with pytest.raises(ImproperlyConfigured, match=r"^PGPASSWORD is a placeholder"):
        environment.check_database_password()

    monkeypatch.setenv("PGPASSWORD", A_REAL_SECRET)
    environment.check_database_password()


def test_development_falls_back_to_the_development_secret_key(development):
    assert environment.secret_key() == environment.DEV_SECRET_KEY


def test_production_without_allowed_hosts_refuses_to_start(production):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        environment.allowed_hosts()


def test_production_with_blank_allowed_hosts_refuses_to_start(production, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", " , ")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        environment.allowed_hosts()


def test_production_uses_the_given_allowed_hosts(production, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "blog.example, api.blog.example")

    assert environment.allowed_hosts() == ["blog.example", "api.blog.example"]


def test_development_allows_the_loopback_hosts(development):
    assert environment.allowed_hosts() == ["127.0.0.1", "localhost"]


def test_a_pods_own_address_is_an_allowed_host(production, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "blog.local")
    monkeypatch.setenv("POD_IP", "10.244.0.17")

    assert environment.allowed_hosts() == ["blog.local", "10.244.0.17"]


def test_production_without_an_internal_token_refuses_to_start(production):
    with pytest.raises(ImproperlyConfigured, match="INTERNAL_TOKEN"):
        environment.internal_token()


def test_development_falls_back_to_the_development_internal_token(development):
    assert environment.internal_token() == environment.DEV_INTERNAL_TOKEN


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("on", True), ("0", False), ("no", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("BLOG_TEST_FLAG", value)

    assert environment.env_bool("BLOG_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_empty_or_unset_is_the_default(monkeypatch, default):
    monkeypatch.setenv("BLOG_TEST_FLAG", "")
    assert environment.env_bool("BLOG_TEST_FLAG", default=default) is default
    monkeypatch.delenv("BLOG_TEST_FLAG")
    assert environment.env_bool("BLOG_TEST_FLAG", default=default) is default


def test_env_int_reads_a_whole_number_or_the_default(monkeypatch):
    monkeypatch.setenv("BLOG_TEST_NUMBER", "300")
    assert environment.env_int("BLOG_TEST_NUMBER", 0) == 300
    monkeypatch.setenv("BLOG_TEST_NUMBER", "")
    assert environment.env_int("BLOG_TEST_NUMBER", 7) == 7


def test_env_int_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("BLOG_TEST_NUMBER", "3.5")

    with pytest.raises(ImproperlyConfigured, match="BLOG_TEST_NUMBER"):
        environment.env_int("BLOG_TEST_NUMBER", 0)


@pytest.fixture
def var_dir(monkeypatch, tmp_path) -> Path:
    """A fresh directory for SQLite files, not yet created, so database() must make it."""
    directory = tmp_path / "var" / "nested"
    monkeypatch.setattr(environment, "VAR_DIR", directory)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return directory


def test_database_defaults_to_a_sqlite_file_named_after_the_deployable(var_dir):
    config = environment.database(default_name="comments")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(var_dir / "comments.sqlite3")
    assert var_dir.is_dir()
    # Kept open across requests, as on PostgreSQL (a new connection per request was a
    # third of an empty request: docs/speed.md).
    assert config["CONN_MAX_AGE"] == 60
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] > 0


def test_database_reads_a_sqlite_url(var_dir, monkeypatch, tmp_path):
    path = tmp_path / "elsewhere" / "blog.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")

    config = environment.database(default_name="posts")

    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", str(path))
    assert path.parent.is_dir()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_database_reads_a_postgres_url(var_dir, monkeypatch, scheme):
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://blog:secret@db.example:5433/blog_posts")

    config = environment.database(default_name="posts")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "blog_posts"
    assert (config["HOST"], config["PORT"]) == ("db.example", 5433)
    assert (config["USER"], config["PASSWORD"]) == ("blog", "secret")
    assert config["OPTIONS"] == {"connect_timeout": 3}
    assert config["CONN_MAX_AGE"] == 60
    assert not var_dir.exists()


# What a service's web process imports at start (its settings, Django, its URLs and so
# DRF): whether psycopg got loaded, in a process of its own.
_LOADS_PSYCOPG = (
    "import sys, django; django.setup(); import micro.query.wsgi; "
    "from django.urls import get_resolver; get_resolver().url_patterns; "
    "from rest_framework import compat; "
    "print('psycopg' in sys.modules, compat.postgres_fields is not None)"
)


@pytest.mark.parametrize(
    "database_url, loaded",
    [("", "False False"), ("postgres://blog@127.0.0.1:1/blog_query", "True True")],
    ids=["sqlite", "postgresql"],
)
def test_on_sqlite_a_service_does_not_load_psycopg(tmp_path, database_url, loaded):
    """DRF imports django.contrib.postgres, and with it psycopg, whenever it can: on SQLite
    that is kept out (keep_postgres_extras_out), on PostgreSQL it is not."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "micro.query.settings",
        "BLOG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", _LOADS_PSYCOPG],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split("\n")[-2] == loaded


# -- REDIS_URL: the broker, as the service's own Redis user -----------------------------------
A_REAL_REDIS_URL = f"redis://posts:{A_REAL_SECRET[:32]}@redis:6379/0"


def test_development_defaults_the_broker_to_the_local_redis(development):
    assert environment.redis_url() == environment.DEV_REDIS_URL


@pytest.mark.parametrize(
    "url", ["redis://redis:6379/0", "redis://posts@redis:6379/0", "redis://posts:@redis:6379/0"]
)
def test_production_refuses_a_redis_url_without_a_password(production, monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)

    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL carries no password"):
        environment.redis_url()


@pytest.mark.parametrize(
    "password", ["replace-me-with-a-random-redis-password", "dev-only-redis-posts", "change%2Dme"]
)
def test_production_refuses_a_redis_url_with_a_placeholder_password(
    production, monkeypatch, password
):
    monkeypatch.setenv("REDIS_URL", f"redis://posts:{password}@redis:6379/0")

    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL is a placeholder") as refusal:
        environment.redis_url()
    assert password not in str(refusal.value)  # named, never shown


def test_production_uses_a_redis_url_with_a_real_password(production, monkeypatch):
    monkeypatch.setenv("REDIS_URL", A_REAL_REDIS_URL)

    assert environment.redis_url() == A_REAL_REDIS_URL
