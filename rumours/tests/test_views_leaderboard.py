"""The leaderboard ranks outlets and reporters by how many of their rumours came true."""

import pytest
from django.urls import reverse

from rumours.models import TrackRecord

from .factories import SourceFactory

pytestmark = pytest.mark.django_db


def record(source=None, byline="", came_true=0, resolved=0, league=""):
    conversion = came_true / resolved if resolved else None
    return TrackRecord.objects.create(
        source=source,
        byline=byline,
        name=source.name if source else byline,
        league=league,
        came_true=came_true,
        resolved=resolved,
        did_not_happen=resolved - came_true,
        conversion=conversion,
        reliability=0.5,
        tier=source.tier if source else 3,
    )


def test_the_leaderboard_puts_the_best_outlet_first_and_the_worst_last(client):
    good, bad = SourceFactory(name="Scoop Daily"), SourceFactory(name="Rumour Mill")
    record(good, came_true=9, resolved=10)
    record(bad, came_true=1, resolved=10)
    response = client.get(reverse("rumours:leaderboard"))
    best = list(response.context["best_outlets"])
    worst = list(response.context["worst_outlets"])
    assert [r.name for r in best] == ["Scoop Daily", "Rumour Mill"]
    assert [r.name for r in worst] == ["Rumour Mill", "Scoop Daily"]
    assert "90%" in response.content.decode()


def test_outlets_with_too_little_history_are_not_ranked(client):
    record(SourceFactory(name="Newcomer"), came_true=2, resolved=2)
    response = client.get(reverse("rumours:leaderboard"))
    assert "Newcomer" not in response.content.decode()


def test_reporters_known_by_byline_are_ranked_too(client):
    record(byline="ann example", came_true=6, resolved=8)
    assert "ann example" in client.get(reverse("rumours:leaderboard")).content.decode()


def test_the_leaderboard_query_count_does_not_grow(client, django_assert_max_num_queries):
    for number in range(30):
        record(SourceFactory(), came_true=number % 7, resolved=7)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("rumours:leaderboard")).status_code == 200
