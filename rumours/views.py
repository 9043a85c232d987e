"""Pages fans see, the two things they do on them (vote and follow), and their alerts.

Each GET view fetches with a fixed number of queries whatever the amount of
data, and renders the page or, for an htmx request, the one partial that
request refreshes (the same fragment the page renders). Boards show their
cards a page at a time (?page=N). Visitors get the home page, search, boards
and club pages from the page cache (page_cache.for_visitors), so nothing on
a visitor's page is personal: widgets lead to the login page, and the
language switcher is a GET form (switch_language). Each POST view
checks who is asking, validates a form, makes one call into the domain and
answers htmx with the swapped partial plus an event, everyone else with a
redirect back to the page they came from.

Alerts: the header's bell polls its unread count (it costs the page itself
no query), the notifications page lists them, the settings page says how the
fan wants them, and the unsubscribe link in each email works logged out.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from . import alerts, charts, page_cache, throttling
from .forms import AlertSettingsForm, FollowForm, LoginForm, SearchForm, SignupForm, VoteForm
from .models import Article, Club, Coach, Evidence, Rumour, Source, TrackRecord, VotingClosed

HOME_HOTTEST = 8
HOME_CONFIRMED = 6
HOME_EXITS = 6
HOT_DAYS = 14
RECENT_ARTICLES = 10
SOURCE_ARTICLES = 30
# A board shows this many cards a page, each with its newest articles.
CARDS_PER_PAGE = 12
EVIDENCE_PER_CARD = 3
# A club's exit news comes second to who is linked to its bench: fewer,
# lighter cards (each still expands to all its articles).
EXIT_CARDS_PER_PAGE = 6
EVIDENCE_PER_EXIT_CARD = 1
# Deeper than this is no reader's page, only a costly OFFSET.
MAX_BOARD_PAGE = 1000
FORMER_COACHES = 10
SEARCH_RESULTS = 10
RUMOUR_EVIDENCE = 200
LEADERBOARD_ROWS = 20
NOTIFICATIONS_PER_PAGE = 30
# How often an open board asks for new evidence; tests shorten it.
BOARD_REFRESH_SECONDS = 30


def _page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """Pick the whole page, or only the named partial when htmx refreshes that section.

    Boosted links and history restores (a back button after the cache ran
    out) want the whole page.
    """
    if page_cache.is_partial(request):
        return f"{template}#{partial}"
    return template


def _return_url(request: HttpRequest, fallback: str) -> str:
    """Return the page a form was posted from, if it is on this site, else fallback.

    The no-JS form says so in its `next` field; htmx in HX-Current-URL.
    Both hold a path: anything else ("%2F%2Fevil.example", a bare word) is
    not a page the form was on, even when it would resolve to this site.
    """
    candidates = [request.POST.get("next", "")]
    if request.htmx:
        candidates.append(request.htmx.current_url_abs_path or "")
    for url in candidates:
        url = url.split("#")[0]
        if url.startswith("/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return fallback


def _login_first(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send a visitor to the login page, and back to next_url afterwards.

    htmx gets a 401 with HX-Redirect, which it follows as a full navigation
    rather than swapping a login page into a button.
    """
    if request.htmx:
        message = _("Log in to do this.")
        response = HttpResponse(message, content_type="text/plain; charset=utf-8", status=401)
        login_url = resolve_url("login")
        response["HX-Redirect"] = f"{login_url}?{urlencode({'next': next_url})}"
        return response
    return redirect_to_login(next_url)


def refuse(
    request: HttpRequest,
    reason: str,
    status: int = 400,
    back_url: str = "",
    *,
    template: str = "400.html",
    context: dict | None = None,
) -> HttpResponse:
    """Refuse a request and say why: an error page, or for htmx the reason alone.

    htmx swaps no 4xx answer into the page: static/js/errors.js shows the
    line of text instead. The page (template, given reason, back_url and
    context) is for forms posted without JavaScript.
    """
    if request.htmx:
        return HttpResponse(reason, content_type="text/plain; charset=utf-8", status=status)
    context = {"reason": reason, "back_url": back_url, **(context or {})}
    return render(request, template, context, status=status)


