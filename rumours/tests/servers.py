"""Real HTTP servers on 127.0.0.1 for ingestion tests: the mock news site, misbehaving hosts."""

from __future__ import annotations

import contextlib
import functools
import gzip
import random
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NEWSITE = Path(__file__).resolve().parents[3] / "shared" / "newsite"
HANDMADE = Path(__file__).resolve().parent / "pages" / "handmade"


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
    # A short poll interval: shutdown() waits for the loop to notice, 0.5 s by default.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server
    finally:
        server.shutdown()
        server.server_close()


def serve_newsite():
    return serve(QuietHandler, directory=str(NEWSITE))


@contextlib.contextmanager
def silent_host():
    """Yield the base URL of a host that takes connections and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # Connections wait in the backlog, never accepted.
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


# --- Bodies for TrapHandler ------------------------------------------------------------------

# Enough Italian prose to count as an article, naming a coach and a club of
# the real gazetteer ("Allegri", "Juventus"), with accents to get wrong.
ITALIAN_PROSE = (
    "<p>La Juventus ha deciso: Massimiliano Allegri è stato esonerato e non è più "
    "l'allenatore bianconero. Il club ha comunicato in serata l'esonero del tecnico livornese, "
    "dopo la finale di Coppa Italia vinta contro l'Atalanta e le scene andate in onda al "
    "fischio finale.</p>"
    "<p>Perché la società abbia scelto proprio questo momento è già chiaro a tutti: la "
    "dirigenza voleva cambiare guida tecnica da settimane, e così la decisione è arrivata "
    "prima della fine del campionato, con due giornate ancora da giocare.</p>"
    "<p>Per la panchina bianconera circolano già diversi nomi, ma la scelta definitiva "
    "arriverà soltanto nelle prossime settimane, quando la stagione sarà conclusa.</p>"
)
FINNISH_PROSE = (
    "<p>Juventus on tehnyt päätöksensä: Massimiliano Allegri ei enää jatka joukkueen "
    "ruorissa. Seura kertoi illalla erottaneensa valmentajansa cup-finaalin jälkeen, jossa "
    "joukkue voitti Atalantan mutta pelaajat ja johto riitelivät julkisesti.</p>"
    "<p>Miksi seura valitsi juuri tämän hetken, on jo kaikille selvää: johto halusi vaihtaa "
    "valmennusta viikkojen ajan, ja niin päätös tuli ennen sarjakauden loppua, kun kaksi "
    "kierrosta oli vielä pelaamatta.</p>"
    "<p>Uuden valmentajan nimiä liikkuu jo useita, mutta lopullinen valinta tehdään vasta "
    "tulevina viikkoina, kun kausi on päättynyt ja pelaajat ovat lähteneet lomalle.</p>"
)
JAPANESE_PROSE = (
    "<p>クラブはついに決断を下した。監督はもはやチームを率いることはない。クラブは昨夜、"
    "カップ戦の決勝で勝利した直後に監督の解任を発表した。試合終了の笛の後、選手と首脳陣の"
    "間で激しい口論があったと伝えられている。</p>"
    "<p>なぜクラブがこの時期を選んだのかは、すでに誰の目にも明らかだ。首脳陣は数週間前から"
    "指揮官の交代を望んでおり、リーグ戦が二試合を残した段階で決定が下された。</p>"
    "<p>後任候補の名前はすでにいくつも挙がっているが、最終的な選択はシーズンが終わる数週間後"
    "になる見通しだ。新監督は夏の合宿から指揮を執ることになるだろう。</p>"
    "<p>サポーターの反応は分かれている。長年の功績を称える声がある一方で、守備的な戦い方に"
    "不満を募らせていたファンも少なくない。スタジアムでは試合後、前監督の名前を叫ぶ声と"
    "ブーイングが入り混じった。</p>"
    "<p>クラブの会長は声明の中で、これまでの貢献に感謝の意を表すとともに、新しい時代の"
    "始まりを強調した。来季に向けた補強の方針は、新監督の就任後に改めて発表される予定だ。"
    "選手たちは来週から休暇に入り、七月上旬に再び集合する。</p>"
)


def article_html(
    title: str, prose: str = ITALIAN_PROSE, *, lang: str = "it", head: str = ""
) -> str:
    """Return a news article page: a headline and a body of prose."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title>{head}</head>'
        f'<body><h1>{title}</h1><div class="entry-content">{prose}</div></body></html>'
    )


def rss(items: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Trap</title>"
        f"{items}</channel></rss>"
    ).encode()


def rss_item(link: str, title: str = "Story", published: str = "") -> str:
    date = f"<pubDate>{published}</pubDate>" if published else ""
    return f"<item><title>{title}</title><link>{link}</link>{date}</item>"


