"""Load the bundled clubs, coaches and outlets; safe to run any number of times."""

import json

from django.core.management.base import BaseCommand, CommandError

from rumours.gazetteer.loading import GazetteerError, load_gazetteer


class Command(BaseCommand):
    help = "Load clubs, coaches and news sources from the gazetteer files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite existing rows from the files (default: only add what is missing).",
        )
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    def handle(self, *args, update=False, **options):
        try:
            report = load_gazetteer(update=update)
        except GazetteerError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "created": {str(k): v for k, v in report.created.items()},
                        "updated": {str(k): v for k, v in report.updated.items()},
                        "totals": report.totals,
                        "unresolved_clubs": report.unresolved_clubs,
                    }
                )
            )
            return
        for name in sorted(set(report.created) | set(report.updated), key=str):
            self.stdout.write(
                f"  {name}: {report.created[name]} created, {report.updated[name]} updated"
            )
        totals = ", ".join(f"{count} {name}" for name, count in report.totals.items())
        self.stdout.write(self.style.SUCCESS(f"Gazetteer loaded: {totals}."))
        if not report.changed_anything:
            self.stdout.write("Nothing changed: everything was already loaded.")
        for reference in report.unresolved_clubs:
            self.stderr.write(self.style.WARNING(f"  unknown club in {reference}"))
