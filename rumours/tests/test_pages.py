"""The public pages render what the database holds, and refuse what they should."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rumours import views
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


# --- Long boards, a page at a time -----------------------------------------------


def long_board(cards=30):
    """A coach linked to `cards` clubs, club "Club 00" the newest news, then one a day older."""
    coach = CoachFactory()
    for n in range(cards):
        EvidenceFactory(
            rumour=RumourFactory(
                coach=coach,
                club=ClubFactory(short_name=f"Paged {n:02}"),
                last_seen_at=timezone.now() - timedelta(days=n),
            )
        )
    return coach


def shown_clubs(page):
    return re.findall(r">(Paged \d\d)</a></h3>", page)


def test_a_long_board_shows_its_newest_cards_and_a_link_to_older_ones(client):
    coach = long_board()
    page = client.get(coach.get_absolute_url()).content.decode()
    assert shown_clubs(page) == [f"Paged {n:02}" for n in range(views.CARDS_PER_PAGE)]
    assert f'href="{coach.get_absolute_url()}?page=2#rumour-board" rel="next"' in page
    assert 'rel="prev"' not in page


def test_the_second_page_shows_older_cards_and_links_both_ways(client):
    coach = long_board()
    page = client.get(f"{coach.get_absolute_url()}?page=2").content.decode()
    assert shown_clubs(page) == [f"Paged {n:02}" for n in range(12, 24)]
    assert f'href="{coach.get_absolute_url()}#rumour-board" rel="prev"' in page
    assert f'href="{coach.get_absolute_url()}?page=3#rumour-board" rel="next"' in page
    assert "Page 2" in page
    assert "<title>Coach" in page and "page 2 · Benchwatch</title>" in page


def test_the_last_page_has_no_older_link(client):
    coach = long_board()
    page = client.get(f"{coach.get_absolute_url()}?page=3").content.decode()
    assert shown_clubs(page) == [f"Paged {n:02}" for n in range(24, 30)]
    assert 'rel="next"' not in page


def test_a_board_that_fits_one_page_has_no_page_links(client):
    coach = long_board(cards=views.CARDS_PER_PAGE)
    page = client.get(coach.get_absolute_url()).content.decode()
    assert len(shown_clubs(page)) == views.CARDS_PER_PAGE
    assert 'class="pager"' not in page


def test_only_the_first_page_draws_the_timeline(client):
    coach = long_board()
    assert 'class="card timeline"' in client.get(coach.get_absolute_url()).content.decode()
    second = client.get(f"{coach.get_absolute_url()}?page=2").content.decode()
    assert 'class="card timeline"' not in second


@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5", "", "%00", "2e3", "%EF%BC%92"])
def test_a_page_number_that_is_no_page_number_shows_the_first_page(client, number):
    coach = long_board(cards=14)
    response = client.get(f"{coach.get_absolute_url()}?page={number}")
    assert response.status_code == 200
    assert "Paged 00" in response.content.decode()


@pytest.mark.parametrize("number", ["4", "1001", "9" * 5000])
def test_a_page_past_the_end_is_404(client, number):
    coach = long_board()
    assert client.get(f"{coach.get_absolute_url()}?page={number}").status_code == 404


def test_the_board_refresh_keeps_its_page(client):
    coach = long_board()
    url = f"{coach.get_absolute_url()}?page=2"
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="rumour-board"')
    assert shown_clubs(fragment) == [f"Paged {n:02}" for n in range(12, 24)]


def test_paging_a_board_counts_no_rumours(client):
    coach = long_board()
    with CaptureQueriesContext(connection) as captured:
        client.get(f"{coach.get_absolute_url()}?page=2")
    assert not any('"__count"' in query["sql"] for query in captured)


def test_a_board_page_costs_the_same_queries_as_the_first(client, django_assert_max_num_queries):
    coach = long_board()
    with django_assert_max_num_queries(5):
        client.get(f"{coach.get_absolute_url()}?page=2")


def test_club_page_pages_linked_coaches_and_exit_news_apart(client):
    club = ClubFactory()
    for n in range(14):
        for kind in ("rumour", "exit"):
            EvidenceFactory(
                rumour=RumourFactory(
                    club=club,
                    coach=CoachFactory(full_name=f"{kind.title()} Coach {n:02}"),
                    kind=kind,
                    last_seen_at=timezone.now() - timedelta(days=n),
                )
            )
    url = club.get_absolute_url()
    page = client.get(url).content.decode()
    assert f'href="{url}?page=2#linked-heading" rel="next"' in page
    assert f'href="{url}?exit_page=2#exits-heading" rel="next"' in page
    response = client.get(f"{url}?exit_page=2")
    assert [rumour.coach.full_name for rumour in response.context["exits"]] == [
        f"Exit Coach {n:02}"
        for n in range(views.EXIT_CARDS_PER_PAGE, 2 * views.EXIT_CARDS_PER_PAGE)
    ]
    assert len(response.context["linked"]) == views.CARDS_PER_PAGE
    page = response.content.decode()
    assert f'href="{url}?page=2&amp;exit_page=2#linked-heading" rel="next"' in page
    assert f'hx-get="{url}?exit_page=2"' in page


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
    assert "Quote of day 2." in page
    assert "Quote of day 3." not in page
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
