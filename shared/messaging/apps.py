"""Django app config for the outbox / inbox tables every micro service with a database owns."""

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "shared.messaging"
    label = "messaging"
    verbose_name = "Messaging (outbox, inbox, dead letters)"
    default_auto_field = "django.db.models.BigAutoField"
