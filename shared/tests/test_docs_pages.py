"""Swagger UI and Redoc from local assets; the browsable API in development only."""

from __future__ import annotations

from django.conf import settings

from shared.testing.docs_pages import check_docs_pages

BROWSABLE = "rest_framework.renderers.BrowsableAPIRenderer"


def test_swagger_ui_and_redoc_are_served_from_the_services_own_assets(client):
    check_docs_pages(client)


def test_the_browsable_api_is_off_unless_debugging_in_development():
    # The suites run with DJANGO_DEBUG unset: JSON only, as in production.
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == [
        "shared.api.renderers.OrjsonRenderer"
    ]


def test_the_browsable_api_is_on_in_development_with_debug_and_never_in_production(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    project = Path(__file__).resolve().parents[2]
    script = (
        "from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    )
    production = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "q3Jv8Qx1mZk7TtY2pW9bN4cR6sH0dLfG5aE8uVyK1oJ3iMzXwC7rB2nD9eF4gH6j",
        "INTERNAL_TOKEN": "q3Jv8Qx1mZk7TtY2pW9bN4cR6sH0dLfG5aE8uV",
        "DJANGO_ALLOWED_HOSTS": "blog.example.org",
    }
    seen = {}
    for name, extra in {"development": {}, "production": production}.items():
        env = {
            "PATH": os.environ["PATH"],
            "BLOG_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "micro.moderation.settings",
            "DJANGO_DEBUG": "true",
            **extra,
        }
        command = [sys.executable, "-c", f"import django; django.setup(); {script}"]
        run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        seen[name] = BROWSABLE in run.stdout
    assert seen == {"development": True, "production": False}
