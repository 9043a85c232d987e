"""Benchwatch's domain: clubs, coaches, outlets, articles and the rumours they carry.

Every "one per" rule of the domain is a database constraint, so no race
between two workers or two browser tabs can break it.
"""

import hashlib
import secrets
from collections import defaultdict
from datetime import timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import page_cache
from .extract.normalize import fold
from .scoring import TIER_PRIOR

# The shortest folded query search looks up: one letter would match half the
# gazetteer and tell nobody anything.
SEARCH_MIN_LENGTH = 2


# Reading the IANA database's names walks the disk; once per process will do.
known_time_zones = cache(available_timezones)


def validate_time_zone(name: str):
    """Refuse a time zone name the IANA database does not know."""
    if name not in known_time_zones():
        raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": name})


def _count(queryset, field: str = "pk", *, distinct: bool = False):
    """Return a correlated COUNT subquery over queryset, for use in annotate().

    A subquery rather than a join, so two counts on one row (votes and
    evidence) never multiply each other's rows.
    """
    template = "%(function)s(DISTINCT %(expressions)s)" if distinct else None
    extra = {"template": template} if template else {}
    counted = Func(F(field), function="COUNT", output_field=IntegerField(), **extra)
    return Coalesce(Subquery(queryset.order_by().annotate(n=counted).values("n")[:1]), 0)


def _follow_state(follows, user):
    """Return the follower_count and is_followed annotations for one kind of follow."""
    if user is not None and user.is_authenticated:
        is_followed = Exists(follows.filter(user=user))
    else:
        is_followed = Value(False)
    return {"follower_count": _count(follows), "is_followed": is_followed}


def _name_search(queryset, query: str, alias_owner: str, name_fields: tuple[str, ...]):
    """Filter and rank the rows whose names or aliases match query, ignoring accents and case.

    Aliases are stored folded, so the folded query matches "Mourinhò" to
    "mourinho"; names are also matched as typed, for rows with no alias.
    Demonyms ("the Portuguese") are left out: they name dozens of coaches.
    Exact alias first, then a word that starts with the query, then the
    rest, each by name.
    """
    folded = fold(query or "")
    if len(folded) < SEARCH_MIN_LENGTH:
        return queryset.none()
    aliases = Alias.objects.exclude(kind=Alias.Kind.DEMONYM).filter(**{alias_owner: OuterRef("pk")})
    names = Q()
    for field in name_fields:
        names |= Q(**{f"{field}__icontains": query.strip()})
    return (
        queryset.annotate(
            search_rank=Case(
                When(Exists(aliases.filter(folded=folded)), then=Value(0)),
                When(
                    Exists(
                        aliases.filter(
                            Q(folded__startswith=folded) | Q(folded__contains=f" {folded}")
                        )
                    ),
                    then=Value(1),
                ),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .filter(Q(Exists(aliases.filter(folded__contains=folded))) | names)
        .order_by("search_rank", *name_fields)
    )


class ClubQuerySet(models.QuerySet):
    def search(self, query: str):
        """Clubs whose name or alias matches query, best match first (see _name_search)."""
        return _name_search(self, query, "club", ("short_name", "name"))

    def with_follow_state(self, user):
        """Annotate follower_count, and is_followed by user (False for a visitor)."""
        return self.annotate(**_follow_state(Follow.objects.filter(club=OuterRef("pk")), user))


class User(AbstractUser):
    """A fan's account and how the fan wants to hear about the coaches and benches followed.

    Kept as our own model so fields can grow without a migration dance. The
    alert preferences live here rather than in a model of their own because
    every fan has exactly one set and fan-out reads them for thousands of
    followers in one query.
    """

    class EmailAlerts(models.TextChoices):
        INSTANT = "instant", _("as it happens")
        DIGEST = "digest", _("one daily digest")
        OFF = "off", _("never")

    class Threshold(models.IntegerChoices):
        """Score levels a fan can ask to be told about; each is crossed once per rumour."""

        POSSIBLE = 30, _("possible (30+)")
        LIKELY = 60, _("likely (60+)")
        VERY_LIKELY = 80, _("very likely (80+)")

    email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    site_alerts = models.BooleanField(_("alerts in the site"), default=True)
    email_alerts = models.CharField(
        _("email alerts"), max_length=8, choices=EmailAlerts, default=EmailAlerts.DIGEST
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=8, validators=[MaxValueValidator(23)]
    )
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    alert_threshold = models.PositiveSmallIntegerField(
        _("tell me when a rumour becomes"), choices=Threshold, default=Threshold.LIKELY
    )
    feed_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    last_alert_email_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)

    def is_quiet_at(self, moment) -> bool:
        """Tell whether moment falls in the fan's quiet hours (which may run past midnight)."""
        start, end = self.quiet_from, self.quiet_until
        if start is None or end is None or start == end:
            return False
        local = moment.astimezone(self.zone).time()
        if start < end:
            return start <= local < end
        return local >= start or local < end

    def digest_slot(self, moment):
        """Return the latest digest time (the fan's hour, in the fan's zone) not after moment."""
        local = moment.astimezone(self.zone)
        slot = local.replace(hour=self.digest_hour, minute=0, second=0, microsecond=0)
        if slot > local:
            slot = (slot - timedelta(days=1)).replace(hour=self.digest_hour)
        return slot

    def is_digest_due(self, moment) -> bool:
        """Tell whether the digest for the latest slot has yet to go (and quiet hours allow it)."""
        if self.email_alerts != self.EmailAlerts.DIGEST or not self.email:
            return False
        # A new fan's first digest comes at the first slot after joining.
        last = self.last_digest_at or self.date_joined
        return last < self.digest_slot(moment) and not self.is_quiet_at(moment)

    def regenerate_feed_token(self) -> str:
        """Give the fan a new secret feed address; the old one stops working at once."""
        self.feed_token = secrets.token_urlsafe(32)
        User.objects.filter(pk=self.pk).update(feed_token=self.feed_token)
        return self.feed_token

    def stop_email_alerts(self):
        """Send no more alert emails; what was waiting to go is dropped, never sent late."""
        self.email_alerts = self.EmailAlerts.OFF
        User.objects.filter(pk=self.pk).update(email_alerts=self.email_alerts)
        self.notifications.unsent_email().delete()


def free_slug(model, text: str, fallback: str) -> str:
    """Return a slug for text that no row of model uses yet ("name", "name-2", ...)."""
    slug = base = slugify(text) or fallback
    suffix = 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


class Followable:
    """What coaches and club benches share: their addresses, and being followed.

    `noun` names both the URL prefix ("coach-detail") and the Follow field.
    """

    noun: str

    def get_absolute_url(self):
        return reverse(f"rumours:{self.noun}-detail", args=[self.slug])

    def get_feed_url(self):
        return reverse(f"rumours:{self.noun}-feed", args=[self.slug])

    def get_follow_url(self):
        return reverse(f"rumours:{self.noun}-follow", args=[self.slug])

    def record_follow(self, user):
        """Make user a follower; following twice, even twice at once, changes nothing.

        An insert that skips a conflict rather than get_or_create: with an
        unfollow racing two follows, get_or_create's second look can find
        no row and raise the IntegrityError it caught.
        """
        follow = Follow(user=user, **{self.noun: self})
        Follow.objects.bulk_create([follow], ignore_conflicts=True)
        page_cache.bump_profile(self)

    def withdraw_follow(self, user):
        deleted, _ = Follow.objects.filter(user=user, **{self.noun: self}).delete()
        if deleted:
            page_cache.bump_profile(self)


class Club(Followable, models.Model):
    """A club or a national team whose bench can change hands."""

    noun = "club"

    name = models.CharField(max_length=200, help_text=_("Full official name."))
    short_name = models.CharField(max_length=100, help_text=_("The name headlines use."))
    slug = models.SlugField(max_length=120, unique=True)
    country = models.CharField(max_length=6, help_text=_("ISO 3166 code, GB-ENG for England."))
    league = models.CharField(max_length=100, blank=True, db_index=True)
    is_national_team = models.BooleanField(default=False)
    bench_open_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the news reported its coach leaving; empty once a new one is named."),
    )

    objects = ClubQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name


