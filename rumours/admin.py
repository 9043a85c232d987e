"""Moderator screens: every model, with the searches and filters moderators use."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction

from . import lifecycle, page_cache
from .models import (
    Alias,
    Article,
    ArticleURL,
    Club,
    Coach,
    CoachCandidate,
    CoachingSpell,
    Evidence,
    Follow,
    Notification,
    Rumour,
    RumourEvent,
    RumourStatusChange,
    SkippedPage,
    Source,
    TrackRecord,
    User,
    Vote,
)
from .tasks import enqueue, refresh_track_records


def _pages_showing(obj) -> tuple[set[str], set[str]]:
    """Return the coaches and clubs (slugs) whose pages show obj: itself, or its rumour's ends."""
    if isinstance(obj, Coach):
        return {obj.slug}, set()
    if isinstance(obj, Club):
        return set(), {obj.slug}
    owner = getattr(obj, "rumour", obj)
    coach, club = getattr(owner, "coach", None), getattr(owner, "club", None)
    return ({coach.slug} if coach else set()), ({club.slug} if club else set())


def _rumours_counting(obj) -> set[int]:
    """Return the ids of the rumours whose stored counters count obj's rows (Rumour.COUNTERS)."""
    if isinstance(obj, Rumour):
        return {obj.pk}
    if isinstance(obj, Vote | Evidence):
        return {obj.rumour_id}
    if isinstance(obj, Article):
        return set(obj.evidence.values_list("rumour_id", flat=True))
    if isinstance(obj, Source):
        return set(Evidence.objects.filter(article__source=obj).values_list("rumour_id", flat=True))
    if isinstance(obj, User):
        return set(obj.votes.values_list("rumour_id", flat=True))
    return set()


