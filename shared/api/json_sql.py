"""The contract's JSON text written by the database itself, for reads that are one query.

A serializer's fields, in their order, become one call per object: SQLite's json_object()
for an object of columns, else `printf` (SQLite) or `format` (PostgreSQL) with a format
string that holds the keys and arguments that are the values as JSON text: numbers as the
database prints them, texts through the database's own JSON string quoting (SQLite's
json_quote, PostgreSQL's to_json), dates as the contract writes them
(contract_datetime_sql). A chain of `||` cost SQLite about 40% more than json_object here
(docs/speed.md, fifth pass). No json_build_object: PostgreSQL writes it with spaces
("key" : value), and the bytes must be the serializers' bytes.

Both quote a string as Python's json.dumps(ensure_ascii=False) does, which the renderer
matches: `"` and `\\` escaped, \\b \\f \\n \\r \\t as such, other control characters as
\\u00xx in lower case, everything else (non-ASCII, emoji) as its UTF-8. U+2028 and U+2029
stay literal here; the renderer escapes them in the finished body (shared/api/renderers.py),
so the text is handed to it as an orjson.Fragment. The tests of the monolith's reads
(monolith/blog/tests/test_posts_api.py, test_comments_api.py) prove the bytes equal the
serializers' on SQLite and PostgreSQL for hostile text.

The SQL is meant for Django's cursor with parameters: a literal `%` is written `%%`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection
from django.db.models import Field, Model
from rest_framework import serializers

# How a value is written: a number as the database prints it, a text column as a JSON
# string, a datetime as the contract's date (a JSON string of known characters), or JSON
# text already (an array_sql) as it is.
NUMBER, TEXT, DATE, JSON = "number", "text", "date", "json"

_FORMAT_FUNCTION = {"sqlite": "printf", "postgresql": "format"}


def _vendor_sql(table: dict[str, str], vendor: str, what: str) -> str:
    try:
        return table[vendor]
    except KeyError:
        raise NotImplementedError(f"{what}: no SQL for {vendor}") from None


# A datetime column's text as the contract writes it, but for the final "Z".
_DATETIME_TEMPLATES = {
    # Django stores an aware datetime as str() of its naive UTC value:
    # "YYYY-MM-DD HH:MM:SS[.ffffff]" (django/db/backends/sqlite3/operations.py).
    "sqlite": "replace({0}, ' ', 'T')",
    # https://www.postgresql.org/docs/current/functions-formatting.html ("US": microseconds);
    # the text holds one '.', so removing ".000000" removes the fraction exactly when it is
    # zero. One to_char: three (date, then microseconds twice) cost about 25% more here.
    "postgresql": (
        "replace(to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
    ),
}


def _datetime_sql(vendor: str, expression: str) -> str:
    return _vendor_sql(_DATETIME_TEMPLATES, vendor, "contract_datetime_sql").format(expression)


def contract_datetime_sql(vendor: str, expression: str) -> str:
    """SQL of a datetime column's text as the contract writes it: ISO 8601 in UTC ending in
    "Z", microseconds only when there are some (DRF's DateTimeField writes isoformat())."""
    return f"({_datetime_sql(vendor, expression)} || 'Z')"


def json_text_sql(vendor: str, expression: str) -> str:
    """SQL of a text expression as a JSON string (quoted and escaped)."""
    templates = {"sqlite": "json_quote({0})", "postgresql": "to_json(({0})::text)"}
    return _vendor_sql(templates, vendor, "json_text_sql").format(expression)


def _format_literal(text: str) -> str:
    """`text` inside a format string in an SQL literal: `%` doubled for printf/format and
    doubled again for the driver's parameters, `'` doubled for SQL."""
    return text.replace("%", "%%%%").replace("'", "''")


def _sql_literal(text: str) -> str:
    """`text` as an SQL string literal, `%` doubled for the driver's parameters."""
    return "'" + text.replace("%", "%%").replace("'", "''") + "'"


def object_sql(vendor: str, members: Sequence[tuple[str, str, str]]) -> str:
    """SQL of one JSON object's text: `members` are (key, kind, SQL expression), written in
    that order, compact (no white space) as the renderer writes it.

    On SQLite an object of columns only is its json_object(): it quotes texts as json_quote
    does and writes in one pass (a comment's object cost about a quarter less than printf's
    of json_quote here). JSON text among the members would be quoted as a string by it (the
    JSON subtype does not survive a subquery), so such an object is printf'ed."""
    if vendor == "sqlite" and all(kind != JSON for _, kind, _ in members):
        arguments = []
        for key, kind, expression in members:
            value = contract_datetime_sql(vendor, expression) if kind == DATE else expression
            arguments += [_sql_literal(key), value]
        return f"json_object({', '.join(arguments)})"
    parts, arguments = [], []
    for key, kind, expression in members:
        slot = {NUMBER: "%%s", TEXT: "%%s", JSON: "%%s", DATE: '"%%sZ"'}[kind]
        parts.append(_format_literal(json.dumps(key)) + ":" + slot)
        if kind == TEXT:
            expression = json_text_sql(vendor, expression)
        elif kind == DATE:  # the "Z" is in the format string
            expression = _datetime_sql(vendor, expression)
        arguments.append(expression)
    function = _vendor_sql(_FORMAT_FUNCTION, vendor, "object_sql")
    return f"{function}('{{{','.join(parts)}}}', {', '.join(arguments)})"


def serializer_members(
    serializer: serializers.Serializer, *, model: type[Model], alias: str
) -> list[tuple[str, str, str]]:
    """The members of object_sql for a flat serializer whose fields are the model's columns
    (by name or attname), read from table alias `alias`. A nullable column is refused: the
    SQL writes no null."""
    columns = {}
    for concrete in model._meta.concrete_fields:
        columns.update({concrete.name: concrete, concrete.attname: concrete})
    members = []
    for key, field in serializer.fields.items():
        column = columns[key]
        if column.null:
            raise ValueError(f"{model.__name__}.{key} is nullable; object_sql writes no null")
        if isinstance(field, serializers.DateTimeField):
            kind = DATE
        elif isinstance(field, serializers.IntegerField):
            kind = NUMBER
        elif isinstance(field, serializers.CharField | serializers.ChoiceField):
            kind = TEXT
        else:
            raise TypeError(f"{type(field).__name__} {key!r}: no JSON SQL for it")
        members.append((key, kind, f"{alias}.{column_name(column)}"))
    return members


def column_name(field: Field) -> str:
    """The quoted column name of a concrete model field."""
    if field.column is None:
        raise ValueError(f"{field!r} has no column")
    return connection.ops.quote_name(field.column)


def array_sql(vendor: str, element: str, *, source: str, order_by: str) -> str:
    """SQL of a JSON array's text ("[]" for no rows): `element` (an object_sql) of each row
    of `source` (a FROM ... WHERE ... clause), in `order_by` order.

    PostgreSQL orders string_agg's input by its ORDER BY. SQLite 3.40 (the image's, Debian
    bookworm) has no ORDER BY inside an aggregate (3.44 added it), so its rows come from an
    ordered subquery: SQLite keeps a subquery's ORDER BY when the outer query is an
    aggregate other than count/min/max and does not flatten it into one (select.c, the
    omit-ORDER-BY rule's condition (4) and the flattener's restriction (16)), so that
    group_concat sees the rows in order. The tests write tied rows in reverse id order, so
    an order lost would fail them."""
    aggregated = {
        "sqlite": (
            f"(SELECT group_concat(element, ',') FROM"
            f" (SELECT {element} AS element {source} ORDER BY {order_by}))"
        ),
        "postgresql": f"(SELECT string_agg({element}, ',' ORDER BY {order_by}) {source})",
    }
    return f"('[' || coalesce({_vendor_sql(aggregated, vendor, 'array_sql')}, '') || ']')"
