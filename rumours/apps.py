"""App configuration for the rumours app."""

from django.apps import AppConfig


class RumoursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rumours"
    verbose_name = "Benchwatch rumours"
