"""Views of the site as a whole, not of its rumours: the health check, the 429 and CSRF pages."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rumours import throttling
from rumours.views import refuse


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer "ok" without touching the database or the cache.

    Load balancers poll it to tell a live web process from a dead one, and
    `make bench` uses it as the yardstick of the load tests: the cost of a
    request through gunicorn and Django's middleware, and nothing else.
    """
    return HttpResponse("ok", content_type="text/plain")


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer a request over one of throttling's limits: 429, and when to try again.

    settings.RATELIMIT_VIEW: RatelimitMiddleware calls it with the Throttled
    a view raised. htmx gets a line of text, since it would not swap a page
    into a button.
    """
    retry_after = getattr(exception, "retry_after", throttling.DEFAULT_RETRY_AFTER)
    minutes = throttling.minutes_to_wait(retry_after)
    message = ngettext(
        "Too many requests. Try again in %(minutes)d minute.",
        "Too many requests. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = refuse(request, message, 429, template="429.html", context={"minutes": minutes})
    response["Retry-After"] = str(retry_after)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a refused form in the site's own words (settings.CSRF_FAILURE_VIEW).

    The usual cause is a page left open while its token went stale (a log in
    or out in another tab), so the page says to reload and try again. htmx
    gets a line of text, as it would not swap a page into a button. Django's
    reason is for developers and is not shown.
    """
    message = _("This page has expired. Reload it and try again.")
    return refuse(request, message, 403, template="403_csrf.html")
