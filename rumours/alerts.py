"""Who hears about a rumour's news, and what they are told.

A rumour's news becomes a RumourEvent once, ever (announce): new, a score
threshold crossed, an appointment, an exit, a denial. Its fan-out
(fan_out) creates, in bulk, one notification per follower and channel the
follower chose, skipping any that exist, so a retried task, a re-ingested
article or a rescore never tells anyone twice. Site notifications are read
in the bell and the notifications page; email ones wait to be sent:

- instant: in one message per fan, at most every INSTANT_GAP, so a burst of
  news arrives as one email listing it all (deliver_email);
- digest: once a day at the fan's hour, in the fan's time zone;
- in quiet hours nothing goes; it waits for their end or for the digest.

Sending claims the notifications first (claim, claimed_at) and marks them
sent only once the mail server took the message: an SMTP error releases the
claim for the retry, and two workers never send the same notification.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Follow, Notification, Rumour, RumourEvent, User

# An instant email goes at most this often; news in between waits and goes
# in the next one, so a busy transfer window is a few emails, not a flood.
INSTANT_GAP = timedelta(minutes=10)
# A sender that died mid-send leaves its claim; after this long another may
# take the notifications over (the one case that could send twice).
CLAIM_LEASE = timedelta(minutes=15)
# One email lists at most this many items; the rest are summed up in a line.
EMAIL_ITEMS = 30
# Notifications are inserted, and instant deliveries queued, this many at a time.
BATCH = 1000
DELIVERY_CHUNK = 500
UNSUBSCRIBE_SALT = "benchwatch.alerts.unsubscribe"
# What a rumour has become when it climbs past each threshold.
BANDS = {
    User.Threshold.POSSIBLE: gettext_lazy("possible"),
    User.Threshold.LIKELY: gettext_lazy("likely"),
    User.Threshold.VERY_LIKELY: gettext_lazy("very likely"),
}


# ------------------------------------------------------------------ events


@dataclass
class News:
    """A candidate event: this kind of news (at this level) about this rumour, at this time."""

    rumour: Rumour
    kind: str
    level: int = 0
    at: datetime | None = None


def announce(rumour: Rumour, kind: str, *, at=None, level: int = 0) -> RumourEvent | None:
    """Record that kind of news about a rumour, once; queue its fan-out after commit.

    Returns the new event, or None if it had already been announced or is
    history (see announce_all).
    """
    events = announce_all([News(rumour, kind, level, at)])
    return events[0] if events else None


def announce_all(news: list[News]) -> list[RumourEvent]:
    """Record each piece of news not announced yet, and queue one fan-out per new event.

    News older than the rumour expiry period (an outlet's archive read for
    the first time) is history, not news, and is dropped. Three queries
    whatever the number: read what exists, insert the rest, read back what
    this call inserted (a concurrent caller's rows carry another stamp).
    """
    from .tasks import enqueue, fan_out_event

    now = timezone.now()
    horizon = now - timedelta(days=settings.BENCHWATCH_RUMOUR_EXPIRY_DAYS)
    fresh = {}
    for item in news:
        if (item.at or now) >= horizon:
            fresh.setdefault((item.rumour.pk, item.kind, item.level), item)
    if not fresh:
        return []
    rumour_ids = {key[0] for key in fresh}
    existing = RumourEvent.objects.filter(rumour_id__in=rumour_ids)
    for key in existing.values_list("rumour_id", "kind", "level"):
        fresh.pop(key, None)
    if not fresh:
        return []
    RumourEvent.objects.bulk_create(
        [
            RumourEvent(
                rumour=item.rumour,
                kind=item.kind,
                level=item.level,
                score=item.rumour.score,
                happened_at=item.at or now,
                created_at=now,
            )
            for item in fresh.values()
        ],
        ignore_conflicts=True,
    )
    created = [
        event
        for event in RumourEvent.objects.filter(rumour_id__in=rumour_ids, created_at=now)
        if (event.rumour_id, event.kind, event.level) in fresh
    ]
    for event in created:
        enqueue(fan_out_event, event.pk)
    return created


def score_news(rumour: Rumour, before: int | None) -> list[News]:
    """What a new score means for an open rumour's followers.

    The first score of an open rumour is its "new rumour" news; a later one
    brings news of each threshold it climbed past. A rumour that is settled
    (appointed, denied, expired) is told through its own news.
    """
    if rumour.status != Rumour.Status.OPEN or rumour.score is None:
        return []
    if before is None:
        if rumour.kind != Rumour.Kind.RUMOUR:
            return []  # Told as an appointment, an exit or a denial.
        return [News(rumour, RumourEvent.Kind.NEW, 0, rumour.last_seen_at)]
    return [
        News(rumour, RumourEvent.Kind.LIKELY, level)  # A climb is news now.
        for level in User.Threshold.values
        if before < level <= rumour.score
    ]


def describe(event: RumourEvent) -> str:
    """Say what happened, in the active language: one line for the bell, the feed and emails."""
    rumour = event.rumour
    names = {"coach": rumour.coach.full_name, "club": rumour.club.short_name, "score": event.score}
    Kind = RumourEvent.Kind
    if event.kind == Kind.NEW:
        return _("New rumour: %(coach)s linked with %(club)s") % names
    if event.kind == Kind.LIKELY:
        names["band"] = BANDS.get(event.level, _("likely"))
        return _("%(coach)s to %(club)s is now %(band)s (score %(score)s)") % names
    if event.kind == Kind.APPOINTED:
        return _("Confirmed: %(coach)s appointed by %(club)s") % names
    if event.kind == Kind.EXIT:
        return _("%(coach)s has left %(club)s") % names
    return _("Denied: %(coach)s to %(club)s") % names


def event_url(event: RumourEvent) -> str:
    """The board where the news is, at the rumour's card."""
    return f"{event.rumour.coach.get_absolute_url()}#rumour-{event.rumour_id}"


# ------------------------------------------------------------------ fan-out


@dataclass
class FanOut:
    """What one event's fan-out did."""

    followers: int = 0
    site: int = 0
    email: int = 0
    instant_users: list[int] = field(default_factory=list)


def followers_of(event: RumourEvent):
    """Active fans who follow the rumour's coach or bench and want this kind of news.

    A threshold event goes only to the fans who chose that threshold.
    """
    rumour = event.rumour
    follows = Follow.objects.filter(Q(coach_id=rumour.coach_id) | Q(club_id=rumour.club_id))
    fans = User.objects.filter(is_active=True, pk__in=follows.values("user_id"))
    if event.kind == RumourEvent.Kind.LIKELY:
        fans = fans.filter(alert_threshold=event.level)
    return fans


def fan_out(event: RumourEvent, now=None) -> FanOut:
    """Create every follower's notifications for an event, in bulk; return what it made.

    Idempotent: the (user, event, channel) constraint drops what exists. The
    fans to email at once are returned, for the caller to queue in chunks.
    Reads the followers in one query and inserts BATCH rows per statement.
    """
    now = now or timezone.now()
    result = FanOut()
    rows = followers_of(event).values_list("pk", "site_alerts", "email_alerts", "email")
    notifications = []
    for user_id, site, email_alerts, email in rows.iterator(chunk_size=BATCH):
        result.followers += 1
        if site:
            notifications.append(
                Notification(
                    user_id=user_id,
                    event=event,
                    channel=Notification.Channel.SITE,
                    created_at=now,
                    sent_at=now,
                )
            )
            result.site += 1
        if email and email_alerts != User.EmailAlerts.OFF:
            notifications.append(
                Notification(
                    user_id=user_id, event=event, channel=Notification.Channel.EMAIL, created_at=now
                )
            )
            result.email += 1
            if email_alerts == User.EmailAlerts.INSTANT:
                result.instant_users.append(user_id)
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, batch_size=BATCH, ignore_conflicts=True)
        RumourEvent.objects.filter(pk=event.pk).update(fanned_out_at=now)
    return result


