"""Extract coach-club links from a JSON Lines corpus, for scoring or inspection.

Reads articles in the format of ../shared/eval/SCHEMA.md (id, lang, title,
text, ...) and writes one line per article:
{"id": ..., "links": [{"coach", "club", "kind", "confidence", "evidence"}]},
ready for ../shared/eval/score.py. Needs the gazetteer loaded
(manage.py load_gazetteer); writes nothing to the database.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from rumours.extract.benchmark import measure_throughput
from rumours.extract.links import analyse_article
from rumours.models import Coach


class Command(BaseCommand):
    help = "Extract coach-club links from a JSONL corpus (SCHEMA.md format) into a JSONL file."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="Corpus file, one article per line.")
        parser.add_argument("--output", default="-", help="Predictions file ('-' for stdout).")
        parser.add_argument(
            "--credits", action="store_true", help="Also write who each link is credited to."
        )
        parser.add_argument(
            "--bench",
            action="store_true",
            help="Instead of extracting, time extraction on the corpus and print articles/second.",
        )

    def handle(self, *args, **options):
        articles = list(self._read(options["input"]))
        if not Coach.objects.exists():
            raise CommandError("The gazetteer is empty: run `manage.py load_gazetteer` first.")
        if options["bench"]:
            report = measure_throughput(articles)
            self.stdout.write(json.dumps(report))
            return
        output = (
            sys.stdout
            if options["output"] == "-"
            else open(  # noqa: SIM115
                options["output"], "w", encoding="utf-8"
            )
        )
        try:
            for article in articles:
                output.write(
                    json.dumps(self._predict(article, options["credits"]), ensure_ascii=False)
                )
                output.write("\n")
        finally:
            if output is not sys.stdout:
                output.close()

    def _read(self, path):
        try:
            handle = open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        with handle:
            for number, line in enumerate(handle, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    article = json.loads(line)
                except json.JSONDecodeError as error:
                    raise CommandError(f"{path}:{number}: invalid JSON: {error}") from error
                if not isinstance(article, dict) or "id" not in article:
                    raise CommandError(f"{path}:{number}: each line must be an object with an 'id'")
                yield article

    def _predict(self, article: dict, with_credits: bool) -> dict:
        analysis = analyse_article(
            str(article.get("text") or ""),
            title=str(article.get("title") or ""),
            language=str(article.get("lang") or article.get("language") or ""),
        )
        links = []
        for link in analysis.links:
            row = {
                "coach": link.coach.full_name,
                "club": link.club.short_name,
                "kind": link.kind,
                "confidence": link.confidence,
                "evidence": link.evidence,
            }
            if with_credits:
                row["credited_to"] = link.credited_to
            links.append(row)
        return {"id": article["id"], "links": links}
