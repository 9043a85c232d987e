"""The one HTTP client Benchwatch fetches the web with, as a polite and careful guest.

Every request goes through `fetch`: timeouts and an overall deadline, a size
cap on the decoded body (gzip is inflated in bounded steps, so a bomb stops at
the cap), at most a few redirects, allowed content types only, robots.txt
honoured, a minimum interval per host shared through the cache (Redis when
configured), conditional GET, and retries with backoff for timeouts and 5xx.
Addresses on private, loopback, link-local or multicast networks are refused,
at every redirect hop and again at the address actually connected to (a DNS
answer can change between the check and the connection), unless
BENCHWATCH_ALLOW_PRIVATE_FETCH allows them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
    }
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ROBOTS_TYPES = frozenset({"text/plain", ""})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A fetch that failed for good: a 404, a refused address, a body of the wrong kind."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class TransientFetchError(FetchError):
    """A fetch that may work later: a timeout, a dropped connection, a 5xx or a 429."""


class RobotsDisallowed(FetchError):
    """robots.txt asks crawlers to keep out of this path."""


class PrivateAddressRefused(FetchError):
    """The host resolves to an address the fetcher must not reach."""


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of one fetch; defaults come from settings."""

    max_bytes: int
    accept: frozenset[str]
    truncate: bool = False  # keep the first max_bytes instead of failing


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    etag: str = ""
    last_modified: str = ""
    truncated: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _setting(name: str, default):
    return getattr(settings, name, default)


def user_agent() -> str:
    return _setting(
        "BENCHWATCH_USER_AGENT",
        "BenchwatchBot/1.0 (+https://benchwatch.example/sources/; coach-market news reader)",
    )


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_host_is_public(host: str, port: int) -> None:
    """Refuse hosts that resolve to any non-public address."""
    if _setting("BENCHWATCH_ALLOW_PRIVATE_FETCH", False):
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host}: {error}") from error
    for info in infos:
        address = info[4][0]
        if not is_public_address(address):
            raise PrivateAddressRefused(f"{host} resolves to {address}, a non-public address")


class GuardedTransport(httpx.HTTPTransport):
    """The network transport: checks addresses, keeps to the host's pace, minds the deadline.

    Read timeouts bound each wait for bytes, not their sum: a server sending
    its headers a byte at a time, each within the timeout, would hold a
    worker for hours. So a watchdog shuts the connection at the deadline
    (passed in the request's "deadline" extension) if the headers are not in
    by then; _read_body checks the deadline for the body.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        check_host_is_public(request.url.host, port)
        wait_for_host_slot(request.url.host)
        watch = _ConnectionWatch(request.url.host)
        request.extensions["trace"] = watch.trace
        deadline = request.extensions.get("deadline")
        if deadline is None:
            return super().handle_request(request)
        watchdog = threading.Timer(max(deadline - time.monotonic(), 0), watch.expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            return super().handle_request(request)
        finally:
            watchdog.cancel()


class _ConnectionWatch:
    """The sockets one request connects with: checked as they open, shut when time is up."""

    def __init__(self, host: str):
        self.host = host
        self.sockets: list[socket.socket] = []
        self.expired = threading.Event()

    def trace(self, event: str, info: dict) -> None:
        """httpcore's trace hook: note each new connection, and refuse a private peer.

        The host name was checked before connecting, but the connection
        resolves it again; a DNS answer that changed in between (DNS
        rebinding) is caught here, before a byte of the request is sent.
        """
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        sock = info["return_value"].get_extra_info("socket")
        if event == "connection.connect_tcp.complete" and not _setting(
            "BENCHWATCH_ALLOW_PRIVATE_FETCH", False
        ):
            address = sock.getpeername()[0]
            if not is_public_address(address):
                sock.close()
                raise PrivateAddressRefused(
                    f"{self.host} connected to {address}, a non-public address"
                )
        self.sockets.append(sock)
        if self.expired.is_set():
            _shut(sock)  # Connected just as the watchdog went off.

    def expire(self) -> None:
        """Wake any read blocked on these connections: it sees them end."""
        self.expired.set()
        for sock in list(self.sockets):
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, even for a TLS socket: SSLSocket's would
    # tear down its SSL state under the reading thread.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_client: httpx.Client | None = None


def client() -> httpx.Client:
    """Return the process-wide client (connection pooling; safe across threads)."""
    global _client
    if _client is None:
        _client = httpx.Client(
            # No keep-alive: the watchdog and the address check see a
            # connection as it opens, and a reused one would escape both.
            transport=GuardedTransport(retries=0, limits=httpx.Limits(max_keepalive_connections=0)),
            timeout=httpx.Timeout(
                _setting("BENCHWATCH_READ_TIMEOUT", 10.0),
                connect=_setting("BENCHWATCH_CONNECT_TIMEOUT", 5.0),
            ),
            follow_redirects=False,
            headers={
                "User-Agent": user_agent(),
                "Accept-Encoding": "gzip, deflate",
                "Accept-Language": "it, en;q=0.9, es;q=0.8, *;q=0.5",
            },
        )
    return _client


def use_client(new_client: httpx.Client | None) -> httpx.Client | None:
    """Swap the process-wide client and return the previous one.

    The demo snapshot reads recorded files through a client of its own.
    """
    global _client
    previous, _client = _client, new_client
    return previous


def media_type(content_type: str) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = content_type or ""
    charset = message.get_param("charset")
    return message.get_content_type() if content_type else "", (
        str(charset).strip().lower() if charset else None
    )


class _Inflater:
    """Inflate gzip or deflate in bounded steps, so output never outgrows the cap."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        # Some servers send raw deflate without the zlib header: the first
        # chunk tells, and a failure there switches to raw mode once.
        self.probing = encoding == "deflate"
        if encoding == "gzip":
            self.engine = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.engine = zlib.decompressobj()
        else:
            self.engine = None

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self.engine is None:
            return chunk[: room + 1]
        try:
            if self.probing:
                self.probing = False
                try:
                    return self.engine.decompress(chunk, room + 1)
                except zlib.error:
                    self.engine = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.engine.decompress(chunk, room + 1)
        except zlib.error as error:
            raise FetchError(f"corrupt {self.encoding} body: {error}") from error


