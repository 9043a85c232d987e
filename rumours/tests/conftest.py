"""Shared fixtures: a fan, a coach, a club and a logged-in client."""

import os
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.celery import app
from rumours import page_cache
from rumours.extract.attribution import forget_sources
from rumours.gazetteer.loading import load_gazetteer
from rumours.models import Coach

from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
)
from .servers import serve_newsite


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real gazetteer once into the test database; tests roll back over it."""
    with django_db_blocker.unblock():
        load_gazetteer()


@pytest.fixture
def gazetteer(db):
    """The real clubs, coaches and outlets (reloaded if a transactional test flushed them)."""
    if not Coach.objects.filter(slug="massimiliano-allegri").exists():
        load_gazetteer()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def coach(db):
    return CoachFactory()


@pytest.fixture
def club(db):
    return ClubFactory()


@pytest.fixture
def report(db):
    """Return report(rumour, ...): record one article's evidence on a rumour, as extraction would.

    Each call is a new outlet (unless source= is given) and a quote of its
    own: words= puts stage words in it ("talks"), quote= sets it whole.
    """

    def record(
        rumour,
        *,
        tier=2,
        source=None,
        kind="rumour",
        words="",
        quote=None,
        confidence=0.8,
        days_ago=1.0,
        at=None,
        credited=None,
        author="",
        title=None,
        language="en",
    ):
        source = source or SourceFactory(tier=tier, language=language)
        published = at or timezone.now() - timedelta(days=days_ago)
        article = ArticleFactory(
            source=source,
            published_at=published,
            language=language,
            author=author,
            **({"title": title} if title else {}),
        )
        own_words = " ".join(uuid.uuid4().hex[:8] for _ in range(5))
        evidence = EvidenceFactory(
            rumour=rumour,
            article=article,
            kind=kind,
            quote=quote if quote is not None else f"{words} {own_words}".strip(),
            confidence=confidence,
            credited_source=credited,
            credited_to=credited.name if credited else "",
        )
        if rumour.evidence.count() == 1:
            # The first report opens the rumour, as record_evidence does.
            rumour.first_seen_at = rumour.last_seen_at = published
            rumour.kind = kind
            rumour.save(update_fields=["first_seen_at", "last_seen_at", "kind"])
        else:
            rumour.take_evidence_into_account(kind, published)
        return evidence

    return record


@pytest.fixture
def in_process_tasks():
    """Run Celery tasks in the test's thread, even where CI configures a broker (Redis).

    The cache is emptied first, so no debounce key left by another test
    holds a task back.
    """
    cache.clear()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def fan_client(client, user):
    client.force_login(user)
    return client


def pytest_collection_modifyitems(config, items):
    """Skip tests that need real Redis when REDIS_URL is unset (CI always sets it)."""
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(reason="needs REDIS_URL (a real Redis)")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply; real hashing costs a second per test user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_cached_sources():
    """Start each test with attribution's list of sources unread: another test's rolled back."""
    forget_sources()


@pytest.fixture(autouse=True)
def no_cached_pages():
    """Start each test with no cached page or page version: ids and slugs repeat across tests."""
    if hasattr(cache, "delete_pattern"):  # Redis: leave the broker's and others' keys alone.
        cache.delete_pattern(f"{page_cache.NAMESPACE}:*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def no_rate_limit_counts(settings):
    """Start each test with no rate limit used: the whole suite comes from one address."""
    if hasattr(cache, "delete_pattern"):  # Redis: leave the broker's and others' keys alone.
        cache.delete_pattern(f"{settings.RATELIMIT_CACHE_PREFIX}*")
    else:
        cache.clear()


@pytest.fixture
def newsite():
    """The mock news site (../shared/newsite) over real HTTP; yields (base URL, server)."""
    with serve_newsite() as (base, server):
        yield base, server
