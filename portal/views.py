"""Views of the site as a whole rather than of its rumours: the health check."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer "ok" without touching the database or the cache.

    Load balancers poll it to tell a live web process from a dead one, and
    `make bench` uses it as the yardstick of the load tests: the cost of a
    request through gunicorn and Django's middleware, and nothing else.
    """
    return HttpResponse("ok", content_type="text/plain")