class CoachQuerySet(models.QuerySet):
    def search(self, query: str):
        """Coaches whose name or alias matches query, best match first (see _name_search)."""
        return _name_search(self, query, "coach", ("full_name",))

    def with_follow_state(self, user):
        """Annotate follower_count, and is_followed by user (False for a visitor)."""
        return self.annotate(**_follow_state(Follow.objects.filter(coach=OuterRef("pk")), user))


class Coach(Followable, models.Model):
    """A head coach, in a job or a free agent (free agents matter most in this market)."""

    noun = "coach"

    full_name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    nationality = models.CharField(max_length=6, blank=True)
    born = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Year of birth."))
    birthplace = models.CharField(max_length=100, blank=True)
    current_club = models.ForeignKey(
        Club, models.SET_NULL, null=True, blank=True, related_name="current_coaches"
    )

    objects = CoachQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "coaches"

    def __str__(self):
        return self.full_name

    @property
    def is_free_agent(self) -> bool:
        return self.current_club_id is None


class CoachingSpell(models.Model):
    """One head-coach job: who coached which club, from when to when."""

    coach = models.ForeignKey(Coach, models.CASCADE, related_name="spells")
    club = models.ForeignKey(Club, models.CASCADE, related_name="spells")
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True, help_text=_("Empty while still in charge."))
    is_caretaker = models.BooleanField(default=False)

    class Meta:
        ordering = ["coach", "started"]
        constraints = [
            models.UniqueConstraint(
                "coach", "club", "started", name="one_spell_per_coach_club_and_start"
            ),
            models.CheckConstraint(
                condition=Q(ended__isnull=True)
                | Q(started__isnull=True)
                | Q(ended__gte=models.F("started")),
                name="spell_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.coach} at {self.club}"


class Alias(models.Model):
    """Another name for a coach or a club: nickname, epithet, short form, demonym."""

    class Kind(models.TextChoices):
        NAME = "name", _("name or short form")
        NICKNAME = "nickname", _("nickname")
        DEMONYM = "demonym", _('origin ("the Portuguese")')

    text = models.CharField(max_length=120)
    folded = models.CharField(max_length=120, editable=False, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.NAME)
    coach = models.ForeignKey(Coach, models.CASCADE, null=True, blank=True, related_name="aliases")
    club = models.ForeignKey(Club, models.CASCADE, null=True, blank=True, related_name="aliases")

    class Meta:
        verbose_name_plural = "aliases"
        constraints = [
            models.CheckConstraint(
                condition=(Q(coach__isnull=False) & Q(club__isnull=True))
                | (Q(coach__isnull=True) & Q(club__isnull=False)),
                name="alias_names_one_coach_or_one_club",
            ),
            models.UniqueConstraint("coach", "folded", name="one_alias_text_per_coach"),
            models.UniqueConstraint("club", "folded", name="one_alias_text_per_club"),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.folded = fold(self.text)
        super().save(*args, **kwargs)


class SourceQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(is_active=True)

    def with_article_counts(self):
        """Annotate article_count: how many articles each outlet has given us."""
        return self.annotate(article_count=_count(Article.objects.filter(source=OuterRef("pk"))))

    def due(self, now=None):
        """Enabled sources with a feed whose next poll time has come."""
        now = now or timezone.now()
        return (
            self.enabled()
            .exclude(feed_url="")
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        )

    def with_track_record(self, league: str = ""):
        """Annotate each source's track record, overall or in one league. One join.

        Adds the TrackRecord names: came_true, did_not_happen, expired, pending,
        resolved, conversion (None until a rumour resolved), reliability (the
        tier's prior until there is history) and lead_days (None until one
        came true).
        """
        prior = Case(
            *(When(tier=tier, then=Value(value)) for tier, value in TIER_PRIOR.items()),
            default=Value(TIER_PRIOR[3]),
            output_field=FloatField(),
        )
        return self.alias(
            record=FilteredRelation("track_records", condition=Q(track_records__league=league))
        ).annotate(
            came_true=Coalesce("record__came_true", 0),
            did_not_happen=Coalesce("record__did_not_happen", 0),
            expired=Coalesce("record__expired", 0),
            pending=Coalesce("record__pending", 0),
            resolved=Coalesce("record__resolved", 0),
            conversion=F("record__conversion"),
            reliability=Coalesce("record__reliability", prior),
            lead_days=F("record__lead_days"),
        )


class CoachCandidate(models.Model):
    """A probable coach the gazetteer does not know yet ("il tecnico Mario Rossi").

    Moderators approve candidates in the admin; an approved candidate becomes
    a Coach and is matched from then on.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    name = models.CharField(max_length=150)
    folded = models.CharField(max_length=150, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    mentions = models.PositiveIntegerField(default=1)
    context = models.TextField(blank=True, help_text=_("The sentence the name was first seen in."))
    first_article = models.ForeignKey(
        "Article", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coach = models.ForeignKey(
        Coach,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The coach created on approval."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-mentions", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.folded = fold(self.name)
        super().save(*args, **kwargs)

    @classmethod
    def note(cls, name: str, context: str = "", article=None):
        """Count one more sighting of a probable coach name."""
        folded = fold(name)
        candidate, created = cls.objects.get_or_create(
            folded=folded,
            defaults={"name": name, "context": context[:1000], "first_article": article},
        )
        if not created:
            cls.objects.filter(pk=candidate.pk).update(mentions=models.F("mentions") + 1)
        return candidate

    def approve(self, by=None):
        """Create the coach (with his name as an alias) so extraction matches him from now on."""
        if self.coach_id:
            return self.coach
        coach = Coach.objects.create(full_name=self.name, slug=free_slug(Coach, self.name, "coach"))
        Alias.objects.create(coach=coach, text=self.name, kind=Alias.Kind.NAME)
        self.coach, self.status = coach, self.Status.APPROVED
        self.save(update_fields=["coach", "status"])
        return coach


class Source(models.Model):
    """A news outlet (or a reporter credited by outlets) and how to read it."""

    class Kind(models.TextChoices):
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        HTML = "html", _("HTML index page")
        NONE = "none", _("no feed (credited by others)")

    UNHEALTHY_AFTER_FAILURES = 3

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    domain = models.CharField(max_length=200, blank=True, db_index=True)
    language = models.CharField(max_length=8, blank=True)
    kind = models.CharField(max_length=5, choices=Kind, default=Kind.RSS)
    feed_url = models.URLField(max_length=500, blank=True)
    tier = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 = most reliable, 4 = least."),
    )
    is_active = models.BooleanField(default=True)
    is_person = models.BooleanField(
        default=False, help_text=_("A reporter credited by outlets rather than an outlet.")
    )
    link_selector = models.CharField(
        max_length=200, blank=True, help_text=_("CSS selector for article links on an HTML index.")
    )
    body_selector = models.CharField(
        max_length=200, blank=True, help_text=_("CSS selector for the article body.")
    )
    poll_interval = models.PositiveIntegerField(default=30, help_text=_("Minutes between polls."))
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=4), name="source_tier_1_to_4"
            ),
            models.UniqueConstraint(
                "feed_url", condition=~Q(feed_url=""), name="one_source_per_feed_url"
            ),
        ]
        indexes = [models.Index(fields=["is_active", "next_poll_at"], name="source_due_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("rumours:source-detail", args=[self.slug])

    @property
    def is_healthy(self) -> bool:
        return self.consecutive_failures < self.UNHEALTHY_AFTER_FAILURES

    def record_success(self, etag: str = "", last_modified: str = "", at=None):
        """Note a good poll: health restored, next poll at the normal interval."""
        at = at or timezone.now()
        self.last_polled_at = self.last_success_at = at
        self.consecutive_failures = 0
        self.next_poll_at = at + timedelta(minutes=self.poll_interval)
        fields = ["last_polled_at", "last_success_at", "consecutive_failures", "next_poll_at"]
        if etag or last_modified:
            self.etag, self.last_modified = etag[:200], last_modified[:100]
            fields += ["etag", "last_modified"]
        self.save(update_fields=fields)

    def forget_validators(self):
        """Make the next poll read the feed whole, not ask "modified since?".

        Called when a poll finds articles to fetch: if their fetch tasks are
        lost (a broker outage), a conditional poll would hear "not modified"
        and never find them again.
        """
        if self.etag or self.last_modified:
            self.etag = self.last_modified = ""
            Source.objects.filter(pk=self.pk).update(etag="", last_modified="")

    def record_failure(self, error: str, at=None):
        """Note a failed poll and back off: each failure in a row doubles the wait, up to a day."""
        at = at or timezone.now()
        self.last_polled_at = self.last_error_at = at
        self.last_error = error[:2000]
        self.consecutive_failures += 1
        delay = min(self.poll_interval * 2 ** min(self.consecutive_failures, 10), 24 * 60)
        self.next_poll_at = at + timedelta(minutes=delay)
        self.save(
            update_fields=[
                "last_polled_at",
                "last_error_at",
                "last_error",
                "consecutive_failures",
                "next_poll_at",
            ]
        )


class Article(models.Model):
    """One news article, stored once whatever URLs it was found under."""

    source = models.ForeignKey(Source, models.CASCADE, related_name="articles")
    url = models.URLField(max_length=1000, unique=True, help_text=_("Canonical URL."))
    title = models.CharField(max_length=500)
    author = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=8, blank=True)
    text = models.TextField(help_text=_("Plain text of the body, used for extraction."))
    content_hash = models.CharField(max_length=64, unique=True)
    extracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            models.Index(fields=["-published_at"], name="article_recent_idx"),
            models.Index(fields=["source", "-published_at"], name="article_source_recent_idx"),
        ]

    def __str__(self):
        return self.title

    @staticmethod
    def fingerprint(text: str) -> str:
        """Hash the text so the same story under two URLs is found to be one article.

        Case, accents and whitespace are ignored: re-encoded or re-wrapped
        copies still match.
        """
        return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


class SkippedPage(models.Model):
    """A URL that gave no article: not one (a contact page) or failing to fetch.

    Remembered so a poll does not fetch it again and again; transient
    failures are tried again a few times before they count as permanent.
    """

    GIVE_UP_AFTER = 3

    source = models.ForeignKey(Source, models.CASCADE, related_name="skipped_pages")
    url = models.URLField(max_length=1000, unique=True)
    reason = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    is_permanent = models.BooleanField(default=False)
    last_tried_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.url

    @classmethod
    def record(cls, source, url: str, reason: str, *, permanent: bool):
        """Remember a failed or non-article URL; count the attempt if it was seen before."""
        skipped, created = cls.objects.get_or_create(
            url=url, defaults={"source": source, "reason": reason[:2000], "is_permanent": permanent}
        )
        if not created:
            skipped.attempts += 1
            skipped.reason = reason[:2000]
            skipped.last_tried_at = timezone.now()
            skipped.is_permanent = permanent or skipped.attempts >= cls.GIVE_UP_AFTER
            skipped.save(update_fields=["attempts", "reason", "last_tried_at", "is_permanent"])
        return skipped


class ArticleURL(models.Model):
    """Another address the same article was found at (AMP copy, tracking link, mirror)."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="alternate_urls")
    url = models.URLField(max_length=1000, unique=True)

    class Meta:
        verbose_name = "alternate URL"

    def __str__(self):
        return self.url


def _counters_from_rows() -> dict:
    """Return each stored counter of a rumour as the subquery that counts it from the rows."""
    votes = Vote.objects.filter(rumour=OuterRef("pk"))
    evidence = Evidence.objects.filter(rumour=OuterRef("pk"))
    return {
        "reliable_count": _count(votes.filter(value=Vote.Value.RELIABLE)),
        "unreliable_count": _count(votes.filter(value=Vote.Value.UNRELIABLE)),
        "evidence_count": _count(evidence),
        "outlet_count": _count(evidence, "article__source", distinct=True),
    }


class VotingClosed(Exception):
    """A vote (or its withdrawal) on a rumour that is no longer open."""

    def __init__(self, rumour):
        super().__init__(f"Rumour {rumour.pk} is {rumour.status}: voting is closed.")
        self.rumour = rumour


class RumourQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Rumour.Status.OPEN)

    def for_coach(self, coach):
        return self.filter(coach=coach)

    def record_evidence(
        self, *, coach, club, article, kind, quote, confidence, credited_to="", credited_source=None
    ):
        """Store that an article links a coach and a club; return (rumour, evidence, created).

        Idempotent: the same article never adds a second piece of evidence
        to the same rumour. The rumour's kind follows its most recent
        evidence, so a rumour that is later signed reads "confirmed". One
        report of record_article_evidence, which keeps those rules.
        """
        report = {
            "coach": coach,
            "club": club,
            "kind": kind,
            "quote": quote,
            "confidence": confidence,
            "credited_to": credited_to,
            "credited_source": credited_source,
        }
        ((rumour, _, created),) = self.record_article_evidence(article, [report])
        return rumour, Evidence.objects.get(rumour=rumour, article=article), created

    @transaction.atomic(savepoint=False)
    def record_article_evidence(self, article, reports: list[dict]) -> list[tuple]:
        """Store everything one article reports, in a few queries; return [(rumour, kind, created)].

        Each report holds record_evidence's keyword arguments but `article`.
        The same rules hold (one piece of evidence per rumour and article,
        the rumour's kind follows its newest news), but the rumours are read
        in one query, the evidence this article already gave in another,
        and the new evidence is inserted in a third: extraction at scale
        spends its time in round trips, not in SQL. One UPDATE then moves
        every rumour's counters and seen-period (count_new_evidence).

        The rumours are locked (in (coach, club) order, so concurrent
        workers cannot deadlock) until the caller's transaction commits, so
        two articles from one outlet read at once count that outlet once.
        """
        if not reports:
            return []
        reports = sorted(reports, key=lambda report: (report["coach"].pk, report["club"].pk))
        seen_at = article.published_at or article.fetched_at
        pairs = Q()
        for report in reports:
            pairs |= Q(coach_id=report["coach"].pk, club_id=report["club"].pk)
        locked = self.filter(pairs).order_by("coach_id", "club_id").select_for_update()
        rumours = {(rumour.coach_id, rumour.club_id): rumour for rumour in locked}
        missing = {}
        for report in reports:
            key = (report["coach"].pk, report["club"].pk)
            if key not in rumours and key not in missing:
                missing[key] = Rumour(
                    coach=report["coach"],
                    club=report["club"],
                    kind=report["kind"],
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                )
        if missing:
            # New rumours in one insert; one another worker inserted a moment
            # ago is skipped here and read (and locked) with the rest.
            self.bulk_create(missing.values(), ignore_conflicts=True)
            fresh = Q()
            for coach_id, club_id in missing:
                fresh |= Q(coach_id=coach_id, club_id=club_id)
            created = self.filter(fresh).order_by("coach_id", "club_id").select_for_update()
            rumours.update({(rumour.coach_id, rumour.club_id): rumour for rumour in created})
        # One query finds the evidence this article already gave and the
        # rumours its outlet reported before: a second outlet counts, a
        # second article from the same outlet does not.
        from_outlet = Evidence.objects.filter(
            rumour__in=[rumour.pk for rumour in rumours.values()],
            article__source_id=article.source_id,
        ).values_list("rumour_id", "article_id")
        given, outlet_known = set(), set()
        for rumour_id, article_id in from_outlet:
            (given if article_id == article.pk else outlet_known).add(rumour_id)
        results, new = [], []
        for report in reports:
            rumour = rumours[(report["coach"].pk, report["club"].pk)]
            created = rumour.pk not in given
            if created:
                given.add(rumour.pk)
                fields = {k: v for k, v in report.items() if k not in ("coach", "club")}
                new.append((rumour, Evidence(rumour=rumour, article=article, **fields)))
            results.append((rumour, report["kind"], created))
        # With the rumours locked, no concurrent extraction of this article
        # can have inserted any of these rows since `given` was read.
        Evidence.objects.bulk_create([evidence for _, evidence in new])
        self.count_new_evidence(
            [(rumour, evidence.kind) for rumour, evidence in new],
            seen_at,
            new_outlet_for={rumour.pk for rumour, _ in new} - outlet_known,
        )
        if new:
            page_cache.bump(rumours=[rumour.pk for rumour, _ in new])
        return results

    def count_new_evidence(self, news: list[tuple["Rumour", str]], seen_at, new_outlet_for=()):
        """Take just-stored evidence into account: a (rumour, kind) each, all seen at seen_at.

        In one UPDATE: each rumour counts one more article (and one more
        outlet if its pk is in new_outlet_for), widens its seen-period and
        adopts the kind if it is the newest news (take_evidence_into_account's
        rules). The counters move with F() expressions, so workers storing
        evidence for these rumours at once never lose a count. The instances
        are updated to match.
        """
        if not news:
            return
        changed: dict[str, dict[int, object]] = defaultdict(dict)
        for rumour, kind in news:
            for field in rumour._widen_seen_period(kind, seen_at):
                changed[field][rumour.pk] = getattr(rumour, field)
            rumour.evidence_count += 1
            rumour.outlet_count += rumour.pk in new_outlet_for
        updates = {
            "evidence_count": F("evidence_count") + 1,
            "outlet_count": F("outlet_count")
            + Case(When(pk__in=list(new_outlet_for), then=Value(1)), default=Value(0)),
        }
        for name, values in changed.items():
            field = Rumour._meta.get_field(name)
            whens = [
                When(pk=pk, then=Value(value, output_field=field)) for pk, value in values.items()
            ]
            updates[name] = Case(*whens, default=F(name), output_field=field)
        Rumour.objects.filter(pk__in=[rumour.pk for rumour, _ in news]).update(**updates)

    def for_club(self, club):
        return self.filter(club=club)

    def confirmed(self):
        """Moves reported as done, newest first."""
        return self.filter(kind=Rumour.Kind.CONFIRMED).order_by("-last_seen_at")

    def exits(self):
        """Open exit news (a coach leaving, or about to): benches at risk, newest first."""
        return self.open().filter(kind=Rumour.Kind.EXIT).order_by("-last_seen_at")

    def hottest(self, since):
        """Open rumours by movement: buzz, then mentions since `since`, then score.

        Mentions date from the article (or from when it was read, if it has
        no date), so a backlog read today does not look like fresh news;
        they rank the rumours that scoring has not reached yet.
        """
        recent = Evidence.objects.filter(rumour=OuterRef("pk")).filter(
            Q(article__published_at__gte=since)
            | Q(article__published_at__isnull=True, created_at__gte=since)
        )
        return (
            self.open()
            .filter(kind=Rumour.Kind.RUMOUR)
            .annotate(recent_mentions=_count(recent))
            .order_by(
                "-buzz",
                "-recent_mentions",
                F("score").desc(nulls_last=True),
                "-last_seen_at",
                "-pk",
            )
        )

    def recount(self) -> int:
        """Recompute the stored vote and evidence counters from the rows; return how many were off.

        The domain methods keep the counters right as they go; this mends
        what bypasses them (a moderator deleting an article, an account
        deleted with its votes) and runs nightly as a check. Only rumours
        whose counters are off are written.
        """
        truth = _counters_from_rows()
        off = Q()
        for field in truth:
            off |= ~Q(**{field: F(f"true_{field}")})
        drifted = self.annotate(**{f"true_{field}": count for field, count in truth.items()})
        return Rumour.objects.filter(pk__in=drifted.filter(off).values("pk")).update(**truth)

    def with_user_vote(self, user):
        """Annotate user_vote: the user's verdict ("reliable", "unreliable") or None."""
        if user is None or not user.is_authenticated:
            return self.annotate(user_vote=Value(None, output_field=CharField()))
        own = Vote.objects.filter(rumour=OuterRef("pk"), user=user).values("value")[:1]
        return self.annotate(user_vote=Subquery(own))

    def for_cards(self, user=None):
        """Rumours as a list row needs them: both ends and the user's vote (counts are stored)."""
        return self.select_related("coach", "club").with_user_vote(user)

    def for_board(self, user=None, evidence_per_card: int = 5):
        """Rumours as board cards need them: for_cards plus their newest evidence.

        The evidence is fetched in one more query, at most evidence_per_card
        per rumour (in `recent_evidence`), with each article and outlet.
        """
        recent = Evidence.objects.with_sources().newest_first()[:evidence_per_card]
        return (
            self.for_cards(user)
            .prefetch_related(Prefetch("evidence", queryset=recent, to_attr="recent_evidence"))
            .order_by("-last_seen_at", "-pk")
        )

    def resolved(self):
        return self.exclude(status=Rumour.Status.OPEN)

    def by_likelihood(self):
        """Most likely first (rumours not scored yet last), then the newest news."""
        return self.order_by(F("score").desc(nulls_last=True), "-last_seen_at", "-pk")

    def by_buzz(self):
        """Loudest first, then the newest news."""
        return self.order_by("-buzz", "-last_seen_at", "-pk")

    def rescore(self, now=None, weights=None):
        """Settle these rumours' status from their evidence, then recompute score, buzz and reasons.

        In bulk: a fixed number of queries per chunk of rumours, plus a few
        per status change. Returns lifecycle.Update (what changed).
        """
        from . import lifecycle

        return lifecycle.update(self, now=now, weights=weights)


class Rumour(models.Model):
    """One coach linked to one club's bench; evidence accumulates on it."""

    class Kind(models.TextChoices):
        RUMOUR = "rumour", _("rumour")
        CONFIRMED = "confirmed", _("confirmed")
        EXIT = "exit", _("exit")
        DENIAL = "denial", _("denial")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        HAPPENED = "happened", _("happened")
        DID_NOT_HAPPEN = "did_not_happen", _("did not happen")
        EXPIRED = "expired", _("expired")

    class Stage(models.TextChoices):
        """How far the move has gone, by the evidence's own account."""

        INTEREST = "interest", _("interest")
        CONTACT = "contact", _("contact")
        TALKS = "talks", _("talks")
        AGREEMENT = "agreement", _("agreement")
        DONE = "done", _("done")

    coach = models.ForeignKey(Coach, models.CASCADE, related_name="rumours")
    club = models.ForeignKey(Club, models.CASCADE, related_name="rumours")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.RUMOUR)
    status = models.CharField(max_length=15, choices=Status, default=Status.OPEN)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("How likely the move is, 0-100; empty until first scored."),
    )
    buzz = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text=_("How much and how fast the story is spreading, 0-100; not a likelihood."),
    )
    stage = models.CharField(max_length=10, choices=Stage, blank=True, editable=False)
    score_reasons = models.JSONField(
        default=list, blank=True, editable=False, help_text=_("Why the score is what it is.")
    )
    scored_at = models.DateTimeField(null=True, blank=True, editable=False)
    appointed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the official appointment was reported.")
    )
    exited_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the official exit was reported.")
    )
    moderated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When a moderator last set the status by hand: evidence stored before then "
            "no longer moves it."
        ),
    )
    # Counters kept with the rows they count, so a board of busy rumours
    # reads them instead of counting thousands of votes per card. They move
    # with F() expressions in the same transaction as the rows (record_vote,
    # Rumour.objects.count_new_evidence); Rumour.objects.recount() mends them.
    reliable_count = models.PositiveIntegerField(default=0, editable=False)
    unreliable_count = models.PositiveIntegerField(default=0, editable=False)
    evidence_count = models.PositiveIntegerField(default=0, editable=False)
    outlet_count = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("How many outlets the evidence comes from.")
    )

    objects = RumourQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("coach", "club", name="one_rumour_per_coach_and_club")
        ]
        indexes = [
            models.Index(fields=["coach", "-last_seen_at"], name="rumour_coach_recent_idx"),
            models.Index(fields=["club", "-last_seen_at"], name="rumour_club_recent_idx"),
            models.Index(fields=["status", "-last_seen_at"], name="rumour_status_recent_idx"),
            models.Index(fields=["status", "-score"], name="rumour_status_score_idx"),
        ]

    def __str__(self):
        return f"{self.coach} → {self.club} ({self.kind})"

    COUNTERS = ("reliable_count", "unreliable_count", "evidence_count", "outlet_count")

    def save(self, *args, **kwargs):
        """Save, leaving the counters out of a full save of a stored rumour.

        They move only by UPDATE with F() (record_vote,
        Rumour.objects.count_new_evidence, recount): an instance read a
        minute ago would put back stale counts.
        """
        if kwargs.get("update_fields") is None and not self._state.adding:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.COUNTERS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.coach.get_absolute_url()

    # When two pieces of evidence are from the same moment, the stronger
    # claim sets the rumour's kind.
    KIND_STRENGTH = {Kind.RUMOUR: 0, Kind.DENIAL: 1, Kind.EXIT: 2, Kind.CONFIRMED: 3}

    def take_evidence_into_account(self, kind, seen_at):
        """Widen the seen-period to include seen_at; adopt kind if it is the newest news."""
        fields = self._widen_seen_period(kind, seen_at)
        if fields:
            self.save(update_fields=fields)

    def _widen_seen_period(self, kind, seen_at) -> list[str]:
        """Apply take_evidence_into_account's rules to this instance; return the fields changed."""
        fields = []
        if seen_at < self.first_seen_at:
            self.first_seen_at = seen_at
            fields.append("first_seen_at")
        newest = seen_at > self.last_seen_at or (
            seen_at == self.last_seen_at
            and self.KIND_STRENGTH[kind] > self.KIND_STRENGTH[self.kind]
        )
        if newest:
            self.last_seen_at = seen_at
            self.kind = kind
            fields += ["last_seen_at", "kind"]
        return fields

    @property
    def coverage(self) -> int:
        """How widely the press reports this rumour, 0-100, for the bar on its card.

        Each outlet adds 20 and each further article 5. A stand-in until the
        reliability score replaces it.
        """
        extra_articles = max(self.evidence_count - self.outlet_count, 0)
        return min(100, 20 * self.outlet_count + 5 * extra_articles)

    # Score bands for the badge's colour: the template formats, the model decides.
    LIKELY_FROM = 60
    POSSIBLE_FROM = 30

    @property
    def score_band(self) -> str:
        """Return "likely", "possible", "unlikely", or "" while the rumour is not scored."""
        if self.score is None:
            return ""
        if self.score >= self.LIKELY_FROM:
            return "likely"
        return "possible" if self.score >= self.POSSIBLE_FROM else "unlikely"

    @property
    def takes_votes(self) -> bool:
        """Fans vote on open rumours only: a settled one keeps the verdicts it closed with."""
        return self.status == Rumour.Status.OPEN

    def record_vote(self, user, value):
        """Store the user's verdict on this rumour, replacing any earlier one; then rescore.

        The fan's vote row is locked while it changes, so the same fan
        voting twice at once moves the counters once; the counters move
        with F() expressions, so many fans voting at once lose nothing.
        Raises VotingClosed if the rumour no longer takes votes.
        """
        if not self.takes_votes:
            raise VotingClosed(self)
        with transaction.atomic():
            vote, created = self._lock_vote(user, value)
            if created:
                self._move_vote_counters(added=value)
            elif vote.value != value:
                Vote.objects.filter(pk=vote.pk).update(value=value, updated_at=timezone.now())
                self._move_vote_counters(added=value, removed=vote.value)
            else:
                return
        self.rescore_soon()
        page_cache.bump(rumours=[self.pk])

    def _lock_vote(self, user, value) -> tuple["Vote", bool]:
        """Return the user's vote row, locked (created with value if missing), and if it was made.

        get_or_create inserts, and on a concurrent insert looks again; a
        withdrawal in between leaves nothing to find, so it tries once more.
        """
        try:
            return Vote.objects.select_for_update().get_or_create(
                rumour=self, user=user, defaults={"value": value}
            )
        except IntegrityError:
            return Vote.objects.select_for_update().get_or_create(
                rumour=self, user=user, defaults={"value": value}
            )

    def withdraw_vote(self, user):
        """Remove the user's verdict on this rumour, if any; then rescore.

        Raises VotingClosed if the rumour no longer takes votes.
        """
        if not self.takes_votes:
            raise VotingClosed(self)
        with transaction.atomic():
            vote = Vote.objects.select_for_update().filter(rumour=self, user=user).first()
            if vote is None:
                return
            vote.delete()
            self._move_vote_counters(removed=vote.value)
        self.rescore_soon()
        page_cache.bump(rumours=[self.pk])

    def _move_vote_counters(self, *, added=None, removed=None):
        changes = {}
        if added:
            changes[f"{added}_count"] = F(f"{added}_count") + 1
        if removed:
            changes[f"{removed}_count"] = F(f"{removed}_count") - 1
        Rumour.objects.filter(pk=self.pk).update(**changes)

    def rescore_soon(self):
        """Queue one recompute of this rumour's score once the transaction commits (debounced)."""
        from .tasks import queue_rescore

        queue_rescore(self.pk)

    def rescore(self, now=None):
        """Settle this rumour's status and recompute its score now; reload the fields."""
        update = Rumour.objects.filter(pk=self.pk).rescore(now=now)
        self.refresh_from_db()
        return update

    def change_status(self, status, reason="", changed_by=None, at=None):
        """Move the rumour to a new status and keep the change in its history.

        Only from the status this instance last saw: if another worker moved
        the rumour meanwhile, nothing changes and this returns False.
        """
        at = at or timezone.now()
        if status == self.status:
            return False
        moved = Rumour.objects.filter(pk=self.pk, status=self.status).update(
            status=status, status_changed_at=at
        )
        if not moved:
            self.refresh_from_db(fields=["status", "status_changed_at"])
            return False
        self.status = status
        self.status_changed_at = at
        RumourStatusChange.objects.create(
            rumour=self, status=status, reason=reason[:300], changed_by=changed_by, changed_at=at
        )
        return True


