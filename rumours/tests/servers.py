"""Real HTTP servers on 127.0.0.1 for ingestion tests: the mock news site, misbehaving hosts."""

from __future__ import annotations

import contextlib
import functools
import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NEWSITE = Path(__file__).resolve().parents[3] / "shared" / "newsite"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files, remember every path requested, log nothing."""

    requested: list[str]

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requested.append(self.path)
        super().do_GET()


@contextlib.contextmanager
def serve(handler_class, **handler_kwargs):
    """Run a threaded HTTP server on a free loopback port; yield its base URL and server."""
    handler = (
        functools.partial(handler_class, **handler_kwargs) if handler_kwargs else handler_class
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requested = []
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server
    finally:
        server.shutdown()
        server.server_close()


def serve_newsite():
    return serve(QuietHandler, directory=str(NEWSITE))


class TrapHandler(BaseHTTPRequestHandler):
    """A host that misbehaves in the way its path asks for."""

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.requested.append(self.path)
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return self._send(404, b"", "text/plain")
        if path == "/500":
            return self._send(500, b"oops")
        if path == "/404":
            return self._send(404, b"gone")
        if path == "/slow":
            time.sleep(3)
            return self._send(200, b"<rss></rss>", "application/rss+xml")
        if path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"a")
                self.wfile.flush()
                time.sleep(0.2)
            return None
        if path == "/malformed.xml":
            return self._send(
                200, b"<?xml version='1.0'?><rss><channel><item><title>x", "application/rss+xml"
            )
        if path == "/page-not-feed":
            return self._send(200, b"<html><body><p>Just a page</p></body></html>")
        if path == "/redirect-private":
            return self._send(302, b"", headers=[("Location", "http://10.0.0.1/secret")])
        if path == "/redirect-loop":
            return self._send(302, b"", headers=[("Location", "/redirect-loop")])
        if path == "/gzip-bomb":
            body = gzip.compress(b"\0" * (50 * 1024 * 1024))
            return self._send(200, body, headers=[("Content-Encoding", "gzip")])
        if path == "/huge":
            return self._send(200, b"<p>" + b"x" * (3 * 1024 * 1024) + b"</p>")
        if path == "/image":
            return self._send(200, b"\x89PNG\r\n\x1a\n", "image/png")
        if path == "/etag-feed":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, b"")
            return self._send(
                200,
                b"<rss version='2.0'><channel></channel></rss>",
                "application/rss+xml",
                headers=[("ETag", '"v1"')],
            )
        return self._send(404, b"")
