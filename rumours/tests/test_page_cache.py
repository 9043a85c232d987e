"""Visitors get boards, club pages, home and search from the cache until what they show changes."""

import re
import socket
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from rumours import page_cache
from rumours.models import Rumour, Vote

from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    FollowFactory,
    SourceFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.content.decode()


def count(page, rumour, verdict):
    """The count a board shows on a rumour's vote button."""
    widget = page.split(f'id="vote-{rumour.pk}-{verdict}"')[1]
    return int(re.search(r'data-count="\w+">(\d+)<', widget).group(1))


def likelihood(page, rumour):
    card = page.split(f'id="rumour-{rumour.pk}"')[1]
    return int(re.search(r"Likelihood <strong>(\d+)</strong>", card).group(1))


def record(coach, club, quote, *, source=None, days_ago=1):
    """Store one article's evidence the way extraction does."""
    article = ArticleFactory(
        source=source or SourceFactory(), published_at=timezone.now() - timedelta(days=days_ago)
    )
    return Rumour.objects.record_evidence(
        coach=coach, club=club, article=article, kind="rumour", quote=quote, confidence=0.8
    )


@pytest.fixture
def board():
    """A coach linked to a club by one article."""
    rumour, _, _ = record(CoachFactory(), ClubFactory(), "Talks are under way.")
    return rumour


# ------------------------------------------------------------------ hits


def test_a_visitors_second_look_at_a_board_costs_no_query(client, board, django_assert_num_queries):
    first = get(client, board.coach.get_absolute_url())
    with django_assert_num_queries(0):
        second = get(client, board.coach.get_absolute_url())
    assert second == first


@pytest.mark.parametrize("page", ["club", "home", "search"])
def test_a_visitors_second_look_at_other_pages_costs_no_query(
    client, board, page, django_assert_num_queries
):
    url = {
        "club": board.club.get_absolute_url(),
        "home": reverse("rumours:home"),
        "search": f"{reverse('rumours:search')}?q=coach",
    }[page]
    first = get(client, url)
    with django_assert_num_queries(0):
        assert get(client, url) == first


def test_a_cached_page_still_varies_on_htmx(client, board):
    client.get(board.coach.get_absolute_url())
    response = client.get(board.coach.get_absolute_url())
    assert "HX-Request" in response.headers["Vary"]


def test_the_htmx_partial_and_the_whole_page_are_kept_apart(client, board):
    url = board.coach.get_absolute_url()
    page = get(client, url)
    fragment = get(client, url, headers=HTMX)
    assert fragment.lstrip().startswith('<section id="rumour-board"')
    assert get(client, url) == page
    assert get(client, url, headers=HTMX) == fragment
    boosted = get(client, url, headers={**HTMX, "HX-Boosted": "true"})
    assert "<html" in boosted


def test_two_languages_are_kept_apart(client, board):
    url = board.coach.get_absolute_url()
    english = get(client, url)
    italian = get(client, url, headers={"Accept-Language": "it"})
    assert "Rumour board" in english
    assert "Bacheca delle voci" in italian
    assert get(client, url) == english
    assert get(client, url, headers={"Accept-Language": "it"}) == italian


def test_each_page_of_a_board_is_kept_apart(client):
    coach = CoachFactory()
    for n in range(14):
        record(coach, ClubFactory(short_name=f"Distinct {n:02}"), "Talks.", days_ago=n + 1)
    first = get(client, coach.get_absolute_url())
    second = get(client, f"{coach.get_absolute_url()}?page=2")
    assert "Distinct 00" in first
    assert "Distinct 13" in second
    assert "Distinct 13" not in get(client, coach.get_absolute_url())


# ------------------------------------------------------------------ what visitors get


def test_a_visitors_page_carries_no_csrf_token_and_sets_no_cookie(client, board):
    for url in (board.coach.get_absolute_url(), board.club.get_absolute_url(), "/", "/search/"):
        response = client.get(url)
        page = response.content.decode()
        assert "csrfmiddlewaretoken" not in page
        assert "X-CSRFToken" not in page
        assert not response.cookies
        assert "Set-Cookie" not in response.headers


def test_a_fan_never_gets_the_visitors_page(client, board):
    url = board.coach.get_absolute_url()
    get(client, url)
    fan = UserFactory()
    VoteFactory(rumour=board, user=fan, value=Vote.Value.UNRELIABLE)
    client.force_login(fan)
    page = get(client, url)
    widget = page.split(f'id="vote-{board.pk}-unreliable"')[1].split(">")[0]
    assert 'aria-pressed="true"' in widget
    assert "X-CSRFToken" in page


def test_a_fans_page_is_not_kept_for_visitors(client, board):
    fan = UserFactory()
    client.force_login(fan)
    get(client, board.coach.get_absolute_url())
    client.logout()
    assert "csrfmiddlewaretoken" not in get(client, board.coach.get_absolute_url())


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page_that_is_not_kept(
    client, board, django_assert_max_num_queries
):
    url = board.coach.get_absolute_url()
    get(client, url)
    client.cookies["messages"] = "whatever-the-signed-messages-are"
    with django_assert_max_num_queries(10) as captured:
        client.get(url)
    assert len(captured) > 0
    del client.cookies["messages"]
    stored = [key for key in cache_keys() if ":p:" in key]
    assert len(stored) == 1


