"""Add an outlet from the command line, as the admin does."""

from django.core.management.base import BaseCommand, CommandError

from rumours.ingest.sources import SourceError, add_source
from rumours.models import Source


class Command(BaseCommand):
    help = "Add a news source by its feed or index URL (kind detected when omitted)."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", choices=[Source.Kind.RSS, Source.Kind.ATOM, Source.Kind.HTML])
        parser.add_argument("--tier", type=int, default=3, choices=[1, 2, 3, 4])
        parser.add_argument("--language", default="")
        parser.add_argument("--link-selector", default="")
        parser.add_argument("--body-selector", default="")

    def handle(self, *args, **options):
        try:
            source = add_source(
                options["url"],
                name=options["name"],
                kind=options["kind"],
                tier=options["tier"],
                language=options["language"],
                link_selector=options["link_selector"],
                body_selector=options["body_selector"],
            )
        except SourceError as error:
            raise CommandError(str(error)) from error
        kind = source.get_kind_display()
        message = f"Added {source.name} ({kind}, tier {source.tier}) as {source.slug}."
        self.stdout.write(self.style.SUCCESS(message))
