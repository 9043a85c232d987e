"""Ingest the bundled demo snapshot so boards are populated without any network."""

from django.core.management.base import BaseCommand

from rumours.demo.loading import load_demo_snapshot


class Command(BaseCommand):
    help = "Run the recorded demo outlets through the ingestion pipeline (offline, idempotent)."

    def handle(self, *args, **options):
        report = load_demo_snapshot()
        summary = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in report.as_dict().items()
        )
        self.stdout.write(self.style.SUCCESS(f"Demo snapshot ingested: {summary}."))
        for message in report.error_messages:
            self.stderr.write(self.style.WARNING(f"  {message}"))