ENTITY_BOMB_ITEMS = rss_item("/articles/bomb", "&lol9;")
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n'
        % (level, (b"&lol%s;" % (b"" if level == 1 else b"%d" % (level - 1))) * 10)
        for level in range(1, 10)
    )
    + b"]>\n"
    + rss(ENTITY_BOMB_ITEMS).split(b"?>", 1)[1]
)
# One big entity referred to a thousand times: 13 KB that expand to 10 MB,
# and quadratically more as the document grows.
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
    + b"a" * 10_000
    + b'">\n]>\n'
    + rss(rss_item("/articles/blowup", "&a;" * 1000)).split(b"?>", 1)[1]
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
    + rss(rss_item("/articles/xxe", "Leak: &xxe;")).split(b"?>", 1)[1]
)


def entity_bomb_in(encoding: str) -> bytes:
    """The quadratic blowup again, in an encoding where "<!ENTITY" is not ASCII bytes."""
    text = QUADRATIC_BLOWUP.decode().replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>'
    )
    return text.encode(encoding)


def many_entries(count: int) -> bytes:
    """A feed of count entries, newest first, each as small as RSS allows (3 MB for 100,000)."""
    items = "".join(f"<item><link>/s/{number}</link></item>" for number in range(count))
    return rss(items)


UNORDERED_FEED = rss(
    rss_item("/articles/tuesday", "Tuesday", "Tue, 07 May 2024 10:00:00 GMT")
    + rss_item("/articles/sunday", "Sunday", "Sun, 05 May 2024 10:00:00 GMT")
    + rss_item("/articles/wednesday", "Wednesday", "Wed, 08 May 2024 10:00:00 GMT")
    + rss_item("/articles/monday", "Monday", "Mon, 06 May 2024 10:00:00 GMT")
)

JS_ONLY = (HANDMADE / "js-only.html").read_bytes()
INJECTION = (HANDMADE / "injection.html").read_bytes()
# Markup escaped once more than usual: one decoding too many brings it back to
# life. JSON-LD strings are not HTML, so there one escaping is enough.
ESCAPED_MARKUP = article_html(
    "Allegri esonerato: 3 &lt; 4 &amp; &quot;fine&quot;"
    "&amp;lt;script&amp;gt;alert('title')&amp;lt;/script&amp;gt;",
    ITALIAN_PROSE.replace(
        "<p>Per la panchina",
        "<p>&lt;img src=x onerror=alert('text')&gt;&lt;script&gt;alert('text')&lt;/script&gt;"
        "Per la panchina",
    ),
    head=(
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": '
        "\"&lt;img src=x onerror=alert('author')&gt;Mario Rossi\"}}</script>"
    ),
).encode()
# A feed whose headline carries markup, for a page that has no headline of its own.
INJECTED_FEED = rss(
    rss_item(
        "/articles/untitled",
        "&lt;img src=x onerror=alert('feed')&gt;Allegri esonerato&lt;script&gt;alert(2)"
        "&lt;/script&gt;&#0;",
    )
)
UNTITLED = (
    f'<!DOCTYPE html><html lang="it"><body><div class="entry-content">{ITALIAN_PROSE}</div>'
    "</body></html>"
).encode()
WINDOWS_1252_PAGE = article_html(
    "Juve, è finita: Allegri esonerato", head='<meta charset="windows-1252">'
).encode("cp1252")
UTF8_PAGE_SAID_LATIN1 = article_html(
    "Juve, è finita: Allegri esonerato", head='<meta charset="iso-8859-1">'
).encode()
UTF7_PAGE = (
    article_html(
        "Juve, Allegri esonerato",
        ITALIAN_PROSE + "<p>+ADw-script+AD4-alert(7)+ADw-/script+AD4-</p>",
    )
).encode()
# High-entropy bytes, as a video or a brotli body served without its encoding.
NOISE = random.Random(9).randbytes(64 * 1024)  # noqa: S311 - not security randomness

