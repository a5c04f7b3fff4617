"""The one error shape of every answer that is not a success: {"code", "message", "fields"}.

Plain Python, below shared.api (which writes it for DRF's errors) and shared.instrumentation
(/metrics' 401, gunicorn's own refusals), so that neither imports the other for it.
"""

from __future__ import annotations


def error_body(*, code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}