def chunks(ids: list[int], size: int = DELIVERY_CHUNK):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# ------------------------------------------------------------------ delivery


def can_email_now(user: User, now) -> bool:
    """Tell whether an instant email may go to this fan now (not quiet, not too soon)."""
    if user.email_alerts != User.EmailAlerts.INSTANT or not user.email or not user.is_active:
        return False
    if user.is_quiet_at(now):
        return False
    last = user.last_alert_email_at
    return last is None or now - last >= INSTANT_GAP


def deliver_email(user: User, now=None) -> int:
    """Send the fan's waiting instant alerts in one email, if now is a time to; return how many."""
    now = now or timezone.now()
    if not can_email_now(user, now):
        return 0
    sent = send_waiting(user, now, digest=False)
    if sent:
        User.objects.filter(pk=user.pk).update(last_alert_email_at=now)
    return sent


def deliver_digest(user: User, now=None) -> int:
    """Send the fan's daily digest if it is due; return how many alerts it carried."""
    now = now or timezone.now()
    if not user.is_active or not user.is_digest_due(now):
        return 0
    sent = send_waiting(user, now, digest=True)
    # Due or not, nothing more goes until the next slot.
    User.objects.filter(pk=user.pk).update(last_digest_at=now)
    return sent


def waiting_deliveries(now=None) -> tuple[list[int], list[int]]:
    """Return (instant, digest): ids of fans with email waiting that may go now.

    What the periodic sweep sends: instant alerts held by quiet hours or by
    INSTANT_GAP, claims left by a dead sender, and the digests that are due.
    """
    now = now or timezone.now()
    waiting = User.objects.filter(
        is_active=True,
        pk__in=Notification.objects.unsent_email().values("user_id"),
    ).exclude(email_alerts=User.EmailAlerts.OFF)
    instant, digest = [], []
    for user in waiting.only(
        "pk",
        "email",
        "is_active",
        "email_alerts",
        "time_zone",
        "quiet_from",
        "quiet_until",
        "digest_hour",
        "last_alert_email_at",
        "last_digest_at",
        "date_joined",
    ):
        if can_email_now(user, now):
            instant.append(user.pk)
        elif user.is_digest_due(now):
            digest.append(user.pk)
    return instant, digest


