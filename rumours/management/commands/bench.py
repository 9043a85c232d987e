"""Print the speed figures `make bench` reports."""

import json
import platform

from django.core.management.base import BaseCommand
from django.db import connection

from rumours.bench import (
    NEWSITE_DIR,
    articles_of_about,
    bare_parse_speed,
    fan_out_seconds,
    ingestion_speed,
    sample_pages,
)
from rumours.demo.loading import DEMO_DIR
from rumours.extract.benchmark import measure_throughput


class Command(BaseCommand):
    help = "Measure extraction and ingestion throughput; print a table."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=3.0, help="Time per extraction run.")
        parser.add_argument(
            "--followers", type=int, default=10_000, help="Followers of the fan-out's event."
        )

    def handle(self, *args, seconds=3.0, **options):
        corpus = NEWSITE_DIR.parent / "corpus" / "dev.jsonl"
        labelled = corpus if corpus.exists() else DEMO_DIR / "articles.jsonl"
        rows = [
            json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines() if line
        ]
        texts = articles_of_about(400, rows)
        pages = sample_pages()

        extraction = measure_throughput(texts, minimum_seconds=seconds)
        bare = bare_parse_speed(pages)
        ingest = ingestion_speed(pages)
        # The first run warms the connection and the caches; report the median of three.
        runs = sorted(
            (fan_out_seconds(options["followers"]) for _ in range(3)), key=lambda r: r["seconds"]
        )
        fan_out = runs[1]
        self.stdout.write(
            f"Benchwatch benchmarks · {platform.processor() or platform.machine()} · "
            f"Python {platform.python_version()} · {connection.vendor}"
        )
        table = [
            (
                "extraction",
                f"{extraction['articles_per_cpu_second']:,.0f} articles/s",
                f"{extraction['words']} words each, per CPU second on one core; target ≥ 200",
            ),
            ("bare BeautifulSoup (lxml) parse", f"{bare:,.0f} pages/s", f"{len(pages)} pages"),
            (
                "ingestion: parse + store + extract",
                f"{ingest:,.0f} pages/s",
                f"ratio to bare parse {ingest / bare:.2f}; target ≥ 0.33",
            ),
            (
                "alert fan-out, one event",
                f"{fan_out['seconds']:.2f} s",
                f"median of 3; {fan_out['followers']:,} followers, "
                f"{fan_out['notifications']:,} notifications"
                + (
                    f", {fan_out['queued_tasks']} email tasks queued on the broker"
                    if fan_out["broker"]
                    else " (in-process tasks: creation only)"
                )
                + "; target < 2 s on PostgreSQL",
            ),
        ]
        width = max(len(name) for name, _, _ in table)
        for name, value, note in table:
            self.stdout.write(f"  {name:<{width}}  {value:>16}  {note}")
