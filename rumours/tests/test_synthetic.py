"""The synthetic data set: its size, its shape, the rules it keeps, and running it twice."""

import statistics

import pytest
from django.core.management import call_command
from django.db.models import Count

from rumours import synthetic
from rumours.models import (
    Alias,
    Article,
    Club,
    Coach,
    CoachingSpell,
    Evidence,
    Follow,
    Notification,
    Rumour,
    RumourEvent,
    Source,
    User,
    Vote,
)

pytestmark = pytest.mark.django_db
TINY = 0.002  # 600 articles, 160 rumours, 1,000 evidence rows, 2,000 votes


@pytest.fixture
def generated(gazetteer):
    return synthetic.generate(TINY, seed=3)


def test_a_tiny_data_set_has_the_issues_counts_at_its_scale(generated):
    targets = synthetic.target_counts(TINY)
    assert generated.created
    for kind in ("articles", "rumours", "evidence", "users", "votes", "follows"):
        assert generated.counts[kind] == (targets[kind], targets[kind]), kind
    # The real gazetteer is bigger than a tiny target: nothing is added to it.
    assert generated.counts["coaches"][1] == 0
    assert generated.counts["coaches"][0] == Coach.objects.count()


def test_every_rumour_has_evidence_and_every_evidence_row_its_quote_in_the_article(generated):
    assert not Rumour.objects.filter(evidence__isnull=True).exists()
    for evidence in Evidence.objects.select_related("article")[:200]:
        assert evidence.quote in evidence.article.text


def test_a_rumour_reads_as_its_newest_evidence_and_spans_its_articles(generated):
    for rumour in Rumour.objects.prefetch_related("evidence__article")[:100]:
        evidence = sorted(rumour.evidence.all(), key=lambda e: (e.article.published_at, e.pk))
        assert rumour.kind == evidence[-1].kind
        assert rumour.first_seen_at == evidence[0].article.published_at
        assert rumour.last_seen_at == evidence[-1].article.published_at


def test_generated_rows_pass_model_validation(generated):
    samples = [
        Article.objects.all(),
        Rumour.objects.all(),
        Evidence.objects.all(),
        Vote.objects.all(),
        Follow.objects.all(),
        User.objects.filter(username__startswith=synthetic.MARK),
        RumourEvent.objects.all(),
        Notification.objects.all(),
    ]
    for queryset in samples:
        rows = list(queryset.order_by("?")[:25])
        assert rows, queryset.model
        for row in rows:
            row.full_clean()


def test_fans_cannot_log_in_with_a_password(generated):
    fans = User.objects.filter(username__startswith=synthetic.MARK)
    assert not any(fan.has_usable_password() for fan in fans[:50])


def test_follows_name_one_coach_or_one_bench_and_votes_one_per_fan(generated):
    assert Follow.objects.filter(coach__isnull=True, club__isnull=True).count() == 0
    assert Follow.objects.filter(coach__isnull=False, club__isnull=False).count() == 0
    doubled = Vote.objects.values("rumour", "user").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubled.exists()


def test_content_hashes_are_the_articles_fingerprints(generated):
    for article in Article.objects.order_by("?")[:100]:
        assert article.content_hash == Article.fingerprint(article.text)


def test_popularity_is_skewed_a_few_coaches_carry_most_of_the_news(generated):
    per_coach = list(
        Evidence.objects.values("rumour__coach")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
    )
    assert per_coach[0] >= 5 * statistics.median(per_coach)
    votes = list(
        Vote.objects.values("rumour__coach").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    assert max(votes) >= 5 * statistics.median(votes)


def test_a_second_run_at_the_same_scale_adds_nothing(generated):
    again = synthetic.generate(TINY, seed=3)
    assert not again.created
    assert again.counts == generated.counts
    assert "nothing added" in again.message


def test_a_set_of_another_size_is_refused_unless_replaced(generated):
    with pytest.raises(synthetic.ExistingSetMismatch):
        synthetic.generate(TINY * 2, seed=3)
    replaced = synthetic.generate(TINY * 2, seed=3, replace=True)
    assert replaced.counts["articles"] == (1200, 1200)
    assert replaced.counts["users"] == (200, 200)


def test_deleting_the_synthetic_set_keeps_the_gazetteer(generated):
    coaches, clubs = Coach.objects.count(), Club.objects.count()
    synthetic.delete_synthetic()
    assert all(made == 0 for _, made in synthetic.count_rows().values())
    assert not Article.objects.exists() and not Rumour.objects.exists()
    assert (Coach.objects.count(), Club.objects.count()) == (coaches, clubs)


def test_an_empty_gazetteer_is_topped_up_with_marked_coaches_clubs_and_outlets(db):
    Coach.objects.all().delete()
    Club.objects.all().delete()
    Source.objects.all().delete()
    outcome = synthetic.generate(TINY, seed=5)
    for kind in ("coaches", "clubs", "outlets"):
        total, made = outcome.counts[kind]
        assert total == made == synthetic.MINIMUMS[kind], kind
    assert all(coach.slug.startswith("syn-") for coach in Coach.objects.all())
    assert Alias.objects.filter(coach__isnull=False).count() >= 30
    assert CoachingSpell.objects.exists()
    for row in [*Coach.objects.all()[:10], *Club.objects.all()[:10], *Source.objects.all()]:
        row.full_clean()


def test_the_command_prints_counts_and_time(gazetteer, capsys):
    call_command("generate_dataset", "--scale", str(TINY), "--seed", "3")
    printed = capsys.readouterr().out
    assert "articles" in printed and "(600 synthetic)" in printed
    assert "Done in" in printed
