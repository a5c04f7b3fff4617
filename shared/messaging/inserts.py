"""One row inserted unless its unique key is taken (or changed only on a condition): one
statement, no SELECT first."""

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
    return insert_on_conflict(model, values=values, conflict=unique, then="DO NOTHING")


def insert_many_unless_present(model: type[models.Model], *, rows: list[dict], unique: str) -> list:
    """insert_unless_present for many rows in one statement (`INSERT ... VALUES (...), (...)
    ON CONFLICT DO NOTHING RETURNING <unique>`); returns the `unique` values of the rows
    inserted, as the field reads them (a row whose key was taken, or came twice, is not
    among them). Every row gives the same fields. Where the database cannot return rows
    from an insert (SQLite before 3.35), one statement per row."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    key = column_field(model, unique)
    if not connection.features.can_return_rows_from_bulk_insert:
        return [
            row[unique] for row in rows if insert_unless_present(model, values=row, unique=unique)
        ]
    names = list(rows[0])
    fields = [column_field(model, name) for name in names]
    quote = connection.ops.quote_name
    row_sql = f"({', '.join(['%s'] * len(names))})"
    params = [
        field.get_db_prep_save(row[name], connection)
        for row in rows
        for name, field in zip(names, fields, strict=True)
    ]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(field.column)) for field in fields)}) "
        f"VALUES {', '.join([row_sql] * len(rows))} "
        f"ON CONFLICT ({quote(str(key.column))}) DO NOTHING RETURNING {quote(str(key.column))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [key.to_python(value) for (value,) in cursor.fetchall()]


def insert_on_conflict(model: type[models.Model], *, values: dict, conflict: str, then) -> bool:
    """One `INSERT ... ON CONFLICT (<conflict's column>) <then>` of the row `values`
    (field name -> value, each prepared by its field as the ORM would); returns whether a
    row was inserted or changed. `then` is the conflict action's SQL ("DO NOTHING", or a
    `DO UPDATE SET ...`), or a function of the quoted table name and the quoted column of
    each field name that returns it."""
    connection = connections[router.db_for_write(model)]
    fields = {name: column_field(model, name) for name in values}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = {name: quote(str(field.column)) for name, field in fields.items()}
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    action = then if isinstance(then, str) else then(table, columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns.values())}) "
        f"VALUES ({', '.join(['%s'] * len(params))}) "
        f"ON CONFLICT ({quote(str(column_field(model, conflict).column))}) {action}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def column_field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field
