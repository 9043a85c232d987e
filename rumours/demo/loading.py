"""Run the bundled demo snapshot through the real ingestion pipeline, offline.

The snapshot under `site/` is a recording of three fictional outlets (their
RSS feeds and article pages). An httpx transport answers the pipeline's
requests from those files instead of the network, so the demo goes through
the same feed parsing, page parsing, extraction and storage as live news.
`articles.jsonl` holds the same articles with hand-made labels, used to
check extraction.
"""

from __future__ import annotations

import contextlib
import mimetypes
from pathlib import Path

import httpx

from ..gazetteer.loading import _Loader, read_yaml
from ..ingest import http
from ..ingest.pipeline import IngestReport, ingest_source
from ..models import Source

DEMO_DIR = Path(__file__).resolve().parent
SITE_DIR = DEMO_DIR / "site"
CONTENT_TYPES = {".xml": "application/rss+xml", ".html": "text/html; charset=utf-8"}


class SnapshotTransport(httpx.BaseTransport):
    """Answer GET requests from recorded files: site/<host>/<path>[.html], else 404."""

    def __init__(self, root: Path = SITE_DIR):
        self.root = root.resolve()

    def _file_for(self, url: httpx.URL) -> Path | None:
        path = (self.root / url.host / url.path.lstrip("/")).resolve()
        if not path.is_relative_to(self.root):
            return None  # No escaping the snapshot with ../ tricks.
        for candidate in (path, path.with_name(path.name + ".html")):
            if candidate.is_file():
                return candidate
        return None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        found = self._file_for(request.url) if request.method == "GET" else None
        if found is None:
            return httpx.Response(404, headers={"content-type": "text/plain"}, request=request)
        kind = (
            CONTENT_TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0] or "text/plain"
        )
        # A stream, not content=: the client reads bodies with iter_raw().
        return httpx.Response(
            200,
            headers={"content-type": kind},
            stream=httpx.ByteStream(found.read_bytes()),
            request=request,
        )


@contextlib.contextmanager
def snapshot_client(root: Path = SITE_DIR):
    """Route every fetch through the snapshot for the duration of the block."""
    offline = httpx.Client(
        transport=SnapshotTransport(root), headers={"User-Agent": http.user_agent()}
    )
    previous = http.use_client(offline)
    try:
        yield
    finally:
        http.use_client(previous)
        offline.close()


def demo_sources() -> list[Source]:
    """Create the demo outlets if missing (they are never polled live)."""
    path = DEMO_DIR / "sources.yaml"
    _Loader(update=False).load_sources(path)
    slugs = [entry["slug"] for entry in read_yaml(path)["sources"]]
    return list(Source.objects.filter(slug__in=slugs))


def load_demo_snapshot(root: Path = SITE_DIR) -> IngestReport:
    """Ingest the recorded outlets; a second run stores nothing new."""
    report = IngestReport()
    with snapshot_client(root):
        for source in demo_sources():
            ingest_source(source, report)
    return report
