"""Count every SQL query a process runs, per action and in Prometheus."""

from __future__ import annotations

from django.conf import settings

from shared.instrumentation import metrics, tally
from shared.instrumentation.process import role
from shared.study import refuse_queries_while_database_down


def count_query(execute, sql, params, many, context):
    """A connection execute wrapper (Django's database instrumentation hook)."""
    tally.count("sql_queries")
    metrics.SQL_QUERIES.labels(settings.SERVICE_NAME, role()).inc()
    return execute(sql, params, many, context)


def install_sql_counter(sender, connection, **kwargs) -> None:
    """connection_created receiver: wrap each new connection once (and, for study runs,
    let an injected fault make its queries fail)."""
    if count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_query)
        if settings.STUDY_MODE:
            connection.execute_wrappers.append(refuse_queries_while_database_down)
