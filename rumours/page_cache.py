"""Whole pages for visitors, and the board's timeline for everyone, from the cache.

Why: at a realistic size a coach's board or a club's page costs seconds of
database and template time, and almost every request for it comes from a
visitor (not logged in). A visitor's page carries nothing personal: no vote
or follow state, no CSRF token (the widgets are links to the login page and
the language switcher is a GET form), so every visitor who asks for the
same address in the same language gets the same bytes. Those bytes are kept
in the Django cache (Redis in production) and a hit costs no query.

Invalidation is by versions, not by deleting pages. Each page's key holds
the version of what it shows: one per coach (his board), one per club (its
page), one for the whole site (home, search). The domain code bumps them
when what a page shows changes (new evidence, a vote, a follow, a rescore,
a moderator's decision): a bumped page gets a new key, so the next visitor
renders it again, and the old copies expire with their TTL. Versions are
bumped after the transaction commits, so no reader can render the old rows
under the new version; a reader that renders the new rows under the old
version only fills a key nobody asks for any more.

Versions are keyed by slug, the part of the address the URL carries, so a
hit needs no query to find a coach's id. A version that is missing (never
set, evicted, Redis restarted empty) starts again at a random number, never
at one an old page could still be stored under. It starts before the page
reads the database, and lasts only once a page worth keeping has rendered:
an unknown address (a 404) leaves a key behind for a minute at most.

A cache outage (django-redis with IGNORE_EXCEPTIONS) only means misses:
pages render as if there were no cache, and bumps are lost, which the TTL
makes good. Logged-in fans always get a fresh page, and so does a visitor
with a message waiting (a flash message is for one visitor only).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Every key of this module starts with this, so tests can drop them all.
NAMESPACE = "page"
# How long a page is kept at most, whatever the versions say: the backstop
# for changes no bump announces (an outlet renamed, a coach deposed by
# another's appointment), and for "3 hours ago" on the home page.
PAGE_TIMEOUT = 600
HOME_TIMEOUT = 60
SITE = "site"


def _version_key(name: str) -> str:
    if len(name) > 120:  # Keys stay short whatever a URL holds.
        name = hashlib.sha256(name.encode()).hexdigest()
    return f"{NAMESPACE}:v:{name}"


def coach_version(slug: str) -> str:
    """Name the version of a coach's board."""
    return f"coach:{slug}"


def club_version(slug: str) -> str:
    """Name the version of a club's page."""
    return f"club:{slug}"


def _fresh_version() -> int:
    # Random rather than 1: a counter that vanished and starts again must
    # not meet a page an older counter stored.
    return secrets.randbits(48)


def _current_versions(names: list[str]) -> dict[str, int]:
    """Return the versions the cache holds for names; the missing ones are left out."""
    keys = {_version_key(name): name for name in names}
    return {keys[key]: value for key, value in cache.get_many(list(keys)).items()}


def _versions_to_render(names: list[str], *, lasting: bool) -> tuple[dict[str, int], list[str]]:
    """Return the versions a page about to render is stored under, and the names started now.

    Missing versions start before the page reads the database, so a change
    committed meanwhile bumps past them. Unless lasting, they last a minute:
    the caller makes them last (_keep_versions) once the address proves real,
    so unknown addresses (404s) leave nothing behind for long. The dict is
    incomplete in a cache outage: nothing is then read or stored.
    """
    found = _current_versions(names)
    started = [name for name in names if name not in found]
    if started:
        for name in started:
            cache.add(_version_key(name), _fresh_version(), timeout=None if lasting else 60)
        found = _current_versions(names)
    return found, started


def _keep_versions(names: list[str]) -> None:
    """Make versions started by _versions_to_render last (a bump may have moved them since)."""
    for name in names:
        cache.touch(_version_key(name), None)


def _bump_now(names: set[str]) -> None:
    for name in names:
        key = _version_key(name)
        try:
            cache.incr(key)
        except ValueError:
            # Nobody has read this version yet (or it was evicted): start it;
            # if a reader started it meanwhile, move past the reader's value.
            if not cache.add(key, _fresh_version(), timeout=None):
                try:
                    cache.incr(key)
                except ValueError:
                    pass  # Gone again: the next reader starts a fresh one.


