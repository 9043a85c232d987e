"""Benchwatch settings: one file, switched by environment variables.

With no environment at all the site runs on an SQLite file, runs Celery
tasks in-process and caches in local memory, so a bare checkout works.
Production sets DATABASE_URL, REDIS_URL and the DJANGO_* variables below;
the README lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a strict boolean: 1/true/on or 0/false/off, anything else is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/true/on or 0/false/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Read an integer variable, failing loudly on garbage."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(use `make run` for a development server)."
        )
    SECRET_KEY = "django-insecure-development-key-never-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# A refused form says, in the site's words, that the page expired (403_csrf.html).
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "rumours",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Gives the empty 405 of require_POST and its kin a page (405.html).
    "portal.middleware.method_not_allowed_page",
    # Turns a view's Throttled (rumours/throttling.py) into RATELIMIT_VIEW's 429.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# Databases: SQLite in the project folder unless DATABASE_URL says otherwise.
# Persistent connections with health checks let the site ride out a
# PostgreSQL restart without restarting itself.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout keeps the development server and in-process tasks from
    # tripping over each other's writes.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "rumours.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "rumours:home"
LOGOUT_REDIRECT_URL = "rumours:home"

# Internationalisation: English and Italian interface, times stored in UTC.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve files straight from the finders when no collectstatic has run
# (tests and the development server); production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("DJANGO_STATIC_FINDERS", False)
if WHITENOISE_USE_FINDERS:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# Redis, when configured, is the cache and the Celery broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("BENCHWATCH_CACHE_PREFIX", "benchwatch"),
            "TIMEOUT": 300,
            "OPTIONS": {
                # A Redis outage degrades the cache to none (misses, no-op
                # writes, logged) instead of failing every page.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# With no broker configured, run tasks in-process so a bare checkout works end to end.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
# Nothing waits on a task's return value; storing none also means publishing a
# task never needs the result store, which would fail it in a Redis outage.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task a killed worker had taken goes to another worker after this many
    # seconds; it must outlast the longest countdown (retry backoff: 1800 s).
    "visibility_timeout": env_int("BENCHWATCH_BROKER_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 2,
}
# When the broker is down, a web request gives up publishing within a second
# (tasks.enqueue logs it; the sweeps redo the work) instead of hanging.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Each minute, queue a poll for every source whose next poll time has come.
    "poll-due-sources": {"task": "rumours.tasks.poll_due_sources", "schedule": 60.0},
    # Each hour, expire rumours with no news and let recency decay reach every open score.
    "sweep-rumours": {"task": "rumours.tasks.sweep_rumours", "schedule": 3600.0},
    # Each night, recompute every track record (status changes refresh the ones they touch).
    "refresh-track-records": {"task": "rumours.tasks.refresh_track_records", "schedule": 86400.0},
    # Every five minutes, send the alert emails that waited and the digests that are due.
    "deliver-waiting-alerts": {"task": "rumours.tasks.deliver_waiting_alerts", "schedule": 300.0},
    # Every ten minutes, read the articles whose extraction was lost on the way.
    "extract-missed-articles": {"task": "rumours.tasks.extract_missed_articles", "schedule": 600.0},
    # Each night, mend the rumours' stored vote and evidence counters where they drifted.
    "recount-rumours": {"task": "rumours.tasks.recount_rumours", "schedule": 86400.0},
}

# Email: the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Benchwatch <alerts@benchwatch.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS hardening: on by default in production, off for plain-HTTP test
# servers with DJANGO_HTTPS=0.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health check over plain HTTP behind the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# The site runs no inline script or style and no eval (htmx is configured
# for it in base.html), so the policy allows only its own files. It applies
# in development too, so a page that breaks it breaks on the first run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": HTTPS,
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: too chatty for a crawler.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# Benchwatch's own switches.
# Allow fetching from loopback and private networks (tests and the demo).
BENCHWATCH_ALLOW_PRIVATE_FETCH = env_bool("BENCHWATCH_ALLOW_PRIVATE_FETCH", False)
# Seconds between two requests to the same host, shared by all workers.
BENCHWATCH_HOST_INTERVAL = env_int("BENCHWATCH_HOST_INTERVAL", 2)
BENCHWATCH_USER_AGENT = os.environ.get(
    "BENCHWATCH_USER_AGENT",
    "BenchwatchBot/1.0 (+https://benchwatch.example/sources/; coach-market news reader)",
)
# Days without news after which an open rumour expires.
BENCHWATCH_RUMOUR_EXPIRY_DAYS = env_int("BENCHWATCH_RUMOUR_EXPIRY_DAYS", 60)
# Seconds a rumour's rescore waits, so a burst of evidence and votes costs one.
BENCHWATCH_RESCORE_DELAY = env_int("BENCHWATCH_RESCORE_DELAY", 30)
# Seconds after which the sweeps redo work whose task was lost (a fan-out, an
# extraction): long enough that the task itself has surely had its chance.
BENCHWATCH_SWEEP_GRACE = env_int("BENCHWATCH_SWEEP_GRACE", 600)
# Where the site is, for the links in alert emails (which have no request to ask).
BENCHWATCH_SITE_URL = os.environ.get("BENCHWATCH_SITE_URL", "http://127.0.0.1:8000/")

# Rate limits (rumours/throttling.py, django-ratelimit), counted in the
# default cache: in Redis across processes with REDIS_URL, in each process's
# memory without. django_ratelimit is not an installed app: its only use
# there is a system check that refuses the local-memory cache.
# Benchmarks drive thousands of requests from one address: they set
# BENCHWATCH_RATE_LIMITS=0.
RATELIMIT_ENABLE = env_bool("BENCHWATCH_RATE_LIMITS", True)
# A cache outage (Redis down) lets requests through rather than refuse them all.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "portal.views.rate_limited"
RATELIMIT_IP_META_KEY = "rumours.throttling.client_ip"
RATELIMIT_CACHE_PREFIX = "ratelimit:"
# Behind a proxy REMOTE_ADDR is the proxy's: name the request.META key of the
# header it sets (HTTP_X_FORWARDED_FOR), and its last hop counts as the client.
BENCHWATCH_CLIENT_IP_HEADER = os.environ.get("BENCHWATCH_CLIENT_IP_HEADER", "").strip()
if BENCHWATCH_CLIENT_IP_HEADER and not BENCHWATCH_CLIENT_IP_HEADER.startswith("HTTP_"):
    raise ImproperlyConfigured(
        "BENCHWATCH_CLIENT_IP_HEADER names a request.META key such as "
        f"HTTP_X_FORWARDED_FOR, not {BENCHWATCH_CLIENT_IP_HEADER!r}"
    )
