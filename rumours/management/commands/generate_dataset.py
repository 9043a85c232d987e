"""Generate the synthetic data set `make bench` measures against (see rumours/synthetic.py)."""

from django.core.management.base import BaseCommand, CommandError

from rumours import synthetic


class Command(BaseCommand):
    help = (
        "Top the database up to a realistic, skewed data set of the size in issue 8 "
        "(3,000 coaches ... 1,000,000 votes at --scale 1). Idempotent: a second run at "
        "the same scale adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full size (default 1.0)."
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the synthetic rows (slugs and usernames starting syn-) and regenerate.",
        )

    def handle(self, *args, scale=1.0, seed=7, replace=False, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive")
        self.stdout.write(f"Generating the data set at scale {scale:g} (seed {seed})")
        try:
            outcome = synthetic.generate(scale, seed, replace=replace, progress=self.stdout.write)
        except (synthetic.ExistingSetMismatch, ValueError) as error:
            raise CommandError(str(error)) from error
        if outcome.message:
            self.stdout.write(outcome.message)
        width = max(len(kind) for kind in outcome.counts)
        for kind, (total, made) in outcome.counts.items():
            self.stdout.write(f"  {kind:<{width}}  {total:>10,}  ({made:,} synthetic)")
        self.stdout.write(f"Done in {outcome.seconds:.1f} s.")
