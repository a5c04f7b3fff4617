"""Drive a service's Django admin over real HTTP, as a staff user in a browser would."""

from __future__ import annotations

import re

import requests

from stacks.launcher import Stack

ADMIN_USER = "admin"
ADMIN_PASSWORD = "a-long-test-password-17"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def ensure_superuser(stack: Stack, service: str) -> None:
    stack.create_admin(ADMIN_USER, ADMIN_PASSWORD, services=[stack.spec(service)])


class AdminSession:
    """A logged-in admin session on one service."""

    def __init__(
        self, base_url: str, *, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD
    ):
        self.base_url = base_url
        self.session = requests.Session()
        page = self.session.get(f"{base_url}/admin/login/", timeout=10)
        reply = self.session.post(
            f"{base_url}/admin/login/?next=/admin/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": _CSRF.search(page.text).group(1),
                "next": "/admin/",
            },
            timeout=10,
        )
        if "Log out" not in reply.text and "logout" not in reply.text:
            raise AssertionError(f"admin login failed on {base_url}")

    def submit(self, path: str, fields: dict[str, str]) -> requests.Response:
        """Open an admin form page and submit it with these fields (plus its CSRF token)."""
        page = self.session.get(f"{self.base_url}{path}", timeout=10)
        page.raise_for_status()
        data = {"csrfmiddlewaretoken": _CSRF.search(page.text).group(1), **fields}
        return self.session.post(f"{self.base_url}{path}", data=data, timeout=10)

    def action(self, changelist: str, action: str, ids: list[int]) -> requests.Response:
        """Run a changelist action (approve, reject, delete_selected) on some rows."""
        page = self.session.get(f"{self.base_url}{changelist}", timeout=10)
        data = {
            "csrfmiddlewaretoken": _CSRF.search(page.text).group(1),
            "action": action,
            "_selected_action": [str(pk) for pk in ids],
            "index": "0",
        }
        if action == "delete_selected":
            data["post"] = "yes"
        return self.session.post(f"{self.base_url}{changelist}", data=data, timeout=10)