class RumourStatusChange(models.Model):
    """The history of a rumour's status: what changed, when, why and by whom."""

    rumour = models.ForeignKey(Rumour, models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=15, choices=Rumour.Status)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey("User", models.SET_NULL, null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at"]

    def __str__(self):
        return f"{self.rumour}: {self.status}"


class EvidenceQuerySet(models.QuerySet):
    def for_coach(self, coach):
        return self.filter(rumour__coach=coach)

    def for_club(self, club):
        return self.filter(rumour__club=club)

    def with_sources(self):
        """Join each piece of evidence to its article, outlet and credited outlet."""
        return self.select_related("article__source", "credited_source")

    def newest_first(self):
        """Order by the article's date (undated articles last), then the newest stored."""
        return self.order_by(F("article__published_at").desc(nulls_last=True), "-pk")

    def claims(self) -> dict[int, list]:
        """Return the evidence as scoring Claims, grouped by rumour id. One query, no body text."""
        from .scoring import Claim

        rows = self.order_by().values_list(
            "pk",
            "rumour_id",
            "article_id",
            "article__source_id",
            "article__source__tier",
            "article__source__name",
            "kind",
            "quote",
            "confidence",
            "article__published_at",
            "article__fetched_at",
            "created_at",
            "article__language",
            "article__title",
            "article__author",
            "credited_source_id",
            "credited_source__tier",
            "credited_source__name",
            "credited_to",
            "rumour__club__league",
        )
        grouped: dict[int, list] = defaultdict(list)
        for row in rows.iterator(chunk_size=2000):
            (pk, rumour_id, article_id, outlet_id, outlet_tier, outlet_name, kind, quote) = row[:8]
            (confidence, published_at, fetched_at, created_at, language, title, author) = row[8:15]
            (credited_id, credited_tier, credited_source_name, credited_to, league) = row[15:]
            grouped[rumour_id].append(
                Claim(
                    evidence_id=pk,
                    article_id=article_id,
                    outlet_id=outlet_id,
                    outlet_tier=outlet_tier,
                    outlet_name=outlet_name,
                    kind=kind,
                    quote=quote,
                    confidence=confidence,
                    seen_at=published_at or fetched_at,
                    recorded_at=created_at,
                    language=language,
                    title=title,
                    author=author,
                    credited_id=credited_id,
                    credited_tier=credited_tier,
                    credited_name=credited_to or credited_source_name or "",
                    league=league,
                )
            )
        return grouped

    def mentions_per_day(self):
        """Count mentions per rumour and day, with each rumour's club name and kind.

        The day is the article's date, or when it was read if it has none.
        Rows are (rumour_id, club_name, kind, day, mentions), oldest first.
        """
        return (
            self.annotate(day=TruncDate(Coalesce("article__published_at", "created_at")))
            .values("rumour_id", "day")
            .annotate(
                mentions=Count("pk"),
                club_name=F("rumour__club__short_name"),
                kind=F("rumour__kind"),
            )
            .order_by("day", "rumour_id")
        )


class Evidence(models.Model):
    """One article supporting one rumour, with the sentence that says so."""

    rumour = models.ForeignKey(Rumour, models.CASCADE, related_name="evidence")
    article = models.ForeignKey(Article, models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Rumour.Kind)
    quote = models.TextField(help_text=_("The sentence(s) of the article that report the link."))
    confidence = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    credited_to = models.CharField(
        max_length=200, blank=True, help_text=_("Who the article says broke the story.")
    )
    credited_source = models.ForeignKey(
        Source,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="credited_evidence",
        help_text=_("The outlet or reporter the article credits, when known."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                "rumour", "article", name="one_evidence_per_rumour_and_article"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="evidence_confidence_0_to_1",
            ),
        ]
        indexes = [
            models.Index(fields=["rumour", "-created_at"], name="evidence_rumour_recent_idx")
        ]

    def __str__(self):
        return f"{self.article} → {self.rumour}"


class VoteQuerySet(models.QuerySet):
    def verdicts(self) -> dict[int, list]:
        """Return the votes of active accounts as scoring Verdicts, grouped by rumour id. One query.

        Each carries how old the account was when it voted, so that a crowd
        of accounts made for the occasion weighs little.
        """
        from .scoring import Verdict

        rows = self.filter(user__is_active=True).values_list(
            "rumour_id", "value", "updated_at", "user__date_joined"
        )
        grouped: dict[int, list] = defaultdict(list)
        for rumour_id, value, cast_at, joined in rows.iterator(chunk_size=2000):
            grouped[rumour_id].append(
                Verdict(
                    reliable=value == Vote.Value.RELIABLE,
                    account_age_days=(cast_at - joined).total_seconds() / 86400,
                    cast_at=cast_at,
                )
            )
        return grouped


class Vote(models.Model):
    """One fan's verdict on one rumour."""

    class Value(models.TextChoices):
        RELIABLE = "reliable", _("reliable")
        UNRELIABLE = "unreliable", _("not reliable")

    rumour = models.ForeignKey(Rumour, models.CASCADE, related_name="votes")
    user = models.ForeignKey(User, models.CASCADE, related_name="votes")
    value = models.CharField(max_length=10, choices=Value)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("rumour", "user", name="one_vote_per_user_and_rumour"),
            models.CheckConstraint(
                condition=Q(value__in=["reliable", "unreliable"]), name="vote_value_is_a_choice"
            ),
        ]

    def __str__(self):
        return f"{self.user} says {self.rumour} is {self.value}"


