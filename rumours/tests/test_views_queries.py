"""Every page costs the same number of queries whatever the amount of data.

Each page is measured twice, with a little data and with a lot (more
rumours, articles, votes and follows), and must cost the same both times and
no more than its budget. Budgets include the session and user lookups of a
logged-in fan.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rumours.models import Vote

from .factories import (
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    FollowFactory,
    RumourFactory,
    SourceFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def fill(coach, club, source, voters, size):
    """Link coach and club to `size` others each, with evidence, votes and follows."""
    for n in range(size):
        for rumour in (
            RumourFactory(coach=coach, club=ClubFactory(), kind=("rumour", "exit")[n % 2]),
            RumourFactory(coach=CoachFactory(), club=club, kind=("confirmed", "exit")[n % 2]),
        ):
            for _ in range(3):
                article = ArticleFactory(source=source)
                EvidenceFactory(rumour=rumour, article=article, kind=rumour.kind)
            for voter in voters:
                VoteFactory(rumour=rumour, user=voter, value=Vote.Value.UNRELIABLE)
        FollowFactory(coach=coach)
        FollowFactory(coach=None, club=club)


def queries(client, method, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code in (200, 302), url
    return len(captured)


@pytest.fixture
def world():
    coach, club, source = CoachFactory(), ClubFactory(), SourceFactory()
    voters = UserFactory.create_batch(4)
    return coach, club, source, voters


def pages(coach, club, source):
    rumour = coach.rumours.order_by("pk").first()
    return {
        "home": ("get", reverse("rumours:home"), {}),
        "coach board": ("get", coach.get_absolute_url(), {}),
        "coach board refresh": ("get", coach.get_absolute_url(), {"headers": HTMX}),
        "club page": ("get", club.get_absolute_url(), {}),
        "club page refresh": ("get", club.get_absolute_url(), {"headers": HTMX}),
        "rumour": ("get", reverse("rumours:rumour-detail", args=[rumour.pk]), {}),
        "rumour evidence": (
            "get",
            reverse("rumours:rumour-detail", args=[rumour.pk]),
            {"headers": HTMX},
        ),
        "sources": ("get", reverse("rumours:source-list"), {}),
        "source": ("get", source.get_absolute_url(), {}),
        "search": ("get", reverse("rumours:search"), {"data": {"q": "coach"}}),
        "coach feed": ("get", coach.get_feed_url(), {}),
        "club feed": ("get", club.get_feed_url(), {}),
        "vote": (
            "post",
            reverse("rumours:vote", args=[rumour.pk]),
            {"data": {"value": "reliable"}, "headers": HTMX},
        ),
        "follow": ("post", coach.get_follow_url(), {"data": {"action": "follow"}, "headers": HTMX}),
    }


# As measured for a logged-in fan: two of each are the session and the user
# (feeds read neither). A vote also writes, and queues the rescore.
BUDGETS = {
    "home": 6,
    "coach board": 6,
    "coach board refresh": 6,
    "club page": 9,
    "club page refresh": 9,
    "rumour": 4,
    "rumour evidence": 4,
    "sources": 3,
    "source": 5,
    "search": 4,
    "coach feed": 2,
    "club feed": 2,
    "vote": 8,
    "follow": 5,
}


@pytest.mark.parametrize("page", list(BUDGETS))
def test_a_page_costs_the_same_queries_with_little_or_much_data(
    client, world, page, django_assert_max_num_queries
):
    coach, club, source, voters = world
    client.force_login(UserFactory())
    fill(coach, club, source, voters, size=2)
    method, url, kwargs = pages(coach, club, source)[page]
    queries(client, method, url, **kwargs)  # a vote or follow then exists in both runs
    small = queries(client, method, url, **kwargs)
    fill(coach, club, source, voters, size=8)
    with django_assert_max_num_queries(BUDGETS[page]):
        big = queries(client, method, url, **kwargs)
    assert big == small


@pytest.mark.parametrize("page", ["home", "coach board", "club page", "search"])
def test_a_visitor_costs_no_more_than_a_fan(client, world, page):
    coach, club, source, voters = world
    fill(coach, club, source, voters, size=4)
    method, url, kwargs = pages(coach, club, source)[page]
    assert queries(client, method, url, **kwargs) <= BUDGETS[page]
