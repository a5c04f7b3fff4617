"""Base Django settings; each deployable's settings module imports these and adds its own."""

from __future__ import annotations

import typing  # not TYPE_CHECKING by name: an upper-case name here would be a setting

from shared.deployables import task_routes
from shared.instrumentation.logs import logging_config
from shared.rules import ID_MAX, ID_MIN
from shared.rules import MAX_BODY_BYTES as BODY_LIMIT_FROM_FIELDS
from shared.settings.environment import (
    allowed_hosts,
    check_database_password,
    env_bool,
    env_int,
    env_str,
    internal_token,
    is_production,
    redis_url,
    secret_key,
)

SECRET_KEY = secret_key()
check_database_password()
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = allowed_hosts()
PRODUCTION = is_production()

# Fault injection and other study switches: never on in production.
STUDY_MODE = env_bool("BLOG_STUDY_MODE", default=False) and not PRODUCTION

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Throttles the admin login against guessing (django-axes; settings AXES_* below).
    "axes",
]
THIRD_PARTY_APPS = ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar"]
SHARED_APPS = ["shared.api", "shared.instrumentation"]

# The API path runs only what an API request needs; the admin's own chain
# (BROWSER_MIDDLEWARE) runs for the admin's paths only (shared.api.middleware).
API_ONLY_MIDDLEWARE = [
    "shared.instrumentation.middleware.RequestIdMiddleware",
    "shared.api.middleware.BodySizeLimitMiddleware",
    "shared.api.middleware.FaultMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
]
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
MIDDLEWARE = [*API_ONLY_MIDDLEWARE, "shared.api.middleware.BrowserOnlyMiddleware"]
# The admin's and django-axes' checks look for their middleware in MIDDLEWARE; it is in
# BROWSER_MIDDLEWARE, which BrowserOnlyMiddleware runs for the admin
# (tests/test_admin_edits.py and the login throttle's tests prove it).
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "axes.W002"]

# Services without a database of their own (moderation, aggregator) run no admin,
# sessions or auth: just the API (and the static assets of its docs pages).
API_ONLY_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    *THIRD_PARTY_APPS,
    *SHARED_APPS,
]

# The admin login, throttled: after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is locked out (429) for AXES_COOLOFF_TIME hours; a right one resets.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("BLOG_ADMIN_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# POST /api/posts (no slash) is a JSON 404, not a redirect that drops the body.
APPEND_SLASH = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
STATIC_URL = "/static/"
# Admin assets are served by WhiteNoise straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# Request bodies over this size get a 413 before they are parsed. The default follows from
# the field limits (shared.rules.MAX_BODY_BYTES), so that every valid body fits.
MAX_BODY_BYTES = env_int("BLOG_MAX_BODY_BYTES", BODY_LIMIT_FROM_FIELDS)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
MODERATION_DELAY_MS = env_int("MODERATION_DELAY_MS", 0)
# How long confirmed outbox rows and inbox entries are kept (shared.messaging.pruning).
OUTBOX_RETENTION_HOURS = env_int("BLOG_OUTBOX_RETENTION_HOURS", 24)
INBOX_RETENTION_HOURS = env_int("BLOG_INBOX_RETENTION_HOURS", 7 * 24)
INTERNAL_TOKEN = internal_token()
# Seconds an internal HTTP call may take (connect, read) before it counts as down.
HTTP_CONNECT_TIMEOUT = env_int("BLOG_HTTP_CONNECT_TIMEOUT_MS", 1000) / 1000
HTTP_READ_TIMEOUT = env_int("BLOG_HTTP_READ_TIMEOUT_MS", 5000) / 1000

