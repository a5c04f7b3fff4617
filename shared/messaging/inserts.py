"""One row inserted unless its unique key is taken: one statement, no SELECT first."""

from __future__ import annotations

from django.db import connections, models, router


def insert_unless_present(model: type[models.Model], *, values: dict, unique: str) -> bool:
    """INSERT the row `values` (field name -> value) unless a row with its `unique` field's
    value exists (ON CONFLICT DO NOTHING: SQLite >= 3.24 and PostgreSQL alike); returns
    whether it was inserted. Fields left out take their database default, so give every
    one without it (auto_now_add included: the ORM's pre_save does not run here).

    It stands in for get_or_create's SELECT, then INSERT in a transaction (and for
    `exists()` then `create()`), which cost a consumer's worker more CPU per event than
    the statement itself (docs/speed.md, seventh pass). The unique index still decides: of
    two concurrent inserts of one key, one inserts, the other (PostgreSQL: once the first
    commits) inserts nothing.
    """
    connection = connections[router.db_for_write(model)]
    fields = {name: _column(model, name) for name in values}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields.values())
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(params))}) "
        f"ON CONFLICT ({quote(str(_column(model, unique).column))}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def _column(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field
