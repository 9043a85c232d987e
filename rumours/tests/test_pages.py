"""The public pages render what the database holds, and refuse what they should."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rumours.models import CoachingSpell, Rumour, TrackRecord

from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    RumourFactory,
    SourceFactory,
)

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


# --- Home ---------------------------------------------------------------------


def test_home_splits_open_rumours_confirmed_moves_and_benches_at_risk(client):
    rumour = EvidenceFactory(rumour__kind="rumour").rumour
    confirmed = EvidenceFactory(rumour__kind="confirmed").rumour
    exit_news = EvidenceFactory(rumour__kind="exit").rumour
    response = client.get(reverse("rumours:home"))
    assert list(response.context["hottest"]) == [rumour]
    assert list(response.context["confirmed"]) == [confirmed]
    assert list(response.context["exits"]) == [exit_news]


def test_the_hottest_rumours_are_those_with_the_most_recent_articles(client):
    quiet = EvidenceFactory(article__published_at=timezone.now() - timedelta(days=60)).rumour
    busy = RumourFactory()
    EvidenceFactory.create_batch(3, rumour=busy)
    assert list(client.get(reverse("rumours:home")).context["hottest"]) == [busy, quiet]


def test_a_closed_rumour_is_not_hot(client):
    EvidenceFactory(rumour__status=Rumour.Status.DID_NOT_HAPPEN)
    assert list(client.get(reverse("rumours:home")).context["hottest"]) == []


def test_home_links_every_rumour_to_its_card_on_the_board(client):
    rumour = EvidenceFactory().rumour
    page = client.get(reverse("rumours:home")).content.decode()
    assert f"{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}" in page


# --- Coach board ----------------------------------------------------------------


def test_a_rumour_and_a_confirmed_move_read_differently(client):
    coach = CoachFactory()
    EvidenceFactory(rumour__coach=coach, rumour__kind="rumour", kind="rumour")
    EvidenceFactory(rumour__coach=coach, rumour__kind="confirmed", kind="confirmed")
    page = client.get(coach.get_absolute_url()).content.decode()
    assert "Rumour: reported, not confirmed." in page
    assert "Confirmed: reported as official." in page
    assert 'class="badge kind-rumour"' in page
    assert 'class="badge kind-confirmed"' in page


def test_the_board_refreshes_itself_with_its_own_partial(client):
    coach = EvidenceFactory().rumour.coach
    page = client.get(coach.get_absolute_url()).content.decode()
    assert f'hx-get="{coach.get_absolute_url()}"' in page
    assert 'hx-trigger="every 30s' in page
    response = client.get(coach.get_absolute_url(), headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="rumour-board"')
    assert "<html" not in fragment
    assert "HX-Request" in response.headers["Vary"]


def test_new_evidence_shows_up_in_the_refreshed_board(client):
    evidence = EvidenceFactory()
    EvidenceFactory(rumour=evidence.rumour, quote="Fumata bianca in serata.")
    fragment = client.get(
        evidence.rumour.coach.get_absolute_url(), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Fumata bianca in serata." in fragment


def test_a_card_shows_the_newest_articles_and_links_to_all_of_them(client):
    rumour = RumourFactory()
    for day in range(8):
        EvidenceFactory(
            rumour=rumour,
            quote=f"Quote of day {day}.",
            article__published_at=timezone.now() - timedelta(days=day),
        )
    page = client.get(rumour.coach.get_absolute_url()).content.decode()
    assert "Quote of day 0." in page
    assert "Quote of day 4." in page
    assert "Quote of day 5." not in page
    assert "Show all 8 articles" in page
    detail = client.get(reverse("rumours:rumour-detail", args=[rumour.pk])).content.decode()
    assert "Quote of day 7." in detail


def test_the_expanded_evidence_list_comes_alone_for_htmx(client):
    rumour = EvidenceFactory().rumour
    response = client.get(
        reverse("rumours:rumour-detail", args=[rumour.pk]), headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<div id="evidence-{rumour.pk}"')
    assert 'hx-preserve="true"' in fragment


def test_articles_are_linked_not_republished(client):
    evidence = EvidenceFactory(article__text="The whole body of the article, never shown.")
    page = client.get(evidence.rumour.coach.get_absolute_url()).content.decode()
    assert evidence.article.title in page
    assert evidence.article.url in page
    assert evidence.article.source.name in page
    assert "The whole body of the article" not in page


def test_the_board_shows_a_timeline_with_a_title_and_a_description(client):
    evidence = EvidenceFactory()
    page = client.get(evidence.rumour.coach.get_absolute_url()).content.decode()
    assert '<svg class="chart chart-wide"' in page
    assert 'role="img"' in page
    assert "<title" in page and "<desc" in page
    assert f"{evidence.rumour.club.short_name}: 1 article between" in page


def test_a_coach_with_no_news_has_no_timeline(client):
    coach = CoachFactory()
    assert "<svg" not in client.get(coach.get_absolute_url()).content.decode()


def test_a_scored_rumour_shows_its_likelihood_and_reasons(client):
    rumour = EvidenceFactory().rumour
    Rumour.objects.filter(pk=rumour.pk).update(
        score=72, score_reasons=["Sky Sports reports talks", "3 of 4 fans say reliable"]
    )
    page = client.get(rumour.coach.get_absolute_url()).content.decode()
    assert "<strong>72</strong>" in page
    assert "3 of 4 fans say reliable" in page
    assert "band-likely" in page


def test_an_unscored_rumour_shows_how_widely_it_is_reported(client):
    rumour = RumourFactory()
    EvidenceFactory.create_batch(2, rumour=rumour)
    page = client.get(rumour.coach.get_absolute_url()).content.decode()
    assert "2 articles" in page
    assert "from 2 outlets" in page


# --- Club page ------------------------------------------------------------------


def test_club_page_splits_linked_coaches_and_exit_news(client):
    club = ClubFactory()
    linked = EvidenceFactory(rumour__club=club, rumour__kind="rumour").rumour
    leaving = EvidenceFactory(rumour__club=club, rumour__kind="exit").rumour
    response = client.get(club.get_absolute_url())
    assert list(response.context["linked"]) == [linked]
    assert list(response.context["exits"]) == [leaving]
    assert linked.coach.full_name in response.content.decode()


def test_club_page_lists_former_coaches(client):
    club = ClubFactory()
    former = CoachFactory(full_name="Vecchio Mister")
    CoachingSpell.objects.create(
        coach=former, club=club, started=date(2019, 7, 1), ended=date(2021, 5, 30)
    )
    assert "Vecchio Mister" in client.get(club.get_absolute_url()).content.decode()


def test_club_page_refreshes_its_bench_with_its_own_partial(client):
    club = ClubFactory()
    fragment = client.get(club.get_absolute_url(), headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="bench-board"')


# --- Outlets --------------------------------------------------------------------


def test_source_page_shows_the_links_each_article_reports(client):
    evidence = EvidenceFactory()
    page = client.get(evidence.article.source.get_absolute_url()).content.decode()
    assert evidence.rumour.coach.full_name in page
    assert f"#rumour-{evidence.rumour.pk}" in page


def test_source_page_shows_the_track_record(client):
    source = SourceFactory()
    TrackRecord.objects.create(
        source=source,
        name=source.name,
        came_true=3,
        did_not_happen=1,
        resolved=4,
        conversion=0.75,
        reliability=0.7,
    )
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Track record" in page
    assert "75%" in page


def test_sources_page_counts_articles(client):
    source = SourceFactory(name="Counting Outlet")
    ArticleFactory.create_batch(3, source=source)
    response = client.get(reverse("rumours:source-list"))
    row = next(s for s in response.context["sources"] if s.pk == source.pk)
    assert row.article_count == 3


# --- Accounts -------------------------------------------------------------------


def test_signing_up_from_a_board_returns_to_it(client):
    coach = CoachFactory()
    response = client.post(
        reverse("signup"),
        {
            "username": "tifoso",
            "email": "tifoso@example.com",
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
            "next": coach.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert response.url == coach.get_absolute_url()
