"""Replay the stored evidence in date order and print how well the scores predicted outcomes.

Prints the Brier score (against always guessing the base rate) and the
calibration by decile; see rumours/backtest.py. Try other weights with
`--set half_life_days=20 --set stage_talks=2.0`. Writes nothing.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from rumours import backtest
from rumours.scoring import DEFAULT_WEIGHTS


class Command(BaseCommand):
    help = "Replay stored evidence in date order; print the Brier score and calibration by decile."

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Score with another value of a parameter of scoring.Weights (repeatable).",
        )
        parser.add_argument(
            "--without-expired",
            action="store_true",
            help="Leave out rumours that expired (by default they count as not happened).",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args, **options):
        overrides = {}
        for item in options["set"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--set wants NAME=VALUE, not {item!r}")
            overrides[name.strip()] = value.strip()
        try:
            weights = DEFAULT_WEIGHTS.with_overrides(overrides)
        except ValueError as error:
            raise CommandError(str(error)) from error
        result = backtest.run(weights, include_expired=not options["without_expired"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            self.stdout.write("\n".join(result.lines()))
