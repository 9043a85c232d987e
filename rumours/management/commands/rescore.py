"""Recompute every rumour's status, score, buzz and reasons, and every track record.

What the tasks do one rumour at a time, in bulk and in-process (no broker
needed): after a change to the formula, a backfill of old articles, or to
repair anything. Running it twice changes nothing the second time.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rumours import track_records
from rumours.models import Article, Rumour

# Statuses and records feed each other (records count outcomes, scores weigh
# records); a few passes settle them, and the first is usually the last.
MAX_PASSES = 5


class Command(BaseCommand):
    help = "Recompute every rumour's status, score and reasons, and every track record."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rumour", type=int, action="append", help="Only this rumour (repeatable)."
        )
        parser.add_argument(
            "--now", help="Score as of this ISO date-time instead of now (reproducible runs)."
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError(f"--now: not an ISO date-time: {options['now']!r}")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        rumours = Rumour.objects.all()
        if options["rumour"]:
            rumours = rumours.filter(pk__in=options["rumour"])
        if not Article.objects.exists():
            self.stdout.write("No articles yet: nothing to score.")
            return

        started = time.monotonic()
        records = track_records.refresh(options["rumour"], now=now)
        scored, rescored, resolved = set(), set(), set()
        for _ in range(MAX_PASSES):
            update = rumours.rescore(now=now)
            scored |= update.scored
            rescored |= update.rescored
            if not update.resolved:
                break
            resolved |= update.resolved
            records += track_records.refresh(sorted(update.resolved), now=now)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{len(scored)} rumours scored in {elapsed:.1f}s: {len(rescored)} scores changed, "
            f"{len(resolved)} statuses changed, {records} track records changed."
        )
