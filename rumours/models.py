"""Benchwatch's domain: clubs, coaches, outlets, articles and the rumours they carry.

Every "one per" rule of the domain is a database constraint, so no race
between two workers or two browser tabs can break it.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .extract.normalize import fold


class User(AbstractUser):
    """A fan's account; kept as our own model so fields can grow without a migration dance."""

    email = models.EmailField(_("email address"), blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class Club(models.Model):
    """A club or a national team whose bench can change hands."""

    name = models.CharField(max_length=200, help_text=_("Full official name."))
    short_name = models.CharField(max_length=100, help_text=_("The name headlines use."))
    slug = models.SlugField(max_length=120, unique=True)
    country = models.CharField(max_length=6, help_text=_("ISO 3166 code, GB-ENG for England."))
    league = models.CharField(max_length=100, blank=True, db_index=True)
    is_national_team = models.BooleanField(default=False)

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("rumours:club-detail", args=[self.slug])


class CoachQuerySet(models.QuerySet):
    def with_rumour_counts(self):
        """Annotate how many open rumours name each coach."""
        return self.annotate(
            open_rumour_count=Count("rumours", filter=Q(rumours__status=Rumour.Status.OPEN))
        )


class Coach(models.Model):
    """A head coach, in a job or a free agent (free agents matter most in this market)."""

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

    def get_absolute_url(self):
        return reverse("rumours:coach-detail", args=[self.slug])

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

    def due(self, now=None):
        """Enabled sources with a feed whose next poll time has come."""
        now = now or timezone.now()
        return (
            self.enabled()
            .exclude(feed_url="")
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
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
        from django.utils.text import slugify

        if self.coach_id:
            return self.coach
        slug = base = slugify(self.name) or "coach"
        suffix = 2
        while Coach.objects.filter(slug=slug).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        coach = Coach.objects.create(full_name=self.name, slug=slug)
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
            skipped.attempts = models.F("attempts") + 1
            skipped.reason = reason[:2000]
            skipped.last_tried_at = timezone.now()
            skipped.is_permanent = permanent or skipped.attempts_after_this >= cls.GIVE_UP_AFTER
            skipped.save(update_fields=["attempts", "reason", "last_tried_at", "is_permanent"])
        return skipped

    @property
    def attempts_after_this(self) -> int:
        return (
            self.__class__.objects.filter(pk=self.pk).values_list("attempts", flat=True).first()
            or 0
        ) + 1


class ArticleURL(models.Model):
    """Another address the same article was found at (AMP copy, tracking link, mirror)."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="alternate_urls")
    url = models.URLField(max_length=1000, unique=True)

    class Meta:
        verbose_name = "alternate URL"

    def __str__(self):
        return self.url


class RumourQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Rumour.Status.OPEN)

    def for_coach(self, coach):
        return self.filter(coach=coach)

    def record_evidence(self, *, coach, club, article, kind, quote, confidence, credited_to=""):
        """Store that an article links a coach and a club; return (rumour, evidence, created).

        Idempotent: the same article never adds a second piece of evidence
        to the same rumour. The rumour's kind follows its most recent
        evidence, so a rumour that is later signed reads "confirmed".
        """
        seen_at = article.published_at or article.fetched_at
        rumour, _ = self.get_or_create(
            coach=coach,
            club=club,
            defaults={"kind": kind, "first_seen_at": seen_at, "last_seen_at": seen_at},
        )
        evidence, created = Evidence.objects.get_or_create(
            rumour=rumour,
            article=article,
            defaults={
                "kind": kind,
                "quote": quote,
                "confidence": confidence,
                "credited_to": credited_to,
            },
        )
        if created:
            rumour.take_evidence_into_account(kind, seen_at)
        return rumour, evidence, created

    def with_tallies(self):
        """Annotate vote and evidence counts for display."""
        return self.annotate(
            reliable_count=Count(
                "votes", filter=Q(votes__value=Vote.Value.RELIABLE), distinct=True
            ),
            unreliable_count=Count(
                "votes", filter=Q(votes__value=Vote.Value.UNRELIABLE), distinct=True
            ),
            evidence_count=Count("evidence", distinct=True),
        )


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

    coach = models.ForeignKey(Coach, models.CASCADE, related_name="rumours")
    club = models.ForeignKey(Club, models.CASCADE, related_name="rumours")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.RUMOUR)
    status = models.CharField(max_length=15, choices=Status, default=Status.OPEN)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = RumourQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("coach", "club", name="one_rumour_per_coach_and_club")
        ]
        indexes = [
            models.Index(fields=["coach", "-last_seen_at"], name="rumour_coach_recent_idx"),
            models.Index(fields=["club", "-last_seen_at"], name="rumour_club_recent_idx"),
            models.Index(fields=["status", "-last_seen_at"], name="rumour_status_recent_idx"),
        ]

    def __str__(self):
        return f"{self.coach} → {self.club} ({self.kind})"

    def get_absolute_url(self):
        return self.coach.get_absolute_url()

    # When two pieces of evidence are from the same moment, the stronger
    # claim sets the rumour's kind.
    KIND_STRENGTH = {Kind.RUMOUR: 0, Kind.DENIAL: 1, Kind.EXIT: 2, Kind.CONFIRMED: 3}

    def take_evidence_into_account(self, kind, seen_at):
        """Widen the seen-period to include seen_at; adopt kind if it is the newest news."""
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
        if fields:
            self.save(update_fields=fields)

    def record_vote(self, user, value):
        """Store the user's verdict on this rumour, replacing any earlier one."""
        Vote.objects.update_or_create(rumour=self, user=user, defaults={"value": value})

    def withdraw_vote(self, user):
        Vote.objects.filter(rumour=self, user=user).delete()

    def change_status(self, status, reason="", changed_by=None, at=None):
        """Move the rumour to a new status and keep the change in its history."""
        at = at or timezone.now()
        if status == self.status:
            return False
        self.status = status
        self.status_changed_at = at
        self.save(update_fields=["status", "status_changed_at"])
        RumourStatusChange.objects.create(
            rumour=self, status=status, reason=reason, changed_by=changed_by, changed_at=at
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


class Notification(models.Model):
    """What a fan is told about a rumour, through which channel, and whether it was read."""

    class Channel(models.TextChoices):
        SITE = "site", _("in the site")
        EMAIL = "email", _("email")

    user = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    rumour = models.ForeignKey(
        Rumour, models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    channel = models.CharField(max_length=5, choices=Channel, default=Channel.SITE)
    event_key = models.CharField(
        max_length=120, help_text=_("Names the event, so each is told once per user and channel.")
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "user", "event_key", "channel", name="one_notification_per_user_event_and_channel"
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")
        ]

    def __str__(self):
        return self.message