def bump(
    *, coaches: Iterable[str] = (), clubs: Iterable[str] = (), rumours: Iterable[int] = ()
) -> None:
    """Make the pages of these coaches and clubs (slugs), and the site's, render again.

    rumours (ids) adds the pages of each rumour's coach and club, looked up
    in one query. Runs once the current transaction commits (at once
    outside one); a cache outage loses the bump, which PAGE_TIMEOUT makes good.
    """
    names = {SITE}
    names.update(coach_version(slug) for slug in coaches)
    names.update(club_version(slug) for slug in clubs)
    rumour_ids = set(rumours)

    def send():
        if rumour_ids:
            from .models import Rumour

            rows = Rumour.objects.filter(pk__in=rumour_ids).values_list("coach__slug", "club__slug")
            for coach_slug, club_slug in rows:
                names.update((coach_version(coach_slug), club_version(club_slug)))
        _bump_now(names)

    transaction.on_commit(send, robust=True)


def bump_profile(target) -> None:
    """Make a coach's or a club's page render again (target: a Coach or a Club)."""
    if target.noun == "coach":
        bump(coaches=[target.slug])
    else:
        bump(clubs=[target.slug])


# ------------------------------------------------------------------ pages


def is_partial(request: HttpRequest) -> bool:
    """Tell whether htmx asks for one section of a page rather than the whole page.

    Boosted links and history restores (a back button after htmx's own
    history cache ran out) want the whole page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _serves_visitor(request: HttpRequest) -> bool:
    """Tell whether the shared visitor page may answer this request."""
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _page_key(request: HttpRequest, page_versions: dict[str, int]) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:40]
    variant = "partial" if is_partial(request) else "page"
    stamp = ".".join(f"{value}" for _, value in sorted(page_versions.items()))
    return f"{NAMESPACE}:p:{digest}:{translation.get_language()}:{variant}:{stamp}"


def _is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Tell whether a rendered response may be handed to every other visitor."""
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page used the CSRF token: it is this visitor's.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def for_visitors(scope: str, timeout: int = PAGE_TIMEOUT):
    """Decorate a GET view: visitors get the page from the cache while its version holds.

    scope says which version the page shows: "coach" or "club" (the one
    whose slug is in the URL) or "site". Put it inside vary_on_headers, so
    hits carry the same Vary as misses.
    """

    def names_for(kwargs) -> list[str]:
        if scope == "coach":
            return [coach_version(kwargs["slug"])]
        if scope == "club":
            return [club_version(kwargs["slug"])]
        return [SITE]

    def decorator(view: Callable[..., HttpResponse]):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _serves_visitor(request):
                return view(request, *args, **kwargs)
            names = names_for(kwargs)
            page_versions, started = _versions_to_render(names, lasting=False)
            if len(page_versions) < len(names):  # The cache is out.
                return view(request, *args, **kwargs)
            key = _page_key(request, page_versions)
            stored = cache.get(key)
            if stored is not None:
                content, content_type = stored
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _is_shareable(request, response):
                _keep_versions(started)
                cache.set(key, (response.content, response["Content-Type"]), timeout)
            return response

        return wrapper

    return decorator


# ------------------------------------------------------------------ fragments


def fragment(name: str, *, coach: str, build: Callable[[], str]) -> str:
    """Return a fragment of a coach's board from the cache, or build and keep it.

    Kept per coach version and language, so fans (whose pages are never
    cached whole) do not pay for it either; built afresh if the cache is out.
    Call it for a coach that exists: his version is started to last.
    """
    version_name = coach_version(coach)
    found, _ = _versions_to_render([version_name], lasting=True)
    if version_name not in found:
        return build()
    key = _fragment_key(name, coach, found[version_name])
    stored = cache.get(key)
    if stored is None:
        stored = build()
        cache.set(key, stored, PAGE_TIMEOUT)
    return stored


def _fragment_key(name: str, coach: str, version: int) -> str:
    digest = hashlib.sha256(coach.encode()).hexdigest()[:24]
    return f"{NAMESPACE}:f:{name}:{digest}:{translation.get_language()}:{version}"