REST_FRAMEWORK: dict[str, typing.Any] = {
    "DEFAULT_RENDERER_CLASSES": ["shared.api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shared.api.parsers.JsonParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "shared.api.negotiation.JsonFirstContentNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "shared.api.errors.exception_handler",
    "NON_FIELD_ERRORS_KEY": "body",
    "DEFAULT_SCHEMA_CLASS": "shared.api.schema.BlogAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Path ids (<int:post_id>): larger ones are a 404, never a database overflow.
    "PATH_CONVERTER_OVERRIDES": {
        "int": {"type": "integer", "format": "int64", "minimum": ID_MIN, "maximum": ID_MAX}
    },
}

# The broker, as this deployable's own Redis user (production refuses no or a placeholder
# password: shared.settings.environment.redis_url).
REDIS_URL = redis_url()

# Celery, as in Celery's own Django example: read with namespace="CELERY".
# https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes every database connection before and after each task unless
# this is set: a new SQLite connection (and its pragmas), or a PostgreSQL login, per event.
# Set, the fixup closes them only every 2 x this many tasks; shared.messaging.celery_app
# treats each task as Django treats a request instead (close_old_connections: CONN_MAX_AGE
# and the health checks decide).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps reconnecting for as long as Redis is away, instead of giving up.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Remote control (ping, inspect, shutdown, pool_restart over the broker) is off: anyone who
# can reach Redis could stop every worker. Readiness is the worker's ready file instead
# (shared.messaging.celery_app). A study that wants `celery inspect` turns it on.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = STUDY_MODE and env_bool("BLOG_CELERY_REMOTE_CONTROL")
# Redis transport options: https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message taken but not acknowledged (its worker was killed) is handed out again
    # after this many seconds. Kombu's default is an hour; ten seconds brings a killed
    # worker's message back quickly. A task running longer than this is delivered twice,
    # which the idempotent consumers absorb.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 10),
    # Look for such messages every second (kombu: every 10 s x a throttle of 10).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # Workers take a mutex in Redis for that sweep; one killed while holding it would
    # block every sweep for the mutex's lifetime (kombu's default: 5 minutes).
    "unacked_mutex_expire": 5,
    # A hung Redis makes a publish fail after seconds, not hang: the outbox keeps the event.
    "socket_timeout": 3,
    "socket_connect_timeout": 2,
}
# Each service with a worker consumes its own durable queue, named after it; tasks are named
# "<service>.<action>" and routed by that prefix (the deployables table: shared.deployables).
CELERY_TASK_ROUTES = task_routes()

# Every line names its action: request id (and the event id in workers); LOG_FORMAT=json
# writes one JSON object a line (shared/instrumentation/logs.py).
LOGGING = logging_config(
    log_format=env_str("LOG_FORMAT", "plain"), level=env_str("BLOG_LOG_LEVEL", "INFO")
)

# -- Production behind a TLS ingress: SECURE_*, CSRF_TRUSTED_ORIGINS, secure cookies --------
# (shared/settings/security.py; `manage.py check --deploy` is clean with DJANGO_ENV=production)
from shared.settings.security import *  # noqa: E402, F403
from shared.settings.security import (  # noqa: E402
    DEPLOY_CHECKS_MET_BY_THE_BROWSER_CHAIN,
    DEPLOY_MIDDLEWARE,
    with_deploy_middleware,
)

MIDDLEWARE = with_deploy_middleware(MIDDLEWARE)
API_ONLY_MIDDLEWARE = with_deploy_middleware(API_ONLY_MIDDLEWARE)
assert set(DEPLOY_MIDDLEWARE) <= set(BROWSER_MIDDLEWARE)
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, *DEPLOY_CHECKS_MET_BY_THE_BROWSER_CHAIN]

# -- API docs: Swagger UI (/api/docs/) and Redoc (/api/redoc/), assets from the sidecar ------
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# DRF's browsable API in development only (DJANGO_DEBUG=true, never in production).
if DEBUG and not PRODUCTION:
    REST_FRAMEWORK = {
        **REST_FRAMEWORK,
        "DEFAULT_RENDERER_CLASSES": [
            *REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
            "rest_framework.renderers.BrowsableAPIRenderer",
        ],
    }

# What `from shared.settings.base import *` gives a deployable: the settings, no helper.
# mypy cannot read a computed __all__ (it would see no setting through the star import),
# so the type check sees every public name instead.
if not typing.TYPE_CHECKING:
    __all__ = [name for name in dir() if name.isupper()]