class Follow(models.Model):
    """A fan follows a coach, or a club's bench, to hear about it."""

    user = models.ForeignKey(User, models.CASCADE, related_name="follows")
    coach = models.ForeignKey(Coach, models.CASCADE, null=True, blank=True, related_name="follows")
    club = models.ForeignKey(Club, models.CASCADE, null=True, blank=True, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(coach__isnull=False) & Q(club__isnull=True))
                | (Q(coach__isnull=True) & Q(club__isnull=False)),
                name="follow_one_coach_or_one_bench",
            ),
            models.UniqueConstraint("user", "coach", name="one_follow_per_user_and_coach"),
            models.UniqueConstraint("user", "club", name="one_follow_per_user_and_bench"),
        ]

    def __str__(self):
        return f"{self.user} follows {self.coach or self.club}"


class RumourEventQuerySet(models.QuerySet):
    def stale_fan_outs(self, now=None):
        """Events whose fan-out should have run by now and did not (lost in a broker outage)."""
        now = now or timezone.now()
        grace = timedelta(seconds=settings.BENCHWATCH_SWEEP_GRACE)
        return self.filter(fanned_out_at=None, created_at__lt=now - grace)


class RumourEvent(models.Model):
    """Something about a rumour worth telling its followers; each happens once, ever.

    The unique (rumour, kind, level) key is what makes alerts idempotent:
    re-ingesting an article or rescoring a rumour finds the event already
    there and tells nobody again.
    """

    class Kind(models.TextChoices):
        NEW = "new", _("new rumour")
        LIKELY = "likely", _("score crossed a threshold")
        APPOINTED = "appointed", _("appointment confirmed")
        EXIT = "exit", _("exit")
        DENIAL = "denial", _("denial")

    rumour = models.ForeignKey(Rumour, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind)
    level = models.PositiveSmallIntegerField(
        default=0, help_text=_("The score threshold crossed (for a threshold event).")
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    happened_at = models.DateTimeField(default=timezone.now, help_text=_("In news time."))
    created_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    objects = RumourEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "rumour", "kind", "level", name="one_event_per_rumour_kind_and_level"
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out_at__isnull=True),
                name="event_not_fanned_out_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.rumour}"


