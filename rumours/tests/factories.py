"""factory_boy factories, one per model."""

import factory
from django.utils import timezone
from django.utils.text import slugify

from rumours import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"fan{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class ClubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Club

    short_name = factory.Sequence(lambda n: f"Club {n}")
    name = factory.LazyAttribute(lambda club: f"{club.short_name} Football Club")
    slug = factory.LazyAttribute(lambda club: slugify(club.short_name))
    country = "IT"
    league = "Serie A"


class CoachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Coach

    full_name = factory.Sequence(lambda n: f"Coach Number{n}")
    slug = factory.LazyAttribute(lambda coach: slugify(coach.full_name))
    nationality = "IT"
    current_club = None


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Alias

    text = factory.Sequence(lambda n: f"nickname {n}")
    coach = factory.SubFactory(CoachFactory)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.LazyAttribute(lambda source: slugify(source.name))
    domain = factory.LazyAttribute(lambda source: f"{source.slug}.example")
    language = "it"
    kind = models.Source.Kind.RSS
    feed_url = factory.LazyAttribute(lambda source: f"https://{source.domain}/rss.xml")
    tier = 2


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    source = factory.SubFactory(SourceFactory)
    url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    published_at = factory.LazyFunction(timezone.now)
    language = "it"
    text = factory.Sequence(lambda n: f"Text of article number {n}.")
    content_hash = factory.LazyAttribute(lambda article: models.Article.fingerprint(article.text))


class RumourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Rumour

    coach = factory.SubFactory(CoachFactory)
    club = factory.SubFactory(ClubFactory)
    kind = models.Rumour.Kind.RUMOUR


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Evidence
        skip_postgeneration_save = True

    rumour = factory.SubFactory(RumourFactory)
    article = factory.SubFactory(ArticleFactory)
    kind = models.Rumour.Kind.RUMOUR
    quote = "Talks are under way."
    confidence = 0.8

    @factory.post_generation
    def counted(obj, create, extracted, **kwargs):
        """Keep the rumour's stored counters right, as the domain methods do."""
        if create:
            models.Rumour.objects.filter(pk=obj.rumour_id).recount()


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Vote
        skip_postgeneration_save = True

    rumour = factory.SubFactory(RumourFactory)
    user = factory.SubFactory(UserFactory)
    value = models.Vote.Value.RELIABLE

    @factory.post_generation
    def counted(obj, create, extracted, **kwargs):
        """Keep the rumour's stored counters right, as record_vote does."""
        if create:
            models.Rumour.objects.filter(pk=obj.rumour_id).recount()


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Follow

    user = factory.SubFactory(UserFactory)
    coach = factory.SubFactory(CoachFactory)


class RumourEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RumourEvent

    rumour = factory.SubFactory(RumourFactory)
    kind = models.RumourEvent.Kind.NEW
    score = 40


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Notification

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(RumourEventFactory)
    channel = models.Notification.Channel.SITE


class TrackRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TrackRecord

    source = factory.SubFactory(SourceFactory)
    name = factory.LazyAttribute(lambda record: record.source.name if record.source else "")
    reliability = 0.5
