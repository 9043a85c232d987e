"""Who may try what how often: every rate limit of the site, and why its number.

Each limit is django-ratelimit's "count/period" over one key (an address, a
fan, a username tried), counted in fixed windows in the Django cache. With
REDIS_URL that is Redis, shared by every web process. Without it the cache
is local memory, so each process keeps its own counts: right for the
embedded default (one process), and only as many times more lenient as
there are processes otherwise.

A request over a limit raises Throttled; RatelimitMiddleware hands it to
settings.RATELIMIT_VIEW (portal.views.rate_limited), which answers 429 with
Retry-After. The login page answers in place instead (views.LoginView).

A cache outage must not lock fans out: django-redis (IGNORE_EXCEPTIONS)
answers every count with nothing, and RATELIMIT_FAIL_OPEN lets the request
through. BENCHWATCH_RATE_LIMITS=0 (RATELIMIT_ENABLE) turns every limit off,
for benchmarks that drive thousands of requests from one address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

# Seconds to wait when a limit does not say (a Ratelimited from elsewhere).
DEFAULT_RETRY_AFTER = 60


def client_ip(request: HttpRequest) -> str:
    """Return the address a request came from (RATELIMIT_IP_META_KEY).

    REMOTE_ADDR, unless BENCHWATCH_CLIENT_IP_HEADER names a header the
    proxy in front sets (HTTP_X_FORWARDED_FOR): then its last hop, the one
    that proxy appended; the hops before it are whatever the client sent.
    A missing or garbled header falls back to REMOTE_ADDR (the proxy), which
    can only make a limit stricter, never let a client pick its own bucket.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.BENCHWATCH_CLIENT_IP_HEADER
    if not header:
        return remote
    last_hop = request.META.get(header, "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(last_hop))
    except ValueError:
        return remote


def attempted_username(group: str, request: HttpRequest) -> str:
    """Key a login attempt by the username typed, whatever its case or spaces."""
    return request.POST.get("username", "").strip().casefold()


def requested_email(group: str, request: HttpRequest) -> str:
    """Key a password reset by the address it would mail."""
    return request.POST.get("email", "").strip().casefold()


class Throttled(Ratelimited):
    """A request over one of the limits below, and the seconds until it may try again."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """At most rate ("count/period") requests per key, counted under group.

    key is "ip" (client_ip), "user_or_ip" (the fan, else the address) or a
    function (group, request) -> str.
    """

    group: str
    rate: str
    key: str | Callable[[str, HttpRequest], str]

    def _usage(self, request: HttpRequest, *, increment: bool) -> dict | None:
        # None: limits are off, or the cache is out (RATELIMIT_FAIL_OPEN).
        return get_usage(
            request, group=self.group, key=self.key, rate=self.rate, increment=increment
        )

    def hit(self, request: HttpRequest) -> int:
        """Count this request; return the seconds to wait if it is over the limit, else 0."""
        usage = self._usage(request, increment=True)
        if usage is None or not usage["should_limit"]:
            return 0
        return max(usage["time_left"], 1)

    def wait(self, request: HttpRequest) -> int:
        """Return the seconds to wait if the limit is used up already, else 0; count nothing."""
        usage = self._usage(request, increment=False)
        if usage is None or usage["count"] < usage["limit"]:
            return 0
        return max(usage["time_left"], 1)


# Login, every POST from one address (right or wrong password): no person
# sends ten login forms a minute, and one address trying one password on
# many usernames (each under the limit below) is stopped here.
LOGINS_PER_IP = Limit("login-ip", "10/m", "ip")
# Login, failed attempts on one username from anywhere: five guesses per
# quarter of an hour is nothing to a fan who mistypes and hopeless for a
# guesser spread over many addresses. Only failures count, so a fan logging
# in on several devices is never held up; a success resets nothing, or
# every login of the owner would hand a guesser five fresh tries. The price:
# anyone can hold an account's login back for fifteen minutes at a time.
LOGIN_FAILURES_PER_USERNAME = Limit("login-username", "5/15m", attempted_username)
# Password reset emails: each POST may send a mail, so an address gets five
# an hour and a mailbox three an hour, however many addresses ask for it.
PASSWORD_RESETS_PER_IP = Limit("password-reset-ip", "5/h", "ip")
PASSWORD_RESETS_PER_EMAIL = Limit("password-reset-email", "3/h", requested_email)
# Signup, every POST from one address: a form refused for a weak password
# counts too, so ten leaves room for a few; it still caps an address at ten
# new accounts an hour.
SIGNUPS_PER_IP = Limit("signup-ip", "10/h", "ip")
# Votes, per fan: one a second on average is a fan changing his mind fast
# down a board; a script voting through the site goes over it.
VOTES_PER_FAN = Limit("vote", "60/m", "user_or_ip")
# Follows (coaches and benches together), per fan: a fan follows a handful
# at a sitting; each one writes rows and refreshes cached pages.
FOLLOWS_PER_FAN = Limit("follow", "30/m", "user_or_ip")
# Search, per address, cached pages included: htmx asks once the fan stops
# typing for 300 ms, about one request a keystroke at worst, so 120 a minute
# is a dozen names typed letter by letter, and leaves room for several
# visitors behind one address (an office, a mobile network). A hit costs
# no query, so the limit is there for scrapers, not for the database.
SEARCHES_PER_IP = Limit("search", "120/m", "ip")


def limit(*limits: Limit, methods: Iterable[str] = ()):
    """Decorate a view: count each request against limits, and refuse it (Throttled) once over.

    methods, when given, are the only ones counted ("POST": a page's GET is free).
    """
    counted = {method.upper() for method in methods}

    def decorator(view: Callable[..., HttpResponse]):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not counted or request.method in counted:
                # Every limit counts the request, even once another refuses it.
                wait = max([one.hit(request) for one in limits])
                if wait:
                    raise Throttled(wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def login_wait(request: HttpRequest) -> int:
    """Count a login attempt; return the seconds it must wait (0: go ahead and check it)."""
    return max(LOGINS_PER_IP.hit(request), LOGIN_FAILURES_PER_USERNAME.wait(request))


def record_failed_login(request: HttpRequest) -> None:
    """Count a wrong password (or an empty form) against the username tried."""
    LOGIN_FAILURES_PER_USERNAME.hit(request)


def minutes_to_wait(seconds: int) -> int:
    """Round a wait up to whole minutes, for the message a fan reads."""
    return max(1, -(-seconds // 60))