def _read_body(
    response: httpx.Response, policy: FetchPolicy, deadline: float
) -> tuple[bytes, bool]:
    """Read at most policy.max_bytes of decoded body before the deadline."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "deflate", "x-gzip", ""):
        raise FetchError(f"unsupported content encoding {encoding!r}")
    inflater = _Inflater("gzip" if encoding == "x-gzip" else encoding)
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        if time.monotonic() > deadline:
            raise TransientFetchError("the body arrived too slowly (deadline passed)")
        data = inflater.feed(chunk, policy.max_bytes - size)
        # Drain what zlib held back while there is still room under the cap.
        while (
            inflater.engine is not None
            and inflater.engine.unconsumed_tail
            and size + len(data) <= policy.max_bytes
        ):
            data += inflater.engine.decompress(
                inflater.engine.unconsumed_tail, policy.max_bytes - size - len(data) + 1
            )
        size += len(data)
        parts.append(data)
        if size > policy.max_bytes:
            if not policy.truncate:
                raise FetchError(f"body larger than the cap of {policy.max_bytes} bytes")
            return b"".join(parts)[: policy.max_bytes], True
    return b"".join(parts), False


def wait_for_host_slot(host: str) -> None:
    """Space requests to one host by the minimum interval, across all workers.

    A key in the shared cache (Redis in production) marks the host busy for
    the interval; whoever adds it goes, the others wait their turn.
    """
    interval = _setting("BENCHWATCH_HOST_INTERVAL", 2)
    if interval <= 0:
        return
    key = f"fetch-slot:{host}"
    give_up = time.monotonic() + _setting("BENCHWATCH_HOST_WAIT_LIMIT", 60)
    while not cache.add(key, 1, timeout=interval):
        if time.monotonic() > give_up:
            raise TransientFetchError(f"{host} is busy: waited too long for a polite slot")
        time.sleep(0.1)


def robots_allows(url: str) -> bool:
    """Ask the host's robots.txt (cached per host) whether our crawler may fetch url."""
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    key = f"robots:{root}"
    rules = cache.get(key)
    if rules is None:
        rules = _fetch_robots(root)
        cache.set(key, rules, _setting("BENCHWATCH_ROBOTS_TTL", 3600))
    if rules in ("allow-all", "deny-all"):
        return rules == "allow-all"
    parser = RobotFileParser()
    parser.parse(rules.splitlines())
    return parser.can_fetch(user_agent(), url)


