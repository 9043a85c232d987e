"""Load the bundled demo articles so boards are populated without any network."""

from django.core.management.base import BaseCommand, CommandError

from rumours.demo import DemoError, load_demo_snapshot


class Command(BaseCommand):
    help = "Load the demo snapshot (sample articles in the repository); idempotent."

    def handle(self, *args, **options):
        try:
            report = load_demo_snapshot()
        except (DemoError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo snapshot: {report.articles} articles ({report.new_articles} new), "
                f"{report.new_evidence} new pieces of evidence."
            )
        )
        if report.skipped_links:
            self.stderr.write(
                self.style.WARNING(
                    f"{report.skipped_links} links name a coach or club not in the gazetteer."
                )
            )
