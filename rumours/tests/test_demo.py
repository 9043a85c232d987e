"""The demo snapshot goes through the real pipeline, offline, once."""

import json

import httpx
import pytest
from django.urls import reverse

from rumours.demo.loading import DEMO_DIR, SITE_DIR, SnapshotTransport, load_demo_snapshot
from rumours.models import Article, Evidence, Rumour, Source

pytestmark = pytest.mark.django_db
LABELLED = [json.loads(line) for line in (DEMO_DIR / "articles.jsonl").read_text().splitlines()]


@pytest.fixture
def demo(gazetteer):
    return load_demo_snapshot()


def test_every_recorded_article_is_ingested(demo):
    assert demo.errors == 0, demo.error_messages
    assert demo.new_articles == len(LABELLED) == Article.objects.count()
    assert {article.url for article in Article.objects.all()} == {row["url"] for row in LABELLED}


def test_the_demo_articles_become_rumours_with_quoted_evidence(demo):
    assert demo.new_links == Evidence.objects.count() >= len(LABELLED)
    assert Rumour.objects.values("coach").distinct().count() >= 10
    assert not Evidence.objects.filter(quote="").exists()


def test_demo_outlets_are_never_polled_live(demo):
    assert not Source.objects.filter(domain__endswith=".example", is_active=True).exists()


def test_loading_the_demo_twice_adds_nothing(demo):
    counts = (Article.objects.count(), Rumour.objects.count(), Evidence.objects.count())
    again = load_demo_snapshot()
    assert again.new_articles == again.new_links == 0
    assert counts == (Article.objects.count(), Rumour.objects.count(), Evidence.objects.count())


def test_the_home_page_lists_coaches_with_demo_rumours(demo, client):
    page = client.get(reverse("rumours:home")).content.decode()
    coach = Rumour.objects.select_related("coach").order_by("-last_seen_at").first().coach
    assert coach.full_name in page


def test_the_snapshot_answers_404_for_what_it_did_not_record():
    with httpx.Client(transport=SnapshotTransport(SITE_DIR)) as client:
        assert client.get("https://mercatoquotidiano.example/feed.xml").status_code == 200
        assert client.get("https://mercatoquotidiano.example/nothing-here").status_code == 404
        assert client.get("https://mercatoquotidiano.example/../../settings.py").status_code == 404
        assert client.post("https://mercatoquotidiano.example/feed.xml").status_code == 404