class RecountsRumours:
    """Mend the counters of the rumours a moderator's edit or delete touched.

    Edits here bypass record_vote and count_new_evidence, and deletes
    cascade to votes and evidence; the counters are then counted again
    from the rows (Rumour.objects.recount), before and after the change.
    """

    def _recount(self, rumour_ids):
        if rumour_ids:
            Rumour.objects.filter(pk__in=rumour_ids).recount()

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        touched = _rumours_counting(before) if before is not None else set()
        super().save_model(request, obj, form, change)
        self._recount(touched | _rumours_counting(obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._recount(_rumours_counting(form.instance))

    def delete_model(self, request, obj):
        touched = _rumours_counting(obj)
        super().delete_model(request, obj)
        self._recount(touched)

    def delete_queryset(self, request, queryset):
        touched = set().union(*(_rumours_counting(obj) for obj in queryset))
        super().delete_queryset(request, queryset)
        self._recount(touched)


class RefreshesPages:
    """Make visitors' cached pages that show an edited or deleted row render again.

    A moderator's edit bypasses the domain methods that bump page versions
    (see page_cache); an edit that moves a row bumps the old pages too.
    """

    def _bump(self, *objects):
        coaches, clubs = set(), set()
        for obj in objects:
            obj_coaches, obj_clubs = _pages_showing(obj)
            coaches |= obj_coaches
            clubs |= obj_clubs
        page_cache.bump(coaches=coaches, clubs=clubs)

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self._bump(*[row for row in (before, obj) if row is not None])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._bump(form.instance)

    def delete_model(self, request, obj):
        self._bump(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._bump(*queryset)
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(RecountsRumours, DjangoUserAdmin):
    list_display = ("username", "email", "date_joined", "is_staff", "is_active")


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ("text", "kind")


class SpellInline(admin.TabularInline):
    model = CoachingSpell
    extra = 0
    autocomplete_fields = ("club",)


@admin.register(Club)
class ClubAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("short_name", "name", "league", "country", "is_national_team")
    list_filter = ("is_national_team", "league", "country")
    search_fields = ("short_name", "name", "aliases__text", "slug")
    prepopulated_fields = {"slug": ("short_name",)}
    inlines = [AliasInline]


@admin.register(Coach)
class CoachAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("full_name", "nationality", "current_club", "is_free_agent")
    list_filter = (
        "nationality",
        ("current_club", admin.EmptyFieldListFilter),
        "current_club__league",
    )
    search_fields = ("full_name", "aliases__text", "slug")
    list_select_related = ("current_club",)
    autocomplete_fields = ("current_club",)
    prepopulated_fields = {"slug": ("full_name",)}
    inlines = [AliasInline, SpellInline]

    @admin.display(boolean=True, description="free agent")
    def is_free_agent(self, coach):
        return coach.is_free_agent


@admin.register(CoachCandidate)
class CoachCandidateAdmin(admin.ModelAdmin):
    """Probable coaches found in articles; approving one makes extraction see him."""

    list_display = ("name", "status", "mentions", "created_at", "coach")
    list_filter = ("status",)
    search_fields = ("name", "context")
    readonly_fields = ("first_article", "coach", "mentions", "context")
    actions = ["approve", "reject"]

    @admin.action(description="Approve: add as coaches")
    def approve(self, request, queryset):
        for candidate in queryset.exclude(status=CoachCandidate.Status.APPROVED):
            candidate.approve(by=request.user)
        self.message_user(request, "Approved; extraction matches them from now on.")

    @admin.action(description="Reject: not coaches")
    def reject(self, request, queryset):
        queryset.filter(status=CoachCandidate.Status.PENDING).update(
            status=CoachCandidate.Status.REJECTED
        )


@admin.register(Alias)
class AliasAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("text", "kind", "coach", "club")
    list_filter = ("kind",)
    search_fields = ("text", "coach__full_name", "club__short_name")
    list_select_related = ("coach", "club")
    autocomplete_fields = ("coach", "club")


@admin.register(CoachingSpell)
class CoachingSpellAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("coach", "club", "started", "ended", "is_caretaker")
    list_filter = ("is_caretaker", "club__league")
    search_fields = ("coach__full_name", "club__short_name")
    list_select_related = ("coach", "club")
    autocomplete_fields = ("coach", "club")


@admin.register(Source)
class SourceAdmin(RecountsRumours, admin.ModelAdmin):
    list_display = (
        "name",
        "tier",
        "language",
        "kind",
        "is_active",
        "is_healthy",
        "last_success_at",
        "consecutive_failures",
    )
    list_filter = ("tier", "language", "kind", "is_active", "is_person")
    search_fields = ("name", "domain", "feed_url")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("last_polled_at", "last_success_at", "last_error_at", "last_error")

    @admin.display(boolean=True, description="healthy")
    def is_healthy(self, source):
        return source.is_healthy


@admin.register(SkippedPage)
class SkippedPageAdmin(admin.ModelAdmin):
    list_display = ("url", "source", "is_permanent", "attempts", "last_tried_at")
    list_filter = ("is_permanent", "source")
    search_fields = ("url", "reason")
    list_select_related = ("source",)


class ArticleURLInline(admin.TabularInline):
    model = ArticleURL
    extra = 0


@admin.register(Article)
class ArticleAdmin(RecountsRumours, admin.ModelAdmin):
    list_display = ("title", "source", "language", "published_at", "fetched_at")
    list_filter = ("source", "language")
    search_fields = ("title", "url", "author")
    date_hierarchy = "published_at"
    list_select_related = ("source",)
    readonly_fields = ("content_hash", "fetched_at", "extracted_at")
    inlines = [ArticleURLInline]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("article", "kind", "confidence", "credited_to", "quote")
    readonly_fields = ("article",)


class StatusChangeInline(admin.TabularInline):
    model = RumourStatusChange
    extra = 0
    readonly_fields = ("status", "reason", "changed_by", "changed_at")
    can_delete = False


class ModerationForm(ActionForm):
    """The action bar, with the reason every resolution or reopening must give."""

    reason = forms.CharField(
        max_length=300,
        required=False,
        help_text="Required to resolve or reopen; kept in the rumour's history.",
    )


@admin.register(Rumour)
class RumourAdmin(RecountsRumours, RefreshesPages, admin.ModelAdmin):
    """Rumours with their score; status changes only through the actions, with a reason."""

    list_display = (
        "coach",
        "club",
        "kind",
        "status",
        "score",
        "buzz",
        "stage",
        "evidence_count",
        "outlet_count",
        "reliable_count",
        "unreliable_count",
        "first_seen_at",
        "last_seen_at",
    )
    list_filter = ("kind", "status", "stage", "club__league")
    search_fields = ("coach__full_name", "club__short_name", "coach__aliases__text")
    list_select_related = ("coach", "club")
    autocomplete_fields = ("coach", "club")
    date_hierarchy = "last_seen_at"
    readonly_fields = (
        "status",
        "status_changed_at",
        "score",
        "buzz",
        "stage",
        "reasons",
        "scored_at",
        "appointed_at",
        "exited_at",
        "moderated_at",
        "evidence_count",
        "outlet_count",
        "reliable_count",
        "unreliable_count",
    )
    inlines = [EvidenceInline, StatusChangeInline]
    action_form = ModerationForm
    actions = ["resolve_as_happened", "resolve_as_did_not_happen", "reopen"]

    @admin.display(description="reasons")
    def reasons(self, rumour):
        return "; ".join(rumour.score_reasons)

    def _moderate(self, request, queryset, outcome: str, done: str):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Give a reason: it goes in the history.", messages.ERROR)
            return
        with transaction.atomic():
            changed = lifecycle.moderate(queryset, outcome, reason, by=request.user)
            if changed:
                enqueue(refresh_track_records, sorted(changed))
            # The statuses set by hand changed before lifecycle rescored them.
            page_cache.bump(rumours=changed | set(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{done}; {len(changed)} rumour(s) changed status.")

    @admin.action(description="Resolve: it happened (with a reason)")
    def resolve_as_happened(self, request, queryset):
        self._moderate(request, queryset, Rumour.Status.HAPPENED, "Resolved as happened")

    @admin.action(description="Resolve: it did not happen (with a reason)")
    def resolve_as_did_not_happen(self, request, queryset):
        self._moderate(request, queryset, Rumour.Status.DID_NOT_HAPPEN, "Resolved as not happened")

    @admin.action(description="Reopen (with a reason)")
    def reopen(self, request, queryset):
        self._moderate(request, queryset, Rumour.Status.OPEN, "Reopened")


@admin.register(Evidence)
class EvidenceAdmin(RecountsRumours, RefreshesPages, admin.ModelAdmin):
    list_display = ("rumour", "kind", "confidence", "article", "credited_to", "created_at")
    list_filter = ("kind", "article__source")
    search_fields = ("quote", "rumour__coach__full_name", "rumour__club__short_name", "credited_to")
    list_select_related = ("rumour__coach", "rumour__club", "article")
    raw_id_fields = ("rumour", "article")


@admin.register(Vote)
class VoteAdmin(RecountsRumours, RefreshesPages, admin.ModelAdmin):
    list_display = ("rumour", "user", "value", "updated_at")
    list_filter = ("value",)
    search_fields = ("user__username", "rumour__coach__full_name")
    list_select_related = ("rumour__coach", "rumour__club", "user")
    raw_id_fields = ("rumour", "user")


@admin.register(Follow)
class FollowAdmin(RefreshesPages, admin.ModelAdmin):
    list_display = ("user", "coach", "club", "created_at")
    search_fields = ("user__username", "coach__full_name", "club__short_name")
    list_select_related = ("user", "coach", "club")
    raw_id_fields = ("user", "coach", "club")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "channel", "created_at", "sent_at", "read_at")
    list_filter = ("channel", "event__kind")
    search_fields = ("user__username", "event__rumour__coach__full_name")
    list_select_related = ("user", "event__rumour__coach", "event__rumour__club")
    raw_id_fields = ("user", "event")


@admin.register(RumourEvent)
class RumourEventAdmin(admin.ModelAdmin):
    """What followers were told about; read-only, since notifications point at them."""

    list_display = ("rumour", "kind", "level", "score", "happened_at", "fanned_out_at")
    list_filter = ("kind",)
    search_fields = ("rumour__coach__full_name", "rumour__club__name")
    list_select_related = ("rumour__coach", "rumour__club")
    raw_id_fields = ("rumour",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TrackRecord)
class TrackRecordAdmin(admin.ModelAdmin):
    """Outlets' and journalists' records: computed from outcomes, so read-only here."""

    list_display = (
        "name",
        "league",
        "tier",
        "came_true",
        "did_not_happen",
        "expired",
        "pending",
        "conversion_percent",
        "reliability",
        "lead_days",
        "computed_at",
    )
    list_filter = ("league", "tier", "source__is_person")
    search_fields = ("name", "byline", "source__name")
    list_select_related = ("source",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
