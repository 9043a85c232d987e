"""Shared fixtures: a fan, a coach, a club and a logged-in client."""

import os

import pytest

from rumours.gazetteer.loading import load_gazetteer
from rumours.models import Coach

from .factories import ClubFactory, CoachFactory, UserFactory
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


@pytest.fixture
def newsite():
    """The mock news site (../shared/newsite) over real HTTP; yields (base URL, server)."""
    with serve_newsite() as (base, server):
        yield base, server