def _fetch_robots(root: str) -> str:
    """Return robots.txt text, or a verdict when there is none (RFC 9309 section 2.3.1).

    A 4xx means no rules: everything is allowed. An unreachable host or a
    5xx raises TransientFetchError, so nothing is fetched until robots.txt
    can be read (and nothing is cached meanwhile).
    """
    policy = FetchPolicy(max_bytes=512 * 1024, accept=frozenset(), truncate=True)
    try:
        fetched = _fetch_once(urljoin(root, "/robots.txt"), policy, {}, check_robots=False)
    except TransientFetchError:
        raise
    except FetchError as error:
        if getattr(error, "status", None) and 400 <= error.status < 500:
            return "allow-all"
        raise
    return fetched.body.decode("utf-8", errors="replace")


def _fetch_once(url: str, policy: FetchPolicy, headers: dict, *, check_robots: bool) -> Fetched:
    deadline = time.monotonic() + _setting("BENCHWATCH_FETCH_DEADLINE", 30.0)
    max_redirects = _setting("BENCHWATCH_MAX_REDIRECTS", 5)
    for _ in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {url!r}")
        if check_robots and not robots_allows(url):
            raise RobotsDisallowed(f"robots.txt disallows {url}")
        try:
            with client().stream(
                "GET", url, headers=headers, extensions={"deadline": deadline}
            ) as response:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location", "")
                    if not location:
                        raise FetchError(f"HTTP {response.status_code} without a Location")
                    url = urljoin(url, location)
                    continue
                return _finish(response, url, policy, deadline)
        except httpx.TimeoutException as error:
            raise TransientFetchError(f"timed out fetching {url}: {error!r}") from error
        except httpx.TransportError as error:
            if time.monotonic() >= deadline:
                # The watchdog shut the connection (GuardedTransport).
                raise TransientFetchError(
                    f"{url} sent no response before the deadline (too slowly)"
                ) from error
            raise TransientFetchError(f"cannot reach {url}: {error!r}") from error
    raise FetchError(f"more than {max_redirects} redirects")


def _finish(response: httpx.Response, url: str, policy: FetchPolicy, deadline: float) -> Fetched:
    status = response.status_code
    if status == 304:
        return Fetched(url=url, status=304, body=b"", content_type="", charset=None)
    if status in RETRY_STATUSES:
        raise TransientFetchError(f"HTTP {status} from {url}", status)
    if status >= 400:
        raise FetchError(f"HTTP {status} from {url}", status)
    if status != 200:
        raise FetchError(f"unexpected HTTP {status} from {url}")
    kind, charset = media_type(response.headers.get("content-type", ""))
    if policy.accept and kind not in policy.accept:
        raise FetchError(
            f"{url} is {kind or 'of no declared type'}, not one of {sorted(policy.accept)}"
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes * 4 and not policy.truncate:
        raise FetchError(f"body of {declared} bytes is over the cap of {policy.max_bytes}")
    body, truncated = _read_body(response, policy, deadline)
    return Fetched(
        url=url,
        status=status,
        body=body,
        content_type=kind,
        charset=charset,
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
        truncated=truncated,
    )


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    etag: str = "",
    last_modified: str = "",
) -> Fetched:
    """Fetch url within policy; retry timeouts and 5xx with exponential backoff.

    Raises FetchError (permanent) or TransientFetchError (worth retrying later).
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    attempts = _setting("BENCHWATCH_FETCH_ATTEMPTS", 3)
    backoff = _setting("BENCHWATCH_FETCH_BACKOFF", 0.5)
    for attempt in range(attempts):
        try:
            return _fetch_once(url, policy, headers, check_robots=True)
        except TransientFetchError:
            if attempt + 1 == attempts:
                raise
            time.sleep(backoff * 2**attempt)
    raise AssertionError("unreachable")


def page_policy() -> FetchPolicy:
    return FetchPolicy(
        max_bytes=_setting("BENCHWATCH_MAX_PAGE_BYTES", 2 * 1024 * 1024),
        accept=HTML_TYPES,
        truncate=True,
    )


def feed_policy() -> FetchPolicy:
    return FetchPolicy(
        max_bytes=_setting("BENCHWATCH_MAX_FEED_BYTES", 5 * 1024 * 1024),
        accept=FEED_TYPES | HTML_TYPES,
    )