@dataclass(frozen=True)
class BoardPage:
    """One page of a board's cards, newest news first, and the addresses around it.

    url is this page's own address (what the board's refresh asks for);
    newer_url and older_url are empty at either end.
    """

    cards: list
    number: int
    url: str
    newer_url: str
    older_url: str


def _page_number(request: HttpRequest, param: str) -> int:
    """Read a board's page number from the query string; anything but a page number is page 1."""
    raw = request.GET.get(param, "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    # A number too long to read is certainly past the end.
    return max(int(raw), 1) if len(raw) <= 6 else MAX_BOARD_PAGE + 1


def _board_page(
    rumours, numbers: dict[str, int], param: str, base_url: str, per_page: int = CARDS_PER_PAGE
) -> BoardPage:
    """Fetch page numbers[param] of a board's cards (per_page a page); 404 past the last page.

    One card more than a page holds tells whether an older page exists, so
    no COUNT runs over every rumour. numbers holds the page of each list on
    the page (a club has two), so each address keeps the other list's page.
    """
    number = numbers[param]
    if number > MAX_BOARD_PAGE:
        raise Http404("This board has no such page.")
    start = (number - 1) * per_page
    cards = list(rumours[start : start + per_page + 1])
    if number > 1 and not cards:
        raise Http404("This board has no such page.")

    def url(page: int) -> str:
        query = {name: value for name, value in {**numbers, param: page}.items() if value > 1}
        return f"{base_url}?{urlencode(query)}" if query else base_url

    return BoardPage(
        cards=cards[:per_page],
        number=number,
        url=url(number),
        newer_url=url(number - 1) if number > 1 else "",
        older_url=url(number + 1) if len(cards) > per_page else "",
    )


def _timeline(coach: Coach) -> str:
    """Draw the coach's timeline (HTML), or take it from the cache while his board is unchanged.

    Counting his mentions per day is the board's costliest query.
    """

    def draw() -> str:
        mentions = list(Evidence.objects.for_coach(coach).mentions_per_day())
        context = {
            "timeline": charts.mentions_timeline(mentions),
            "timeline_narrow": charts.mentions_timeline(mentions, layout=charts.NARROW),
        }
        return render_to_string("rumours/partials/_timeline.html", context)

    return page_cache.fragment("timeline", coach=coach.slug, build=draw)


@require_safe
@page_cache.for_visitors("site", timeout=page_cache.HOME_TIMEOUT)
def home(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=HOT_DAYS)
    context = {
        "hottest": Rumour.objects.hottest(since).for_cards(request.user)[:HOME_HOTTEST],
        "confirmed": Rumour.objects.confirmed().for_cards(request.user)[:HOME_CONFIRMED],
        "exits": Rumour.objects.exits().for_cards(request.user)[:HOME_EXITS],
        "articles": Article.objects.select_related("source").order_by("-published_at", "-pk")[
            :RECENT_ARTICLES
        ],
        "hot_days": HOT_DAYS,
    }
    return render(request, "rumours/home.html", context)


@require_safe
@vary_on_headers("HX-Request")
@throttling.limit(throttling.SEARCHES_PER_IP)  # Outside the cache: hits count too.
@page_cache.for_visitors("site")
def search(request: HttpRequest) -> HttpResponse:
    """Coaches and clubs by name or alias; htmx asks for the results as the fan types."""
    form = SearchForm(request.GET)
    coaches = clubs = ()
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        coaches = Coach.objects.search(query).select_related("current_club")[:SEARCH_RESULTS]
        clubs = Club.objects.search(query)[:SEARCH_RESULTS]
    context = {"form": form, "query": query, "coaches": coaches, "clubs": clubs}
    return render(
        request, _page_or_partial(request, "rumours/search.html", "search-results"), context
    )


@require_safe
@vary_on_headers("HX-Request")
@page_cache.for_visitors("coach")
def coach_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The coach's board: the clubs linked to him, a page at a time, with evidence and votes.

    The first page also draws the timeline of his mentions.
    """
    coach = get_object_or_404(
        Coach.objects.select_related("current_club").with_follow_state(request.user), slug=slug
    )
    rumours = Rumour.objects.for_coach(coach).for_board(
        request.user, evidence_per_card=EVIDENCE_PER_CARD
    )
    numbers = {"page": _page_number(request, "page")}
    board = _board_page(rumours, numbers, "page", coach.get_absolute_url())
    context = {
        "coach": coach,
        "rumours": board.cards,
        "board": board,
        "timeline": _timeline(coach) if board.number == 1 else "",
        "refresh_seconds": BOARD_REFRESH_SECONDS,
    }
    return render(
        request, _page_or_partial(request, "rumours/coach_detail.html", "rumour-board"), context
    )


@require_safe
@vary_on_headers("HX-Request")
@page_cache.for_visitors("club")
def club_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A club's bench: who sits on it, who is linked to it (a page at a time), who left it."""
    club = get_object_or_404(Club.objects.with_follow_state(request.user), slug=slug)
    rumours = Rumour.objects.for_club(club)
    numbers = {name: _page_number(request, name) for name in ("page", "exit_page")}
    linked = _board_page(
        rumours.exclude(kind=Rumour.Kind.EXIT).for_board(
            request.user, evidence_per_card=EVIDENCE_PER_CARD
        ),
        numbers,
        "page",
        club.get_absolute_url(),
    )
    exits = _board_page(
        rumours.filter(kind=Rumour.Kind.EXIT).for_board(
            request.user, evidence_per_card=EVIDENCE_PER_EXIT_CARD
        ),
        numbers,
        "exit_page",
        club.get_absolute_url(),
        per_page=EXIT_CARDS_PER_PAGE,
    )
    context = {
        "club": club,
        "current_coaches": club.current_coaches.all(),
        "linked": linked.cards,
        "linked_pages": linked,
        "exits": exits.cards,
        "exit_pages": exits,
        "former_spells": club.spells.filter(ended__isnull=False)
        .select_related("coach")
        .order_by("-ended")[:FORMER_COACHES],
        "refresh_seconds": BOARD_REFRESH_SECONDS,
    }
    return render(
        request, _page_or_partial(request, "rumours/club_detail.html", "bench-board"), context
    )


@require_safe
@vary_on_headers("HX-Request")
def rumour_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One rumour with all its evidence; htmx fetches just the list to expand a card."""
    rumour = get_object_or_404(Rumour.objects.for_cards(request.user), pk=pk)
    evidence = Evidence.objects.filter(rumour=rumour).with_sources().newest_first()
    context = {"rumour": rumour, "evidence_list": evidence[:RUMOUR_EVIDENCE]}
    return render(
        request, _page_or_partial(request, "rumours/rumour_detail.html", "evidence-list"), context
    )


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.with_article_counts().with_track_record()
    return render(request, "rumours/source_list.html", {"sources": sources})


@require_safe
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Outlets and reporters ranked by how many of their rumours came true, computed live."""
    records = TrackRecord.objects.overall()
    context = {
        "best_outlets": records.outlets().best()[:LEADERBOARD_ROWS],
        "worst_outlets": records.outlets().worst()[:LEADERBOARD_ROWS],
        "best_journalists": records.journalists().best()[:LEADERBOARD_ROWS],
        "ranked_after": TrackRecord.RANKED_AFTER,
    }
    return render(request, "rumours/leaderboard.html", context)


@require_safe
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An outlet: its tier, how the rumours it reported turned out, its latest articles."""
    source = get_object_or_404(Source.objects.with_track_record(), slug=slug)
    evidence = Evidence.objects.select_related("rumour__coach", "rumour__club")
    articles = source.articles.order_by("-published_at", "-pk").prefetch_related(
        Prefetch("evidence", queryset=evidence)
    )[:SOURCE_ARTICLES]
    context = {"source": source, "articles": articles}
    return render(request, "rumours/source_detail.html", context)


@require_POST
@throttling.limit(throttling.VOTES_PER_FAN)
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the verdict a fan wants on a rumour (or withdraw it)."""
    rumour = get_object_or_404(Rumour.objects.select_related("coach"), pk=pk)
    back = _return_url(request, rumour.get_absolute_url())
    if not rumour.takes_votes:
        return _voting_closed(request, rumour, f"{back}#rumour-{rumour.pk}")
    if not request.user.is_authenticated:
        return _login_first(request, f"{back}#rumour-{rumour.pk}")
    form = VoteForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Choose “Reliable” or “Not reliable”, or withdraw your vote."))
    try:
        if form.is_withdrawal:
            rumour.withdraw_vote(request.user)
        else:
            rumour.record_vote(request.user, form.cleaned_data["value"])
    except VotingClosed:  # Settled since it was read above.
        return _voting_closed(request, rumour, f"{back}#rumour-{rumour.pk}")
    if not request.htmx:
        return redirect(f"{back}#rumour-{rumour.pk}")
    rumour = Rumour.objects.for_cards(request.user).get(pk=rumour.pk)
    context = {"rumour": rumour, "back_url": back}
    response = render(request, "rumours/partials/_vote_widget.html", context)
    return trigger_client_event(
        response, "voteRecorded", {"rumour": rumour.pk, "value": rumour.user_vote}
    )


def _voting_closed(request: HttpRequest, rumour: Rumour, back_url: str) -> HttpResponse:
    """Refuse a vote on a rumour that is no longer open (409), votes withdrawn included.

    A settled rumour's verdicts stay as they were when it closed. htmx
    reloads the page, whose card then shows voting closed.
    """
    reason = _("Voting on this rumour is closed: it is marked “%(status)s”.") % {
        "status": rumour.get_status_display()
    }
    response = refuse(request, reason, status=409, back_url=back_url)
    if request.htmx:
        response["HX-Refresh"] = "true"
    return response


def _follow(request: HttpRequest, target: Coach | Club, kind: str) -> HttpResponse:
    """Follow or unfollow a coach or a club's bench (kind: "coach" or "club"), as asked."""
    back = _return_url(request, target.get_absolute_url())
    if not request.user.is_authenticated:
        return _login_first(request, back)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Choose to follow or to unfollow."))
    if form.wants_to_follow:
        target.record_follow(request.user)
    else:
        target.withdraw_follow(request.user)
    if not request.htmx:
        return redirect(back)
    target = type(target).objects.with_follow_state(request.user).get(pk=target.pk)
    context = {"target": target, "kind": kind, "back_url": back}
    response = render(request, "rumours/partials/_follow_button.html", context)
    return trigger_client_event(
        response,
        "followChanged",
        {"url": target.get_absolute_url(), "following": target.is_followed},
    )


@require_POST
@throttling.limit(throttling.FOLLOWS_PER_FAN)
def follow_coach(request: HttpRequest, slug: str) -> HttpResponse:
    coach = get_object_or_404(Coach, slug=slug)
    return _follow(request, coach, "coach")


@require_POST
@throttling.limit(throttling.FOLLOWS_PER_FAN)
def follow_club(request: HttpRequest, slug: str) -> HttpResponse:
    club = get_object_or_404(Club, slug=slug)
    return _follow(request, club, "club")


@require_http_methods(["GET", "HEAD", "POST"])
@throttling.limit(throttling.SIGNUPS_PER_IP, methods=["POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("rumours:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Alert emails go out in the language the fan signed up in.
        form.instance.language = translation.get_language()
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_return_url(request, resolve_url("rumours:home")))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class LoginView(auth_views.LoginView):
    """Django's login page, holding guesses back (throttling) with the reason in the form.

    An attempt over a limit gets the form again with status 429 and
    Retry-After, and its password goes unchecked, right or wrong.
    """

    form_class = LoginForm
    wait_seconds = 0

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.wait_seconds = throttling.login_wait(request)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "wait_seconds": self.wait_seconds}

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        if self.wait_seconds:
            response.status_code = 429
            response["Retry-After"] = str(self.wait_seconds)
        else:
            throttling.record_failed_login(self.request)
        return response


@require_safe
@never_cache
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface's language, from the header's GET form, and go back to the page.

    Django's set_language (still at i18n/) wants a POST with a CSRF token;
    a GET form needs none, so visitors' pages carry no token of their own
    and can be cached. It changes nothing but a preference cookie, so a link
    from another site can do no more than switch the language.
    """
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return refuse(request, _("Unknown language."))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url("rumours:home")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# ------------------------------------------------------------------ alerts


def _notification_list(request: HttpRequest, page_number) -> dict:
    """The fan's site alerts, one page of them newest first, and how many are unread.

    Three queries whatever the page holds: the count, the page, the unread.
    """
    inbox = request.user.notifications.in_site().for_display()
    page = Paginator(inbox, NOTIFICATIONS_PER_PAGE).get_page(page_number)
    list_url = reverse("rumours:notifications")
    return {
        "page": page,
        "list_url": list_url,
        "page_url": f"{list_url}?page={page.number}" if page.number > 1 else list_url,
        "items": [(notification, alerts.describe(notification.event)) for notification in page],
        "unread_count": request.user.notifications.unread().count(),
    }


@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    """The fan's alerts: what happened to the coaches and benches followed."""
    if not request.user.is_authenticated:
        return _login_first(request, request.get_full_path())
    context = _notification_list(request, request.GET.get("page"))
    return render(request, "rumours/notifications.html", context)


@require_safe
@never_cache
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with the fan's unread count, polled by htmx; nothing for a visitor."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    unread = request.user.notifications.unread().count()
    return render(request, "rumours/partials/_bell.html", {"unread": unread})


def _marked_read(request: HttpRequest, marked: int) -> HttpResponse:
    """Answer a "mark read": the refreshed list and an event for the bell, or a redirect back."""
    if not request.htmx:
        return redirect(_return_url(request, reverse("rumours:notifications")))
    context = _notification_list(request, request.POST.get("page"))
    response = render(request, "rumours/partials/_notification_list.html", context)
    return trigger_client_event(response, "notificationsRead", {"marked": marked})


@require_POST
def mark_notifications_read(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_first(request, _return_url(request, reverse("rumours:notifications")))
    return _marked_read(request, request.user.notifications.in_site().mark_read())


@require_POST
def mark_notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_first(request, _return_url(request, reverse("rumours:notifications")))
    mine = request.user.notifications.in_site().filter(pk=pk)
    get_object_or_404(mine.only("pk"))
    return _marked_read(request, mine.mark_read())


@require_safe
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one alert read and go to the news, at its card on the coach's board."""
    if not request.user.is_authenticated:
        return _login_first(request, request.get_full_path())
    mine = request.user.notifications.in_site().filter(pk=pk)
    notification = get_object_or_404(mine.select_related("event__rumour__coach"))
    mine.mark_read()
    return redirect(alerts.event_url(notification.event))


@require_http_methods(["GET", "HEAD", "POST"])
def alert_settings(request: HttpRequest) -> HttpResponse:
    """How the fan hears about news: site, email, digest hour, quiet hours, threshold, feed."""
    if not request.user.is_authenticated:
        return _login_first(request, request.get_full_path())
    data = request.POST if request.method == "POST" else None
    form = AlertSettingsForm(data, instance=request.user)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Your alert settings are saved."))
        return redirect("rumours:alert-settings")
    user = request.user
    feed_url = ""
    if user.feed_token:
        feed_path = reverse("rumours:personal-feed", args=[user.feed_token])
        feed_url = request.build_absolute_uri(feed_path)
    followed_coaches = Coach.objects.filter(follows__user=user).with_follow_state(user)
    followed_clubs = Club.objects.filter(follows__user=user).with_follow_state(user)
    context = {
        "form": form,
        "feed_url": feed_url,
        "coaches": followed_coaches.order_by("full_name"),
        "clubs": followed_clubs.order_by("short_name"),
    }
    status = 400 if form.is_bound else 200
    return render(request, "rumours/alert_settings.html", context, status=status)


@require_POST
def regenerate_feed(request: HttpRequest) -> HttpResponse:
    """Give the fan's private feed a new address (or its first); the old one stops at once."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("rumours:alert-settings"))
    had_feed = bool(request.user.feed_token)
    request.user.regenerate_feed_token()
    if had_feed:
        messages.success(request, _("Your feed has a new address; the old one no longer works."))
    else:
        messages.success(request, _("Your private feed is ready."))
    return redirect(f"{reverse('rumours:alert-settings')}#feed")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop a fan's alert emails from the link in one, logged in or not.

    GET only asks, because mail scanners follow links; POST acts. POST is
    exempt from CSRF because mail providers send RFC 8058's one-click
    request (List-Unsubscribe=One-Click) with no session and no CSRF token:
    the signed token in the address is what authorises it.
    """
    user = alerts.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "rumours/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        user.stop_email_alerts()
        return render(request, "rumours/unsubscribe_done.html")
    return render(request, "rumours/unsubscribe.html", {"token": token})
