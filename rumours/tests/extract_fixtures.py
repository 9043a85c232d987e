"""Fixtures and helpers shared by the extraction tests (test_extract_*.py).

The real gazetteer is loaded once per test module inside a transaction that
is rolled back when the module is done, so no other test module sees its
rows; each test then runs in its own savepoint as usual.
"""

import pytest
from django.db import transaction

from rumours.extract.gazetteer_index import clear_index
from rumours.extract.links import analyse_article
from rumours.gazetteer.loading import load_gazetteer


@pytest.fixture(scope="module")
def real_gazetteer(django_db_setup, django_db_blocker):
    """The bundled gazetteer, loaded for one test module and then rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_gazetteer()
        clear_index()
        yield
        transaction.set_rollback(True)
    clear_index()


def links_in(text: str, title: str = "", language: str = "") -> set[tuple[str, str, str]]:
    """The (coach, club, kind) triples an article yields, by canonical names."""
    return {
        (link.coach.full_name, link.club.short_name, link.kind)
        for link in analyse_article(text, title=title, language=language).links
    }


def pairs_in(text: str, title: str = "", language: str = "") -> set[tuple[str, str]]:
    """The (coach, club) pairs an article links, whatever the kind."""
    return {(coach, club) for coach, club, _ in links_in(text, title, language)}