# path: (status, body, content type, extra headers)
STATIC = {
    "/robots.txt": (200, b"User-agent: *\nDisallow: /forbidden/\n", "text/plain", ()),
    "/500": (500, b"oops", "text/html", ()),
    "/404": (404, b"gone", "text/html", ()),
    "/malformed.xml": (
        200,
        b"<?xml version='1.0'?><rss><channel><item><title>x",
        "application/rss+xml",
        (),
    ),
    "/page-not-feed": (200, b"<html><body><p>Just a page</p></body></html>", "text/html", ()),
    "/redirect-private": (302, b"", "text/html", [("Location", "http://10.0.0.1/secret")]),
    "/redirect-file": (302, b"", "text/html", [("Location", "file:///etc/passwd")]),
    "/redirect-loop": (302, b"", "text/html", [("Location", "/redirect-loop")]),
    "/gzip-bomb": (
        200,
        lambda: gzip.compress(b"\0" * (50 * 1024 * 1024)),
        "text/html",
        [("Content-Encoding", "gzip")],
    ),
    "/deflate-bomb": (
        200,
        lambda: zlib.compress(b" " * (50 * 1024 * 1024), 9),
        "application/rss+xml",
        [("Content-Encoding", "deflate")],
    ),
    "/brotli": (200, b"\x1b\x03\x00\xf8", "text/html", [("Content-Encoding", "br")]),
    "/huge": (200, b"<p>" + b"x" * (3 * 1024 * 1024) + b"</p>", "text/html", ()),
    "/image": (200, b"\x89PNG\r\n\x1a\n", "image/png", ()),
    "/png-as-html": (200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + NOISE, "text/html", ()),
    "/noise-as-html": (200, NOISE, "text/html; charset=utf-8", ()),
    "/js-only": (200, JS_ONLY, "text/html; charset=utf-8", ()),
    "/empty": (200, b"", "text/html; charset=utf-8", ()),
    "/forbidden/article": (200, article_html("Vietato").encode(), "text/html", ()),
    "/articles/injection": (200, INJECTION, "text/html; charset=utf-8", ()),
    "/articles/escaped-markup": (200, ESCAPED_MARKUP, "text/html; charset=utf-8", ()),
    "/articles/untitled": (200, UNTITLED, "text/html; charset=utf-8", ()),
    "/articles/good": (200, article_html("Juve, Allegri esonerato").encode(), "text/html", ()),
    "/articles/finnish": (
        200,
        article_html("Valmentaja erotettiin", FINNISH_PROSE, lang="fi").encode(),
        "text/html; charset=utf-8",
        (),
    ),
    "/articles/japanese": (
        200,
        article_html("監督が解任された", JAPANESE_PROSE, lang="ja").encode(),
        "text/html; charset=utf-8",
        (),
    ),
    "/articles/lying-utf8-header": (
        200,
        WINDOWS_1252_PAGE,
        "text/html; charset=utf-8",
        (),
    ),
    "/articles/lying-latin1-header": (
        200,
        UTF8_PAGE_SAID_LATIN1,
        "text/html; charset=iso-8859-1",
        (),
    ),
    "/articles/utf-7": (200, UTF7_PAGE, "text/html; charset=utf-7", ()),
    "/feeds/billion-laughs.xml": (200, BILLION_LAUGHS, "application/rss+xml", ()),
    "/feeds/quadratic-blowup.xml": (200, QUADRATIC_BLOWUP, "application/rss+xml", ()),
    "/feeds/external-entity.xml": (200, EXTERNAL_ENTITY, "application/rss+xml", ()),
    "/feeds/utf-16-blowup.xml": (200, entity_bomb_in("utf-16"), "application/rss+xml", ()),
    "/feeds/ebcdic-blowup.xml": (200, entity_bomb_in("cp037"), "application/rss+xml", ()),
    "/feeds/100000-entries.xml": (200, lambda: many_entries(100_000), "application/rss+xml", ()),
    "/feeds/unordered.xml": (200, UNORDERED_FEED, "application/rss+xml", ()),
    "/feeds/injected.xml": (200, INJECTED_FEED, "application/rss+xml", ()),
    "/feeds/injection.xml": (
        200,
        rss(rss_item("/articles/injection") + rss_item("/articles/escaped-markup")),
        "application/rss+xml",
        (),
    ),
    "/feeds/good.xml": (200, rss(rss_item("/articles/good")), "application/rss+xml", ()),
}


@functools.cache
def body(path: str) -> bytes:
    """Return what TrapHandler serves at path, made once."""
    body = STATIC[path][1]
    return body() if callable(body) else body


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
        if path in STATIC:
            status, _, content_type, headers = STATIC[path]
            return self._send(status, body(path), content_type, headers)
        try:
            return self._misbehave(path)
        except (BrokenPipeError, ConnectionResetError):
            return None  # The client hung up, as it should.

    def _misbehave(self, path):
        if path == "/slow":
            time.sleep(3)
            return self._send(200, b"<rss></rss>", "application/rss+xml")
        if path == "/one-byte-a-second":
            return self._trickle(b"<p>" + b"a" * 60, interval=1.0)
        if path == "/slow-headers":
            # Each byte comes well within the read timeout, so only the
            # deadline can end this: a slow loris from the server's side.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
            for _ in range(120):
                self.wfile.write(b"a")
                self.wfile.flush()
                time.sleep(0.5)
            self.wfile.write(b"\r\nContent-Length: 2\r\n\r\nok")
            return None
        if path in ("/endless", "/endless.xml"):
            return self._endless("application/rss+xml" if path.endswith(".xml") else "text/html")
        if path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(10 * 1024**3))
            self.end_headers()
            self.wfile.write(b"<rss>" + b" " * 1024)
            return None
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

    def _trickle(self, body: bytes, interval: float):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for byte in body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(interval)

    def _endless(self, content_type: str):
        """Send a chunked body that never ends, until the client hangs up (or 1 GB).

        The page starts as an article and goes on with tracking scripts for
        ever; the feed goes on with items for ever.
        """
        self.protocol_version = "HTTP/1.1"
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if content_type == "text/html":
            first = article_html("Juve, Allegri esonerato").removesuffix("</body></html>")
            chunk = "<script>track('ad infinitum')</script>" * 2000
        else:
            first = "<?xml version='1.0'?><rss version='2.0'><channel><title>Endless</title>"
            chunk = rss_item("/articles/again") * 2000
        self._chunk(first.encode())
        for _ in range(1024**3 // len(chunk)):
            self._chunk(chunk.encode())

    def _chunk(self, data: bytes):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
