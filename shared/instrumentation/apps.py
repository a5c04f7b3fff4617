"""Django app config: installs the SQL counter on every database connection."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class InstrumentationConfig(AppConfig):
    name = "shared.instrumentation"
    label = "instrumentation"
    verbose_name = "Instrumentation"

    def ready(self) -> None:
        from shared.instrumentation.sql import install_sql_counter

        connection_created.connect(install_sql_counter, dispatch_uid="blog-sql-counter")
