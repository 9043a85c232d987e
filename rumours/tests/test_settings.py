"""Settings come from the environment, with safe production defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import env_bool

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "benchwatch.example",
    "DJANGO_DEBUG": "0",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "raw, expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)


def test_a_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", env={"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "x.example"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_models_and_migrations_agree():
    result = run_manage("makemigrations", "--check", "--dry-run", env={"DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_redis_means_in_process_tasks_and_a_local_cache():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['default']['BACKEND'])",
        env={"DJANGO_DEBUG": "1", "REDIS_URL": "", "CELERY_BROKER_URL": ""},
    )
    assert result.stdout.split() == ["True", "django.core.cache.backends.locmem.LocMemCache"]


def test_redis_url_makes_redis_the_broker_and_the_cache():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND'])",
        env={"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"},
    )
    assert result.stdout.split() == [
        "False",
        "redis://127.0.0.1:6379/3",
        "django_redis.cache.RedisCache",
    ]


def test_database_url_selects_postgresql():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        env={"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u@db.example:5432/benchwatch"},
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


# Asks a production site (HTTPS on, a throwaway in-memory database) for its
# login page over HTTP and HTTPS, logs in, and prints what came back.
ASK_OVER_HTTPS = """
import json
from django.core.management import call_command
from django.test import Client
from rumours.models import User

call_command("migrate", verbosity=0)
User.objects.create_user("fan", password="correct horse battery staple")
client = Client()
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
logged_in = client.post(
    "/accounts/login/",
    {"username": "fan", "password": "correct horse battery staple"},
    secure=True,
)
csrf, session = secure.cookies["csrftoken"], client.cookies["sessionid"]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "logged_in": logged_in.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "csrf": [bool(csrf["secure"]), bool(csrf["httponly"])],
    "session": [bool(session["secure"]), bool(session["httponly"])],
}))
"""


@pytest.fixture(scope="module")
def https_site():
    env = {
        **PRODUCTION,
        "DJANGO_HTTPS": "1",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_STATIC_FINDERS": "1",
        "DATABASE_URL": "sqlite://:memory:",
    }
    result = run_manage("shell", "--no-imports", "-c", ASK_OVER_HTTPS, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_sites_redirect_plain_http_to_https(https_site):
    assert https_site["plain"] == [301, "https://testserver/accounts/login/"]


def test_https_sites_send_hsts_for_a_year_with_subdomains(https_site):
    assert https_site["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_https_sites_send_cookies_over_https_only(https_site):
    assert https_site["logged_in"] == 302
    assert https_site["session"] == [True, True]  # Secure, and out of scripts' reach.
    assert https_site["csrf"][0] is True


def test_https_sites_ask_browsers_to_upgrade_insecure_requests(https_site):
    directives = [part.split()[0] for part in https_site["csp"].split(";") if part.strip()]
    assert "upgrade-insecure-requests" in directives
    assert "script-src" in directives
