"""With REDIS_URL set, Redis really is the cache and the broker."""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from portal.celery import app


@pytest.mark.redis
def test_the_cache_round_trips_through_redis():
    cache.set("benchwatch-test-key", {"coach": "Allegri"}, 30)
    assert cache.get("benchwatch-test-key") == {"coach": "Allegri"}
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(b"benchwatch-test-key" in key for key in client.keys("*benchwatch-test-key*"))
    cache.delete("benchwatch-test-key")


@pytest.mark.redis
def test_celery_uses_the_redis_broker_and_real_workers():
    assert app.conf.broker_url == os.environ["REDIS_URL"]
    assert app.conf.task_always_eager is False


def test_without_a_broker_tasks_run_in_process():
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured")
    assert app.conf.task_always_eager is True