class NotificationQuerySet(models.QuerySet):
    def in_site(self):
        return self.filter(channel=Notification.Channel.SITE)

    def unread(self):
        return self.in_site().filter(read_at=None)

    def unsent_email(self):
        return self.filter(channel=Notification.Channel.EMAIL, sent_at=None)

    def for_display(self):
        """With the event, its rumour and both ends: one query for a page of them."""
        return self.select_related("event__rumour__coach", "event__rumour__club")

    def mark_read(self, now=None) -> int:
        return self.filter(read_at=None).update(read_at=now or timezone.now())


class Notification(models.Model):
    """One fan told about one event through one channel: read in the site, or sent by email.

    Email notifications are claimed by one sender at a time (claim, claimed_at)
    and marked sent_at only after the mail server took them, so a retry after
    an SMTP error sends them once.
    """

    class Channel(models.TextChoices):
        SITE = "site", _("in the site")
        EMAIL = "email", _("email")

    user = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    event = models.ForeignKey(RumourEvent, models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=5, choices=Channel, default=Channel.SITE)
    created_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "user", "event", "channel", name="one_notification_per_user_event_and_channel"
            )
        ]
        indexes = [
            models.Index(fields=["user", "channel", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["user"],
                condition=Q(channel="site", read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["user"],
                condition=Q(channel="email", sent_at__isnull=True),
                name="notification_unsent_idx",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.event} ({self.channel})"


class TrackRecordQuerySet(models.QuerySet):
    def overall(self):
        """Records across every league (the per-league ones are rows of their own)."""
        return self.filter(league="")

    def in_league(self, league: str):
        return self.filter(league=league)

    def outlets(self):
        return self.filter(source__isnull=False, source__is_person=False)

    def journalists(self):
        """Reporters: people outlets credit (sources marked as persons) and bylines."""
        return self.filter(Q(source__isnull=True) | Q(source__is_person=True))

    def ranked(self, minimum: int | None = None):
        """Records with enough resolved rumours to rank fairly, with their source."""
        minimum = TrackRecord.RANKED_AFTER if minimum is None else minimum
        return self.filter(resolved__gte=minimum).select_related("source")

    def best(self):
        """Highest conversion rate first (ties: the longer record): the leaderboard's top."""
        return self.ranked().order_by("-conversion", "-resolved", "name")

    def worst(self):
        """Lowest conversion rate first (ties: the longer record): the leaderboard's bottom."""
        return self.ranked().order_by("conversion", "-resolved", "name")

    def as_trust(self):
        """Return these records as scoring's Trust. One query.

        Outlets' reliability by (source, league); journalists known by
        byline only once they have a ranked record, since a byline has no
        tier to fall back on.
        """
        from .scoring import Trust

        trust = Trust()
        rows = self.values_list(
            "source_id", "byline", "league", "reliability", "came_true", "resolved"
        )
        for source_id, byline, league, reliability, came_true, resolved in rows:
            if source_id is not None:
                trust.outlets[(source_id, league)] = reliability
                if not league:
                    trust.history[source_id] = (came_true, resolved)
            elif not league and resolved >= TrackRecord.RANKED_AFTER:
                trust.journalists[byline] = reliability
        return trust


class TrackRecord(models.Model):
    """How an outlet's or a journalist's rumours turned out, overall or in one league.

    Recomputed from the rumours' outcomes by track_records.refresh(), never
    edited by hand. A source is an outlet or a reporter outlets credit; a
    byline is a journalist known only by the name on articles.
    """

    # Resolved rumours before a record is ranked on the leaderboard, and
    # before a byline's record weighs in scores.
    RANKED_AFTER = 5

    source = models.ForeignKey(
        Source, models.CASCADE, null=True, blank=True, related_name="track_records"
    )
    byline = models.CharField(
        max_length=200, blank=True, help_text=_("A journalist known by bylines only (folded).")
    )
    name = models.CharField(max_length=200)
    league = models.CharField(max_length=100, blank=True, help_text=_("Empty: every league."))
    tier = models.PositiveSmallIntegerField(
        default=3, help_text=_("The tier whose prior holds until there is history.")
    )
    came_true = models.PositiveIntegerField(default=0)
    did_not_happen = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0, help_text=_("Faded with no news."))
    pending = models.PositiveIntegerField(default=0, help_text=_("Still open."))
    resolved = models.PositiveIntegerField(
        default=0, help_text=_("Came true, did not happen or expired.")
    )
    conversion = models.FloatField(
        null=True, blank=True, help_text=_("Share of the resolved rumours that came true.")
    )
    reliability = models.FloatField(
        help_text=_("The conversion rate blended with the tier's prior: what scoring uses.")
    )
    lead_days = models.FloatField(
        null=True,
        blank=True,
        help_text=_("Average days before the official news, for the rumours that came true."),
    )
    computed_at = models.DateTimeField(default=timezone.now)

    objects = TrackRecordQuerySet.as_manager()

    class Meta:
        ordering = ["name", "league"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source__isnull=False) & Q(byline=""))
                | (Q(source__isnull=True) & ~Q(byline="")),
                name="track_record_is_a_source_or_a_byline",
            ),
            models.UniqueConstraint(
                "source",
                "league",
                condition=Q(source__isnull=False),
                name="one_track_record_per_source_and_league",
            ),
            models.UniqueConstraint(
                "byline",
                "league",
                condition=Q(source__isnull=True),
                name="one_track_record_per_byline_and_league",
            ),
        ]
        indexes = [models.Index(fields=["league", "-conversion"], name="track_record_rank_idx")]

    def __str__(self):
        where = f" in {self.league}" if self.league else ""
        return f"{self.name}{where}: {self.came_true} of {self.resolved} came true"

    @property
    def conversion_percent(self) -> int | None:
        return None if self.conversion is None else round(100 * self.conversion)
