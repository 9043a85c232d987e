"""The coach board's timeline: geometry from counts, drawn as an accessible SVG."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rumours import charts
from rumours.models import Evidence

from .factories import EvidenceFactory, RumourFactory


def row(rumour_id, day, mentions=1, club="Roma", kind="rumour"):
    return {
        "rumour_id": rumour_id,
        "club_name": club,
        "kind": kind,
        "day": day,
        "mentions": mentions,
    }


def test_no_mentions_draws_nothing():
    assert charts.mentions_timeline([]) is None


def test_a_few_weeks_of_news_are_counted_by_week():
    start = date(2025, 3, 3)  # a Monday
    timeline = charts.mentions_timeline(
        [row(1, start), row(1, start + timedelta(days=2)), row(1, start + timedelta(days=15))]
    )
    assert not timeline.by_month
    assert [dot.mentions for dot in timeline.rows[0].dots] == [2, 1]
    assert [dot.start for dot in timeline.rows[0].dots] == [start, start + timedelta(days=14)]


def test_a_long_story_is_counted_by_month():
    timeline = charts.mentions_timeline([row(1, date(2024, 1, 10)), row(1, date(2024, 9, 2))])
    assert timeline.by_month
    assert [dot.start for dot in timeline.rows[0].dots] == [date(2024, 1, 1), date(2024, 9, 1)]


def test_the_chart_keeps_the_last_two_years():
    timeline = charts.mentions_timeline([row(1, date(2019, 1, 1)), row(1, date(2025, 6, 1))])
    assert timeline.rows[0].total == 1
    assert timeline.start == date(2025, 6, 1)


def test_the_most_mentioned_clubs_get_rows_and_the_rest_are_counted():
    rows = [
        row(n, date(2025, 1, 1), mentions=n, club=f"Club {n}", kind="exit") for n in range(1, 9)
    ]
    timeline = charts.mentions_timeline(rows, max_rows=3)
    assert [r.full_label for r in timeline.rows] == ["Club 8", "Club 7", "Club 6"]
    assert timeline.hidden_clubs == 5
    assert timeline.rows[0].kind == "exit"


def test_a_bigger_count_draws_a_bigger_dot_and_coordinates_are_whole_numbers():
    timeline = charts.mentions_timeline(
        [row(1, date(2025, 1, 6), mentions=1), row(1, date(2025, 1, 13), mentions=9)]
    )
    small, big = timeline.rows[0].dots
    assert big.r > small.r
    for value in (small.x, small.r, big.x, timeline.rows[0].y, timeline.height):
        assert isinstance(value, int)
    assert timeline.plot_left <= small.x < big.x <= timeline.plot_right


def test_long_club_names_are_shortened_on_the_narrow_chart_only():
    name = "Borussia Mönchengladbach"
    rows = [row(1, date(2025, 1, 1), club=name)]
    assert charts.mentions_timeline(rows).rows[0].label == "Borussia Möncheng…"
    narrow = charts.mentions_timeline(rows, layout=charts.NARROW)
    assert narrow.rows[0].label == "Borussia M…"
    assert narrow.rows[0].full_label == name


def test_ticks_are_few_and_in_order():
    days = [date(2025, 1, 6) + timedelta(weeks=n) for n in range(16)]
    timeline = charts.mentions_timeline([row(1, day) for day in days])
    assert 2 <= len(timeline.ticks) <= charts.WIDE.max_ticks
    assert [tick.x for tick in timeline.ticks] == sorted(tick.x for tick in timeline.ticks)


@pytest.mark.django_db
def test_mentions_per_day_counts_articles_by_their_date():
    rumour = RumourFactory()
    day = timezone.now() - timedelta(days=3)
    EvidenceFactory.create_batch(2, rumour=rumour, article__published_at=day)
    EvidenceFactory(rumour=rumour, article__published_at=None)
    rows = list(Evidence.objects.for_coach(rumour.coach).mentions_per_day())
    assert [r["mentions"] for r in rows] == [2, 1]
    assert rows[0]["club_name"] == rumour.club.short_name
    assert rows[0]["day"] == timezone.localdate(day)