def send_waiting(user: User, now, *, digest: bool) -> int:
    """Claim the fan's unsent email notifications, send them as one message, mark them sent.

    On an error from the mail server the claim is released and the error
    raised, so the caller's retry sends them, once.
    """
    claim = uuid.uuid4().hex
    unclaimed = Q(claim="") | Q(claimed_at__lt=now - CLAIM_LEASE)
    ids = list(
        user.notifications.unsent_email().filter(unclaimed).values_list("pk", flat=True)[:1000]
    )
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, sent_at=None).filter(unclaimed).update(
        claim=claim, claimed_at=now
    )
    mine = Notification.objects.filter(claim=claim, sent_at=None)
    notifications = list(mine.for_display().order_by("created_at", "pk"))
    if not notifications:
        return 0
    try:
        build_email(user, notifications, digest=digest).send()
    except Exception:
        mine.update(claim="", claimed_at=None)
        raise
    return mine.update(sent_at=timezone.now())


# ------------------------------------------------------------------ the email


def site_url(path: str) -> str:
    return urljoin(settings.BENCHWATCH_SITE_URL, path)


def unsubscribe_token(user: User) -> str:
    """A signed token that stops the fan's alert emails; it works without logging in."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> User | None:
    """The fan a token was made for, or None if it is tampered with or the fan is gone."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()


def build_email(user: User, notifications: list[Notification], *, digest: bool):
    """Write the alert email: plain text and HTML, in the fan's language, with unsubscribe headers.

    The Message-ID is derived from what it carries, so a copy sent again
    after a crash is recognisably the same message.
    """
    unsubscribe = site_url(reverse("rumours:unsubscribe", args=[unsubscribe_token(user)]))
    with translation.override(user.language):
        items = [
            {
                "text": describe(notification.event),
                "url": site_url(event_url(notification.event)),
                "score": notification.event.rumour.score,
            }
            for notification in notifications[:EMAIL_ITEMS]
        ]
        count = len(notifications)
        if digest:
            subject = ngettext(
                "Your Benchwatch digest: %(count)d alert",
                "Your Benchwatch digest: %(count)d alerts",
                count,
            ) % {"count": count}
        elif count == 1:
            subject = items[0]["text"]
        else:
            subject = ngettext(
                "%(count)d alert about coaches you follow",
                "%(count)d alerts about coaches you follow",
                count,
            ) % {"count": count}
        context = {
            "user": user,
            "subject": subject,
            "items": items,
            "more": count - len(items),
            "digest": digest,
            "inbox_url": site_url(reverse("rumours:notifications")),
            "settings_url": site_url(reverse("rumours:alert-settings")),
            "unsubscribe_url": unsubscribe,
        }
        text = render_to_string("rumours/email/alerts.txt", context)
        html = render_to_string("rumours/email/alerts.html", context)
    first, last = notifications[0].pk, notifications[-1].pk
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "benchwatch.localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Message-ID": f"<alerts.{user.pk}.{first}.{last}.{count}@{domain}>",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
