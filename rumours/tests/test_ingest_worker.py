"""The pipeline through a real Celery worker on the real Redis broker (CI runs it)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.celery import app
from rumours.models import Article, Evidence, Rumour
from rumours.tasks import poll_source

from .test_ingest_pipeline import MANIFEST, newsite_sources

PROJECT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker():
    """Start `celery worker` on the test database; stop it after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share the in-memory SQLite test database")
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BENCHWATCH_ALLOW_PRIVATE_FETCH": "1",
        "BENCHWATCH_HOST_INTERVAL": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_ingests_the_mock_site_once(gazetteer, newsite, worker):
    sources = newsite_sources(newsite[0])
    expected = len(MANIFEST["articles"])
    for source in sources:
        poll_source.delay(source.pk)
    finished = wait_for(
        lambda: Article.objects.filter(extracted_at__isnull=False).count() >= expected
    )
    assert finished, worker.stdout.read1(100000) if worker.poll() is not None else "worker too slow"
    counts = (Article.objects.count(), Evidence.objects.count(), Rumour.objects.count())
    assert counts[0] == expected

    for source in sources:
        poll_source.delay(source.pk)
    time.sleep(5)
    assert (Article.objects.count(), Evidence.objects.count(), Rumour.objects.count()) == counts
