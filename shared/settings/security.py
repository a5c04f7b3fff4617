"""HTTPS behind a TLS-terminating ingress: Django's SECURE_* settings, from the environment.

Production turns every one on (so `manage.py check --deploy` is clean); development keeps
them off. Each can be set on its own; the defaults assume what deploy/k8s runs: TLS ends at
the Ingress, which sends X-Forwarded-Proto. https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
"""

from __future__ import annotations

import typing

from shared.settings.environment import allowed_hosts, env_bool, env_int, env_list, is_production

PRODUCTION = is_production()
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
INTERNAL_HOP_MIDDLEWARE = "shared.api.middleware.InternalHopMiddleware"
# Django's deploy check looks for these two in MIDDLEWARE (security.W003, W002). They run in
# BROWSER_MIDDLEWARE, for the admin's paths (shared.api.middleware.BrowserOnlyMiddleware):
# the API path sets no cookie, takes no session and answers JSON, so CSRF and frame options
# have nothing to protect there, and they cost every API request a lookup. Silenced with
# that reason; shared/tests/test_security.py proves the admin's answers carry both.
DEPLOY_MIDDLEWARE = (
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)
DEPLOY_CHECKS_MET_BY_THE_BROWSER_CHAIN = ["security.W003", "security.W002"]
ONE_YEAR = 31_536_000

# The ingress (and the gateway, which passes it on) says which scheme the client used.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=PRODUCTION)
    else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
# Probes, scrapes and service-to-service reads come over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$", r"^internal/"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", ONE_YEAR if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION
)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", default=PRODUCTION)


def csrf_trusted_origins() -> list[str]:
    """DJANGO_CSRF_TRUSTED_ORIGINS; in production by default https:// on each allowed host
    that is a name (the admin's login POST from behind the ingress passes Django's origin
    check)."""
    given = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
    if given or not PRODUCTION:
        return given
    names = [host.lstrip(".") for host in allowed_hosts() if host != "*"]
    return [f"https://{name}" for name in names if any(c.isalpha() for c in name)]


CSRF_TRUSTED_ORIGINS = csrf_trusted_origins()


def with_deploy_middleware(middleware: list[str]) -> list[str]:
    """The middleware list with the internal-hop marker just before SecurityMiddleware."""
    chain = [name for name in middleware if name != INTERNAL_HOP_MIDDLEWARE]
    chain.insert(chain.index(SECURITY_MIDDLEWARE), INTERNAL_HOP_MIDDLEWARE)
    return chain


# A computed __all__, which mypy cannot read: see the end of shared/settings/base.py.
if not typing.TYPE_CHECKING:
    __all__ = [name for name in dir() if name.startswith(("SECURE_", "SESSION_", "CSRF_"))]
