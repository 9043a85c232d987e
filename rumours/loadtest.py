"""Load tests for `make bench`: the real server (gunicorn) under a real load generator (wrk).

Why this way: a page's speed under concurrent clients depends on gunicorn's
workers, the database's connections and the cache, none of which an
in-process test client exercises. So the site runs as in production (sync
gunicorn workers, DEBUG off, PostgreSQL and Redis from the environment) and
wrk, a C load generator that costs the server's cores little, hammers one
URL at a time. Each page's requests per second are reported as a ratio to
/healthz/ served by the same server in the same run, so the figures compare
across machines, and are honest about a load generator sharing the cores.

The vote test posts as 200 logged-in fans at once on one rumour, each fan
flipping between "reliable" and "unreliable", then checks in the database
that every fan holds exactly one vote: nothing lost, nothing doubled.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from .models import Rumour, User, Vote

WRK = shutil.which("wrk") or "/usr/bin/wrk"
CONNECTIONS = 16
THREADS = 2
# wrk drops requests slower than its timeout (2 s by default) from the
# latency figures; a slow page must show up in them instead.
WRK_TIMEOUT = "30s"
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


class LoadTestError(Exception):
    """The server or the load generator did not do what a measurement needs."""


@dataclass
class WrkResult:
    """What one wrk run reports: throughput, latency percentiles (ms) and failures."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)  # from a script's done()
    posts: dict[int, int] = field(default_factory=dict)  # by voter, from the vote script

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


def _milliseconds(number: str, unit: str) -> float:
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's --latency report (wrk 4.x text) into a WrkResult."""

    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise LoadTestError(f"wrk output has no {pattern!r}:\n{output}")
        return match

    total = find(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),")
    p50 = find(r"^\s*50(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$")
    p99 = find(r"^\s*99(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$")
    rate = find(r"^Requests/sec:\s+([\d.]+)")
    non_2xx = re.search(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", output, re.MULTILINE)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    statuses = {
        int(code): int(count)
        for code, count in re.findall(r"^status (\d+): (\d+)$", output, re.MULTILINE)
    }
    posts = {
        int(voter): int(count)
        for voter, count in re.findall(r"^posts (\d+): (\d+)$", output, re.MULTILINE)
    }
    return WrkResult(
        requests=int(total[1]),
        seconds=_milliseconds(total[2], total[3]) / 1000,
        requests_per_second=float(rate[1]),
        p50_ms=_milliseconds(p50[1], p50[2]),
        p99_ms=_milliseconds(p99[1], p99[2]),
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=(
            dict(
                zip(
                    ("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True
                )
            )
            if sockets
            else {}
        ),
        statuses=statuses,
        posts=posts,
    )


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
    script: Path | None = None,
) -> WrkResult:
    """Drive url with wrk for `seconds` and return what it measured."""
    if not Path(WRK).exists():
        raise LoadTestError("wrk is not installed (make bench installs Debian's package)")
    command = [WRK, "--latency", "-t", str(threads), "-c", str(connections)]
    command += ["-d", f"{max(1, round(seconds))}s", "--timeout", WRK_TIMEOUT]
    if script is not None:
        command += ["-s", str(script)]
    finished = subprocess.run(  # noqa: S603 - a fixed program, our own arguments  # nosec B603
        [*command, url], capture_output=True, text=True, timeout=seconds + 90, check=False
    )
    if finished.returncode != 0:
        raise LoadTestError(f"wrk failed ({finished.returncode}): {finished.stderr.strip()}")
    return parse_wrk(finished.stdout)


