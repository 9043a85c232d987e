"""Atom feeds of new evidence, one per coach and one per club's bench, and each fan's alerts.

Each entry is one article reporting one link: the kind, the two names, the
quoted sentence and a link to the original article, never the article
itself. A fan's private feed carries the fan's alerts instead, each linking
to the board. Two queries per feed whatever the data.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import alerts
from .models import Club, Coach, Evidence, Notification, RumourEvent, User

FEED_ENTRIES = 30
PERSONAL_FEED_ENTRIES = 50


class EvidenceFeed(Feed):
    """What a coach's and a club's feed share: one entry per piece of evidence."""

    feed_type = Atom1Feed

    def item_title(self, evidence: Evidence) -> str:
        rumour = evidence.rumour
        return _("%(kind)s: %(coach)s, %(club)s (%(outlet)s)") % {
            "kind": evidence.get_kind_display().capitalize(),
            "coach": rumour.coach.full_name,
            "club": rumour.club.short_name,
            "outlet": evidence.article.source.name,
        }

    def item_description(self, evidence: Evidence) -> str:
        return render_to_string("rumours/partials/_feed_entry.html", {"evidence": evidence})

    def item_link(self, evidence: Evidence) -> str:
        return f"{evidence.rumour.coach.get_absolute_url()}#rumour-{evidence.rumour_id}"

    def item_guid(self, evidence: Evidence) -> str:
        return f"urn:benchwatch:evidence:{evidence.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, evidence: Evidence):
        return evidence.article.published_at or evidence.created_at

    def item_updateddate(self, evidence: Evidence):
        return evidence.created_at

    def item_author_name(self, evidence: Evidence) -> str:
        return evidence.article.source.name

    def _entries(self, evidence):
        return evidence.select_related("article__source", "rumour__coach", "rumour__club").order_by(
            "-created_at", "-pk"
        )[:FEED_ENTRIES]


class CoachFeed(EvidenceFeed):
    """New evidence about one coach, whichever club it links him to."""

    def get_object(self, request, slug: str) -> Coach:
        return get_object_or_404(Coach, slug=slug)

    def title(self, coach: Coach) -> str:
        return _("%(coach)s on Benchwatch") % {"coach": coach.full_name}

    def subtitle(self, coach: Coach) -> str:
        return _("Coach-market news about %(coach)s, with the sentences that report it.") % {
            "coach": coach.full_name
        }

    def link(self, coach: Coach) -> str:
        return coach.get_absolute_url()

    def items(self, coach: Coach):
        return self._entries(Evidence.objects.for_coach(coach))


class ClubFeed(EvidenceFeed):
    """New evidence about one club's bench, whichever coach it names."""

    def get_object(self, request, slug: str) -> Club:
        return get_object_or_404(Club, slug=slug)

    def title(self, club: Club) -> str:
        return _("The %(club)s bench on Benchwatch") % {"club": club.short_name}

    def subtitle(self, club: Club) -> str:
        return _(
            "Coach-market news about the %(club)s bench, with the sentences that report it."
        ) % {"club": club.short_name}

    def link(self, club: Club) -> str:
        return club.get_absolute_url()

    def items(self, club: Club):
        return self._entries(Evidence.objects.for_club(club))


class PersonalFeed(Feed):
    """A fan's alerts, for a feed reader, at a secret address (the fan's feed token).

    Entries are the news events the fan was told about: in the site, or by
    any channel if the fan turned site alerts off. Written in the fan's
    alert language, since a feed reader sends no language of its own.
    """

    feed_type = Atom1Feed
    item_guid_is_permalink = False

    def get_object(self, request, token: str) -> User:
        return get_object_or_404(User, feed_token=token, is_active=True)

    def get_feed(self, user: User, request):
        with translation.override(user.language):
            return super().get_feed(user, request)

    def title(self, user: User) -> str:
        return _("Benchwatch alerts for %(name)s") % {"name": user.username}

    def subtitle(self, user: User) -> str:
        return _("News about the coaches and benches you follow on Benchwatch.")

    def link(self, user: User) -> str:
        return reverse("rumours:notifications")

    def items(self, user: User):
        told = Notification.objects.filter(user=user)
        if user.site_alerts:
            told = told.in_site()
        return (
            RumourEvent.objects.filter(pk__in=told.values("event_id"))
            .select_related("rumour__coach", "rumour__club")
            .order_by("-created_at", "-pk")[:PERSONAL_FEED_ENTRIES]
        )

    def item_title(self, event: RumourEvent) -> str:
        return alerts.describe(event)

    def item_description(self, event: RumourEvent) -> str:
        # Atom summaries are HTML: a club called "A & B" must stay text.
        return escape(alerts.describe(event))

    def item_link(self, event: RumourEvent) -> str:
        return alerts.event_url(event)

    def item_guid(self, event: RumourEvent) -> str:
        return f"urn:benchwatch:event:{event.pk}"

    def item_pubdate(self, event: RumourEvent):
        return event.created_at

    def item_updateddate(self, event: RumourEvent):
        return event.created_at
