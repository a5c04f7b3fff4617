"""The blog's business rules, as plain Python: limits, messages and the moderation rule."""

from __future__ import annotations

import time

TITLE_MAX_LENGTH = 200
CONTENT_MAX_LENGTH = 2000
LIST_LIMIT_DEFAULT = 50
LIST_LIMIT_MAX = 500
# Ids and event sequence numbers are 64-bit (BigAutoField) in every database.
ID_MIN = 1
ID_MAX = 2**63 - 1
# How many event ids one question to the event store may name (POST /internal/events/stored/).
STORED_IDS_MAX = 500

# A JSON body nested deeper than this is refused (400 naming `body`) before it is parsed,
# far below the depth at which Python's json recursion would fail. A valid body is 2 deep.
JSON_MAX_DEPTH = 32
# The body limit follows from the field limits, so that every valid body fits however it is
# written: a character takes at most 12 bytes in JSON (an astral one as a \u-escaped
# surrogate pair, "\ud83c\udf4a"), an ASCII one at most 6 ("\u0061"); a UUID has 36.
JSON_CHAR_MAX_BYTES = 12
JSON_ASCII_CHAR_MAX_BYTES = 6
UUID_LENGTH = 36
# Keys, quotes, braces, commas and ordinary white space around the values.
BODY_ENVELOPE_BYTES = 1024


def worst_case_body_bytes() -> dict[str, int]:
    """The largest valid value of each JSON body, written in its longest JSON form."""
    return {
        "post": TITLE_MAX_LENGTH * JSON_CHAR_MAX_BYTES,
        "comment": CONTENT_MAX_LENGTH * JSON_CHAR_MAX_BYTES,
        # Each id: quoted, \u-escaped, followed by ", ".
        "stored_ids": STORED_IDS_MAX * (UUID_LENGTH * JSON_ASCII_CHAR_MAX_BYTES + 4),
    }


MAX_BODY_BYTES = BODY_ENVELOPE_BYTES + max(worst_case_body_bytes().values())

APPROVED = "approved"
REJECTED = "rejected"
PENDING = "pending"
COMMENT_STATUSES = (PENDING, APPROVED, REJECTED)
# Each status with its label, for a status field's `choices` (the admins' filter and form).
COMMENT_STATUS_CHOICES = tuple((status, status.capitalize()) for status in COMMENT_STATUSES)

# The word that gets a comment rejected, in any letter case.
FORBIDDEN_WORD = "orange"

# User-facing messages; the tests reuse these constants.
MSG_REQUIRED = "This field is required."
MSG_BLANK = "This field may not be blank."
MSG_NOT_A_STRING = "Must be a string."
MSG_TITLE_TOO_LONG = f"Ensure this field has no more than {TITLE_MAX_LENGTH} characters."
MSG_CONTENT_TOO_LONG = f"Ensure this field has no more than {CONTENT_MAX_LENGTH} characters."
MSG_POST_NOT_FOUND = "No post with this id."
MSG_BODY_NOT_OBJECT = "The request body must be a JSON object."
MSG_MALFORMED_JSON = "The request body is not valid JSON."
MSG_BODY_TOO_DEEP = f"The request body is nested deeper than {JSON_MAX_DEPTH} levels."
MSG_BODY_TOO_LARGE = "The request body is larger than {limit} bytes."
MSG_LIMIT_INVALID = f"Must be a whole number from 1 to {LIST_LIMIT_MAX}."
MSG_SERVICE_UNAVAILABLE = "The {service} service is unavailable; try again shortly."
MSG_BROKER_UNAVAILABLE = "The message broker is unavailable; try again shortly."
# What a reader sees in place of a comment that is not approved (the lab page shows these).
MSG_COMMENT_PENDING = "This comment is awaiting moderation"
MSG_COMMENT_REJECTED = "This comment has been rejected"


def moderate(content: str) -> str:
    """Decide a comment's status: rejected when it mentions the forbidden word."""
    return REJECTED if FORBIDDEN_WORD in content.casefold() else APPROVED


def moderate_slowly(content: str, *, delay_ms: int) -> str:
    """Apply the moderation rule after a configured delay (to study slow moderation)."""
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)
    return moderate(content)