def cache_keys() -> list[str]:
    """The page cache's keys, in Redis (PostgreSQL mode) or in local memory (SQLite mode)."""
    if hasattr(cache, "keys"):
        return list(cache.keys(f"{page_cache.NAMESPACE}:*"))
    return [key.split(":", 2)[2] for key in cache._cache if f":{page_cache.NAMESPACE}:" in key]


def expires(key: str) -> bool:
    if hasattr(cache, "ttl"):
        return cache.ttl(key) not in (None, -1)
    return cache._expire_info[cache.make_key(key)] is not None


def test_an_unknown_coach_leaves_no_page_and_no_lasting_version(client):
    assert client.get("/coaches/nobody-at-all/").status_code == 404
    keys = cache_keys()
    assert [key for key in keys if ":p:" in key] == []
    assert keys
    assert all(expires(key) for key in keys)


def test_a_board_page_past_the_end_is_not_kept(client, board):
    assert client.get(f"{board.coach.get_absolute_url()}?page=3").status_code == 404
    assert [key for key in cache_keys() if ":p:" in key] == []


# ------------------------------------------------------------------ changes


def test_new_evidence_shows_on_the_next_visitors_board_and_club_page(
    client, board, django_capture_on_commit_callbacks
):
    coach_url, club_url = board.coach.get_absolute_url(), board.club.get_absolute_url()
    get(client, coach_url)
    get(client, club_url)
    with django_capture_on_commit_callbacks(execute=True):
        record(board.coach, board.club, "Fumata bianca in serata.")
    assert "Fumata bianca in serata." in get(client, coach_url)
    assert "Fumata bianca in serata." in get(client, club_url)


def test_an_articles_evidence_recorded_at_once_shows_on_the_next_visitors_pages(
    client, board, django_capture_on_commit_callbacks
):
    coach_url, club_url = board.coach.get_absolute_url(), board.club.get_absolute_url()
    get(client, coach_url)
    get(client, club_url)
    report = {"coach": board.coach, "club": board.club, "kind": "rumour", "confidence": 0.7}
    with django_capture_on_commit_callbacks(execute=True):
        Rumour.objects.record_article_evidence(
            ArticleFactory(), [{**report, "quote": "Read by extraction."}]
        )
    assert "Read by extraction." in get(client, coach_url)
    assert "Read by extraction." in get(client, club_url)


