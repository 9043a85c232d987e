"""App configuration for the rumours app."""

from django.apps import AppConfig


class RumoursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rumours"
    verbose_name = "Benchwatch rumours"

    def ready(self):
        # Registers the signal receivers that keep extraction's name index and
        # its list of credited sources in step with the database.
        from .extract import attribution, gazetteer_index  # noqa: F401
