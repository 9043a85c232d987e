"""The public pages render what the database holds, and refuse what they should."""

import pytest
from django.urls import reverse

from .factories import ArticleFactory, ClubFactory, CoachFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_home_lists_coaches_with_their_rumours(client):
    evidence = EvidenceFactory(rumour__kind="rumour")
    response = client.get(reverse("rumours:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert evidence.rumour.coach.full_name in page
    assert evidence.rumour.club.short_name in page


def test_coach_board_shows_each_linked_club_with_its_evidence(client):
    evidence = EvidenceFactory(quote="Talks are at an advanced stage.")
    response = client.get(evidence.rumour.coach.get_absolute_url())
    page = response.content.decode()
    assert evidence.rumour.club.short_name in page
    assert "Talks are at an advanced stage." in page
    assert evidence.article.url in page


def test_a_free_agent_is_shown_as_such(client):
    coach = CoachFactory(current_club=None)
    assert "Free agent" in client.get(coach.get_absolute_url()).content.decode()


def test_club_page_shows_the_current_coach(client):
    club = ClubFactory()
    coach = CoachFactory(current_club=club)
    assert coach.full_name in client.get(club.get_absolute_url()).content.decode()


def test_sources_page_shows_unhealthy_outlets(client):
    SourceFactory(name="Broken Outlet", consecutive_failures=5, last_error="connection refused")
    page = client.get(reverse("rumours:source-list")).content.decode()
    assert "Broken Outlet" in page
    assert "unhealthy" in page


def test_source_page_lists_recent_articles(client):
    article = ArticleFactory(title="Mister in pole")
    assert "Mister in pole" in client.get(article.source.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "name", ["rumours:coach-detail", "rumours:club-detail", "rumours:source-detail"]
)
def test_unknown_slugs_are_404(client, name):
    assert client.get(reverse(name, args=["nobody-at-all"])).status_code == 404


@pytest.mark.parametrize("name", ["rumours:home", "rumours:source-list"])
def test_pages_refuse_posts_with_405(client, name):
    assert client.post(reverse(name)).status_code == 405


def test_board_queries_do_not_grow_with_the_evidence(client, django_assert_max_num_queries):
    first = EvidenceFactory()
    coach = first.rumour.coach
    for _ in range(15):
        EvidenceFactory(rumour__coach=coach)
    with django_assert_max_num_queries(6):
        client.get(coach.get_absolute_url())
