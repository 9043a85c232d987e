"""Run the ingestion pipeline synchronously: for operators, and with no broker at all."""

import json

from django.core.management.base import BaseCommand, CommandError

from rumours.ingest.pipeline import IngestReport, ingest_source
from rumours.models import Source


class Command(BaseCommand):
    help = "Poll sources, fetch new articles, extract their links; print a summary."

    def add_arguments(self, parser):
        parser.add_argument("--source", metavar="SLUG", help="Only this source (even if inactive).")
        parser.add_argument(
            "--json", action="store_true", help="Print the summary as one JSON object."
        )

    def handle(self, *args, source=None, **options):
        if source:
            sources = list(Source.objects.filter(slug=source))
            if not sources:
                raise CommandError(f"No source with slug {source!r}.")
            if not sources[0].feed_url:
                raise CommandError(f"Source {source!r} has no feed URL to poll.")
        else:
            sources = list(Source.objects.enabled().exclude(feed_url=""))
        report = IngestReport()
        for each in sources:
            ingest_source(each, report)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        for message in report.error_messages:
            self.stderr.write(self.style.WARNING(f"  {message}"))
        summary = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in report.as_dict().items()
        )
        self.stdout.write(self.style.SUCCESS(f"Ingested: {summary}."))
