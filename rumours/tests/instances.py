"""Services of a test's own, on free ports, that the test may stop and start at will.

The fault tests break Redis and PostgreSQL for real, so they must not touch
the ones the rest of the suite (and CI) runs on: each gets its own Redis
server and its own PostgreSQL cluster in a temporary directory, and the
site and the workers run as real processes (gunicorn, celery worker) on
them, configured through the environment like production.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"):
    """Poll condition() until it returns something truthy; return that, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run its tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class OwnRedis:
    """A redis-server on a free port that keeps nothing on disk, like the production one here."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, what="redis to start")
        return self

    def is_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        wait_until(lambda: not self.is_up(), what="redis to stop")


class OwnPostgres:
    """A PostgreSQL cluster in a temporary directory, on a free port, with trust auth."""

    def __init__(self):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="benchwatch-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/faults"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")

    def _ctl(self, *args):
        subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", *args]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def create(self):
        subprocess.run(
            _as_postgres_user(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.start()
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "faults",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        return self

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        # With a log file the server holds none of our pipes open.
        self._ctl("-o", options, "-l", str(self.directory / "log"), "start")

    def restart(self):
        """Stop the server (closing every connection) and start it again on the same port."""
        self._ctl("-m", "fast", "stop")
        self.start()

    def destroy(self):
        try:
            self._ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def environment(database_url: str, redis_url: str, **more) -> dict:
    """The environment of a production-like process on these services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "BENCHWATCH_"))
        and key not in {"PYTEST_CURRENT_TEST"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="fault-tests-only-not-a-secret",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_HTTPS="0",
        DJANGO_STATIC_FINDERS="1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        BENCHWATCH_CACHE_PREFIX=f"faults{os.getpid()}",
        BENCHWATCH_ALLOW_PRIVATE_FETCH="1",
        BENCHWATCH_HOST_INTERVAL="0",
        BENCHWATCH_RESCORE_DELAY="0",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in more.items()})
    return env


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    """Run manage.py with args in env; return its stdout, failing loudly on an error."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def django_shell(env: dict, code: str):
    """Run Python code in a Django shell on these services; return what it prints as JSON."""
    output = manage(env, "shell", "--no-imports", "-c", code)
    lines = [line for line in output.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


class Process:
    """A long-running child process in its own process group, killed with the group."""

    def __init__(self, command: list[str], env: dict, log: Path):
        self.log = log
        self.handle = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(30)

    def stop(self):
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_site(env: dict, log: Path) -> tuple[Process, str]:
    """Serve the site with gunicorn (production settings from env); return it and its URL."""
    port = free_port()
    site = Process(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        env,
        log,
    )
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return httpx.get(f"{url}/accounts/login/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, timeout=60, what=f"gunicorn to answer (log: {log})")
    return site, url


def start_worker(env: dict, log: Path, name: str = "worker") -> Process:
    """Start a real Celery worker (one process, no prefetch) on env's broker."""
    return Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        env,
        log,
    )