def test_a_change_waits_for_its_commit(client, board, django_capture_on_commit_callbacks):
    url = board.coach.get_absolute_url()
    get(client, url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record(board.coach, board.club, "Not committed yet.")
        assert "Not committed yet." not in get(client, url)
    assert callbacks


def test_a_vote_shows_on_the_next_visitors_board(client, board, django_capture_on_commit_callbacks):
    url = board.coach.get_absolute_url()
    assert count(get(client, url), board, "reliable") == 0
    with django_capture_on_commit_callbacks(execute=True):
        board.record_vote(UserFactory(), Vote.Value.RELIABLE)
    assert count(get(client, url), board, "reliable") == 1
    assert count(get(client, board.club.get_absolute_url()), board, "reliable") == 1


def test_a_withdrawn_vote_shows_on_the_next_visitors_board(
    client, board, django_capture_on_commit_callbacks
):
    vote = VoteFactory(rumour=board)
    url = board.coach.get_absolute_url()
    assert count(get(client, url), board, "reliable") == 1
    with django_capture_on_commit_callbacks(execute=True):
        board.withdraw_vote(vote.user)
    assert count(get(client, url), board, "reliable") == 0


def test_a_vote_through_the_site_shows_to_the_next_visitor(
    client, board, django_capture_on_commit_callbacks
):
    url = board.coach.get_absolute_url()
    get(client, url)
    fan_client = type(client)()
    fan_client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        fan_client.post(reverse("rumours:vote", args=[board.pk]), {"value": "unreliable"})
    assert count(get(client, url), board, "unreliable") == 1


@pytest.mark.parametrize("kind", ["coach", "club"])
def test_a_follow_shows_on_the_next_visitors_page(
    client, board, kind, django_capture_on_commit_callbacks
):
    target = getattr(board, kind)
    url = target.get_absolute_url()
    assert "0 followers" in get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        target.record_follow(UserFactory())
    assert "1 follower<" in get(client, url)
    fan = target.follows.get().user
    with django_capture_on_commit_callbacks(execute=True):
        target.withdraw_follow(fan)
    assert "0 followers" in get(client, url)


def test_a_rescore_that_changes_the_score_shows_on_the_next_visitors_board(
    client, board, report, django_capture_on_commit_callbacks
):
    board.rescore()
    url = board.coach.get_absolute_url()
    before = likelihood(get(client, url), board)
    # Evidence stored behind the domain's back: only the rescore announces it.
    for _ in range(3):
        report(board, tier=1, words="agreement")
    assert likelihood(get(client, url), board) == before
    with django_capture_on_commit_callbacks(execute=True):
        update = Rumour.objects.filter(pk=board.pk).rescore()
    assert update.rescored == {board.pk}
    board.refresh_from_db()
    assert board.score != before
    assert likelihood(get(client, url), board) == board.score


def test_a_rescore_that_changes_nothing_keeps_the_cached_pages(
    client, board, django_capture_on_commit_callbacks, django_assert_num_queries
):
    now = timezone.now()
    board.rescore(now=now)
    url = board.coach.get_absolute_url()
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Rumour.objects.filter(pk=board.pk).rescore(now=now)
    assert callbacks == []
    with django_assert_num_queries(0):
        get(client, url)


def test_a_moderators_decision_shows_on_the_next_visitors_board(
    client, board, django_capture_on_commit_callbacks
):
    url = board.coach.get_absolute_url()
    assert "status-open" in get(client, url)
    moderator = type(client)()
    moderator.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(
            reverse("admin:rumours_rumour_changelist"),
            {
                "action": "resolve_as_did_not_happen",
                "_selected_action": [board.pk],
                "reason": "He renewed his contract.",
            },
        )
    assert response.status_code == 302
    assert "status-did_not_happen" in get(client, url)


def test_a_moderators_edit_of_a_coach_shows_on_the_next_visitors_board(
    client, board, django_capture_on_commit_callbacks
):
    url = board.coach.get_absolute_url()
    get(client, url)
    moderator = type(client)()
    moderator.force_login(UserFactory(is_staff=True, is_superuser=True))
    coach = board.coach
    with django_capture_on_commit_callbacks(execute=True):
        moderator.post(
            reverse("admin:rumours_coach_change", args=[coach.pk]),
            {
                "full_name": "Renamed Coach",
                "slug": coach.slug,
                "nationality": "IT",
                "aliases-TOTAL_FORMS": "0",
                "aliases-INITIAL_FORMS": "0",
                "spells-TOTAL_FORMS": "0",
                "spells-INITIAL_FORMS": "0",
            },
        )
    assert "Renamed Coach" in get(client, url)


def test_home_and_search_follow_any_change(client, board, django_capture_on_commit_callbacks):
    other = CoachFactory(full_name="Newcomer Coach")
    get(client, "/")
    get(client, "/search/?q=newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        record(other, ClubFactory(), "Newcomer in pole.")
    assert "Newcomer Coach" in get(client, "/")
    assert "Newcomer Coach" in get(client, "/search/?q=newcomer")


def test_a_change_to_one_coach_keeps_another_coachs_board(
    client, board, django_capture_on_commit_callbacks, django_assert_num_queries
):
    other, _, _ = record(CoachFactory(), ClubFactory(), "Elsewhere.")
    get(client, board.coach.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        record(other.coach, other.club, "More elsewhere.")
    with django_assert_num_queries(0):
        get(client, board.coach.get_absolute_url())


def test_bumping_moves_each_version_once(django_capture_on_commit_callbacks):
    name = page_cache.coach_version("some-coach")
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.bump(coaches=["some-coach"])
    first = page_cache._current_versions([name])[name]
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.bump(coaches=["some-coach", "some-coach"])
    assert page_cache._current_versions([name])[name] == first + 1


# ------------------------------------------------------------------ the timeline


def test_a_fans_board_takes_the_timeline_from_the_cache_until_the_board_changes(
    client, board, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    url = board.coach.get_absolute_url()

    def mention_counts():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            page = get(client, url)
        return page, sum('AS "mentions"' in query["sql"] for query in captured)

    page, counted = mention_counts()
    assert counted == 1
    assert 'class="chart chart-wide"' in page
    page, counted = mention_counts()
    assert counted == 0
    assert 'class="chart chart-wide"' in page
    newcomer = ClubFactory(short_name="Newcomer FC")
    with django_capture_on_commit_callbacks(execute=True):
        record(board.coach, newcomer, "Newcomer FC want him.")
    page, counted = mention_counts()
    assert counted == 1
    assert "Newcomer FC: 1 article" in page


def test_the_timeline_is_drawn_in_each_language(client, board):
    client.force_login(UserFactory())
    url = board.coach.get_absolute_url()
    assert "Mentions per club over time" in get(client, url)
    assert "Citazioni per squadra nel tempo" in get(client, url, headers={"Accept-Language": "it"})


# ------------------------------------------------------------------ outages


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down():
    unreachable = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    with override_settings(CACHES=unreachable, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=False):
        yield


def test_pages_are_served_while_the_cache_is_down(client, board, redis_down):
    for url in (board.coach.get_absolute_url(), board.club.get_absolute_url(), "/", "/search/"):
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
    fan = UserFactory()
    client.force_login(fan)
    assert "Mentions per club over time" in get(client, board.coach.get_absolute_url())


def test_changes_are_stored_while_the_cache_is_down(
    client, board, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(board.coach, board.club, "Stored during the outage.")
        board.record_vote(UserFactory(), Vote.Value.RELIABLE)
        FollowFactory(coach=board.coach)
        board.coach.record_follow(UserFactory())
    assert "Stored during the outage." in get(client, board.coach.get_absolute_url())