def wrk_version() -> str:
    """Return wrk's version line ("wrk debian/4.1.0-3+b2 [epoll]"), or "" without wrk."""
    if not Path(WRK).exists():
        return ""
    shown = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    first = (shown.stdout or shown.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else ""


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def default_workers() -> int:
    """gunicorn's advice for sync workers: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def server_environment() -> dict[str, str]:
    """The environment of the server: production settings over this process's services.

    The secret key is this process's, so sessions made here for the vote
    test are valid there. Rate limits are off: every request comes from one
    address, and the load would measure the limits, not the pages.
    """
    return {
        **os.environ,
        "BENCHWATCH_RATE_LIMITS": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "0",
        "DJANGO_STATIC_FINDERS": "1",
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class Server:
    base_url: str
    workers: int
    log: Path
    pid: int  # gunicorn's arbiter; the workers are its children

    def worker_cpu_ticks(self) -> int | None:
        """CPU time the workers have used so far, in clock ticks; None without /proc."""
        total = 0
        try:
            entries = list(Path("/proc").iterdir())
        except OSError:
            return None
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                # After the ")" closing the command name: state, ppid, ... utime, stime.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.pid:
                total += int(fields[11]) + int(fields[12])
        return total

    def wait_until_idle(self, *, quiet: float = 0.6, within: float = 180.0) -> float:
        """Wait until no worker has used CPU for `quiet` seconds; return the seconds waited.

        A sync worker finishes every request it has read, even one whose
        client (wrk, at the end of a run) has gone: those must not be
        counted in the next measurement.
        """
        started = time.monotonic()
        last, still_since = self.worker_cpu_ticks(), time.monotonic()
        if last is None:
            time.sleep(5)
            return 5.0
        while time.monotonic() - started < within:
            time.sleep(0.2)
            now, ticks = time.monotonic(), self.worker_cpu_ticks()
            # Idle workers still tick now and then (gunicorn's heartbeat).
            if ticks is not None and ticks - last > 1:
                last, still_since = ticks, now
            elif now - still_since >= quiet:
                break
        return time.monotonic() - started


@contextmanager
def gunicorn(workers: int | None = None, *, ready_within: float = 60.0) -> Iterator[Server]:
    """Run the site under gunicorn on a free local port; stop it (and its workers) after."""
    workers = workers or default_workers()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="benchwatch-gunicorn-") as directory:
        log = Path(directory) / "gunicorn.log"
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application"]
        command += ["--worker-class", "sync", "--workers", str(workers)]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "5"]
        command += ["--log-level", "warning", "--chdir", str(settings.BASE_DIR)]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments  # nosec B603
                command,
                env=server_environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )
        server = Server(f"http://127.0.0.1:{port}", workers, log, process.pid)
        try:
            _wait_until_ready(server, process, ready_within)
            yield server
        finally:
            _stop(process)


def _wait_until_ready(server: Server, process: subprocess.Popen, within: float):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadTestError(f"gunicorn exited at start:\n{_tail(server.log)}")
        try:
            if fetch(f"{server.base_url}/healthz/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise LoadTestError(f"gunicorn did not answer /healthz/ within {within:.0f} s")


def _stop(process: subprocess.Popen):
    """Stop gunicorn's whole process group: the arbiter and every worker."""
    for sent, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def fetch(url: str, timeout: float = 30.0) -> tuple[int, int]:
    """GET url once; return (status, body length)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our server  # nosec B310
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


# ---------------------------------------------------------------- the pages


@dataclass
class PageLoad:
    label: str
    path: str
    status: int
    size: int
    result: WrkResult


def warm_up(server: Server, url: str, rounds: int = 2) -> tuple[int, int]:
    """GET url from as many clients as there are workers, twice; return (status, size).

    Each worker then has the page's code, templates and rows in its caches,
    and no request is left running when the measurement starts.
    """
    with ThreadPoolExecutor(max_workers=server.workers) as pool:
        for _ in range(rounds):
            answers = list(pool.map(fetch, [url] * server.workers))
    return answers[0]


def load_pages(
    server: Server,
    pages: list[tuple[str, str]],
    *,
    seconds: float = 12.0,
    progress=None,
) -> list[PageLoad]:
    """Measure each (label, path) under CONNECTIONS clients, after a warm-up.

    Refuses a page that does not answer 200: its speed would mean nothing.
    """
    say = progress or (lambda message: None)
    measured = []
    for label, path in pages:
        url = f"{server.base_url}{path}"
        status, size = warm_up(server, url)
        if status != 200:
            raise LoadTestError(f"{path} answered {status}:\n{_tail(server.log)}")
        result = run_wrk(url, seconds=seconds)
        server.wait_until_idle()
        say(
            f"  {label}: {result.requests_per_second:,.1f} req/s, p50 {result.p50_ms:,.1f} ms, "
            f"p99 {result.p99_ms:,.1f} ms, {result.errors} errors"
        )
        measured.append(PageLoad(label, path, status, size, result))
    return measured


# ---------------------------------------------------------------- the votes


@dataclass
class VoteStorm:
    rumour_id: int
    voters: int
    result: WrkResult
    votes_before: int
    votes_after: int
    voters_with_a_vote: int
    voter_rows: int
    tally_after: int  # the rumour's stored reliable + unreliable counters, as pages show them
    lost: int  # fans who posted and hold no vote
    drained_seconds: float = 0.0

    @property
    def posted(self) -> int:
        """Fans who sent at least one vote."""
        return sum(1 for count in self.result.posts.values() if count)

    @property
    def fewest_posts(self) -> int:
        return min(self.result.posts.values(), default=0)

    @property
    def doubled(self) -> int:
        """Rows beyond one per fan, and rows the count gained that no fan accounts for."""
        extra_rows = self.voter_rows - self.voters_with_a_vote
        unexplained = (self.votes_after - self.votes_before) - self.voter_rows
        return extra_rows + max(0, unexplained)


_VOTE_SCRIPT = """\
-- Written by rumours/loadtest.py: fans post their verdict on one rumour,
-- each flipping between reliable and unreliable; never a withdrawal.
local voters = {
%(voters)s
}
local path = "%(path)s"
local host = "%(host)s"
local thread_count = %(threads)d
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  turn = 0
  posts = {}
  requests = {}
  for index, voter in ipairs(voters) do
    local headers = {
      ["Host"] = host,
      ["Cookie"] = voter[1],
      ["X-CSRFToken"] = voter[2],
      ["HX-Request"] = "true",
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }
    requests[index] = {
      wrk.format("POST", path, headers, "value=reliable"),
      wrk.format("POST", path, headers, "value=unreliable"),
    }
    posts[index] = 0
  end
end

function request()
  -- Thread t posts for fans t+1, t+1+T, t+1+2T...: a fan's posts never race
  -- another thread's, and each fan alternates its verdict.
  local mine = math.floor((#voters - offset - 1) / thread_count) + 1
  local index = offset + (turn %% mine) * thread_count + 1
  turn = turn + 1
  posts[index] = posts[index] + 1
  return requests[index][(posts[index] %% 2) + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, posted = {}, {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
    for index, count in pairs(thread:get("posts")) do
      posted[index] = (posted[index] or 0) + count
    end
  end
  for code, count in pairs(total) do
    io.write(string.format("status %%d: %%d\\n", code, count))
  end
  for index, count in pairs(posted) do
    io.write(string.format("posts %%d: %%d\\n", index - 1, count))
  end
end
"""


def vote_script(voters: list[tuple[str, str]], path: str, host: str, threads: int) -> str:
    """Return wrk's Lua script posting votes to path as each (cookie header, CSRF token)."""
    return _VOTE_SCRIPT % {
        "voters": ",\n".join(f'  {{"{cookie}", "{token}"}}' for cookie, token in voters),
        "path": path,
        "host": host,
        "threads": threads,
    }


def make_voters(count: int, tag: str) -> list[User]:
    """Create count fans who never log in with a password (bulk); return them."""
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"{tag}-{index}", email=f"{tag}-{index}@example.com", password=unusable)
            for index in range(count)
        ]
    )
    # Read back: not every database returns the ids of a bulk insert.
    return list(User.objects.filter(username__startswith=f"{tag}-").order_by("pk"))


def log_in(voters: list[User]) -> list[tuple[str, str, str]]:
    """Open a session for each voter; return (session key, cookie header, CSRF token).

    The CSRF cookie holds an unmasked secret, which Django also accepts as
    the X-CSRFToken header.
    """
    logged_in = []
    for voter in voters:
        client = Client()
        client.force_login(voter)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        token = get_random_string(32)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={token}"
        )
        logged_in.append((session_key, cookie, token))
    return logged_in


def vote_storm(
    server: Server,
    rumour: Rumour,
    *,
    voters: int = 200,
    seconds: float = 20.0,
    threads: int = THREADS,
    progress=None,
) -> VoteStorm:
    """Post votes on rumour as `voters` fans over as many connections; count what was stored.

    The fans, their sessions and their votes are deleted afterwards.
    """
    say = progress or (lambda message: None)
    tag = f"bench-voter-{time.time_ns()}"
    fans = make_voters(voters, tag)
    sessions = log_in(fans)
    say(f"  {len(fans)} fans logged in")
    path = reverse("rumours:vote", args=[rumour.pk])
    votes_before = Vote.objects.filter(rumour=rumour).count()
    try:
        with tempfile.TemporaryDirectory(prefix="benchwatch-wrk-") as directory:
            script = Path(directory) / "vote.lua"
            host = server.base_url.removeprefix("http://")
            credentials = [(cookie, token) for _, cookie, token in sessions]
            script.write_text(vote_script(credentials, path, host, threads))
            result = run_wrk(
                f"{server.base_url}{path}",
                seconds=seconds,
                connections=voters,
                threads=threads,
                script=script,
            )
        drained = server.wait_until_idle()
        mine = Vote.objects.filter(rumour=rumour, user__in=fans)
        holding = set(mine.values_list("user_id", flat=True))
        posted = [fans[index] for index, count in result.posts.items() if count]
        tally = Rumour.objects.get(pk=rumour.pk)
        storm = VoteStorm(
            rumour_id=rumour.pk,
            voters=len(fans),
            result=result,
            votes_before=votes_before,
            votes_after=Vote.objects.filter(rumour=rumour).count(),
            voters_with_a_vote=len(holding),
            voter_rows=mine.count(),
            tally_after=tally.reliable_count + tally.unreliable_count,
            lost=sum(1 for fan in posted if fan.pk not in holding),
            drained_seconds=drained,
        )
    finally:
        Session.objects.filter(session_key__in=[key for key, _, _ in sessions]).delete()
        User.objects.filter(username__startswith=f"{tag}-").delete()
        Rumour.objects.filter(pk=rumour.pk).recount()  # Their votes went with them.
    say(
        f"  {result.requests:,} posts, {result.requests_per_second:,.1f} req/s, "
        f"p99 {result.p99_ms:,.0f} ms, statuses {dict(sorted(result.statuses.items()))}; "
        f"{storm.posted} fans posted, {storm.fewest_posts}+ times each; "
        f"lost {storm.lost}, doubled {storm.doubled}"
    )
    return storm
