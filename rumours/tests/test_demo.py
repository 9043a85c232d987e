"""The demo snapshot populates the boards without any network, once."""

import pytest
from django.urls import reverse

from rumours.demo import DemoError, load_demo_snapshot, read_demo_articles, sentence_naming
from rumours.models import Article, Evidence, Rumour

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(gazetteer):
    return load_demo_snapshot()


def test_the_demo_creates_rumours_with_evidence(demo):
    assert demo.new_articles == Article.objects.count() >= 10
    assert Rumour.objects.count() >= 20
    assert demo.skipped_links == 0
    assert not Evidence.objects.filter(quote="").exists()


def test_loading_the_demo_twice_adds_nothing(demo):
    counts = (Article.objects.count(), Rumour.objects.count(), Evidence.objects.count())
    again = load_demo_snapshot()
    assert again.new_articles == again.new_evidence == 0
    assert counts == (Article.objects.count(), Rumour.objects.count(), Evidence.objects.count())


def test_the_home_page_lists_coaches_with_demo_rumours(demo, client):
    page = client.get(reverse("rumours:home")).content.decode()
    coach = Rumour.objects.select_related("coach").first().coach
    assert coach.full_name in page


def test_a_broken_snapshot_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(
        '{"url": "https://a.example/1", "source": "s", "title": "t", "text": "x"}\n{oops\n'
    )
    with pytest.raises(DemoError, match="articles.jsonl:2"):
        read_demo_articles(path)


def test_evidence_is_the_sentence_naming_coach_and_club():
    text = "Il Milan cambia. Allegri piace alla Roma. Allegri parla."
    assert sentence_naming(text, "Allegri", "Roma") == "Allegri piace alla Roma."
