"""Faults caused for real: Redis stopped, a worker killed mid-task, PostgreSQL restarted.

Each test runs the site (gunicorn) and the workers (celery) as real
processes on a Redis and a PostgreSQL of its own (see instances.py), then
breaks one of them and checks what a fan and the data see: pages still
served, nothing saved lost, nothing done twice, the work resumed.
"""

import http.server
import json
import shutil
import threading
import time

import httpx
import pytest

from .instances import (
    PG_BIN,
    OwnPostgres,
    OwnRedis,
    django_shell,
    environment,
    manage,
    start_site,
    start_worker,
    wait_until,
)
from .servers import NEWSITE, serve, serve_newsite

pytestmark = [
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.skipif(
        PG_BIN is None or shutil.which("redis-server") is None,
        reason="needs PostgreSQL's and Redis's server programs",
    ),
]
MANIFEST = json.loads((NEWSITE / "MANIFEST.json").read_text())
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL cluster of this module's own, migrated, with the gazetteer loaded."""
    cluster = OwnPostgres().create()
    try:
        env = environment(cluster.url, "redis://127.0.0.1:1/0")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_gazetteer")
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def redis():
    server = OwnRedis().start()
    yield server
    server.stop()


@pytest.fixture
def processes():
    """Track the site and worker processes a test starts; stop them all after it."""
    started = []
    yield started
    for process in started:
        process.stop()


def shell(env, code: str):
    return django_shell(env, "import json\n" + code)


SEED = """
from rumours.models import Coach, Club, Rumour, User
user, _ = User.objects.get_or_create(
    username="{name}", defaults={{"email": "{name}@example.com", "email_alerts": "instant"}}
)
user.set_password("{password}")
user.save()
coach, _ = Coach.objects.get_or_create(
    slug="{name}-coach", defaults={{"full_name": "{name} Coach"}}
)
club, _ = Club.objects.get_or_create(
    slug="{name}-club",
    defaults={{"name": "{name} Club FC", "short_name": "{name} Club", "country": "IT"}},
)
rumour, _ = Rumour.objects.get_or_create(coach=coach, club=club)
print(json.dumps({{"coach": coach.slug, "rumour": rumour.pk, "user": user.pk}}))
"""


def seed(env, name: str) -> dict:
    return shell(env, SEED.format(name=name, password=PASSWORD))


def logged_in(url: str, name: str) -> httpx.Client:
    """An HTTP client logged in to the site as name, with its CSRF token at hand."""
    client = httpx.Client(base_url=url, timeout=20, follow_redirects=False)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"]
    answer = client.post(
        "/accounts/login/",
        data={"username": name, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302, answer.text[:500]
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    return client


# ------------------------------------------------------------------ Redis stops while serving


def test_the_site_rides_out_a_redis_outage_and_the_work_resumes_after(
    postgres, redis, processes, tmp_path
):
    env = environment(postgres.url, redis.url, BENCHWATCH_SWEEP_GRACE=0)
    world = seed(env, "outage")
    site, url = start_site(env, tmp_path / "site.log")
    processes.append(site)
    fan = logged_in(url, "outage")
    board = f"/coaches/{world['coach']}/"
    assert fan.get(board).status_code == 200

    redis.stop()
    for page in ("/", board, "/search/?q=outage", "/alerts/", "/alerts/settings/"):
        answer = fan.get(page)
        assert answer.status_code == 200, (page, site.output()[-2000:])
    voted = fan.post(f"/rumours/{world['rumour']}/vote/", data={"value": "reliable"})
    followed = fan.post(f"{board}follow/", data={"action": "follow"})
    assert voted.status_code == followed.status_code == 302
    # News while Redis is down: the event is recorded, its fan-out cannot be queued.
    announced = shell(
        env,
        "from rumours import alerts\nfrom rumours.models import Rumour\n"
        f"event = alerts.announce(Rumour.objects.get(pk={world['rumour']}), 'exit')\n"
        "print(json.dumps(event.pk))",
    )
    saved = shell(
        env,
        "from rumours.models import Follow, RumourEvent, Vote\n"
        f"print(json.dumps([Vote.objects.filter(user_id={world['user']}).count(),"
        f" Follow.objects.filter(user_id={world['user']}).count(),"
        f" RumourEvent.objects.get(pk={announced}).fanned_out_at is None]))",
    )
    assert saved == [1, 1, True]

    redis.start()
    processes.append(start_worker(env, tmp_path / "worker.log"))
    shell(
        env,
        "from rumours import tasks\n"
        "tasks.deliver_waiting_alerts.delay(); tasks.sweep_rumours.delay()\nprint(1)",
    )
    state = (
        "from rumours.models import Notification, Rumour\n"
        f"print(json.dumps([Notification.objects.filter(user_id={world['user']},"
        f" event_id={announced}, channel='site').count(),"
        f" Rumour.objects.get(pk={world['rumour']}).score is not None]))"
    )
    wait_until(lambda: shell(env, state) == [1, True], timeout=60, what="the queued work")
    assert "bell has-unread" in fan.get("/alerts/bell/").text


# ------------------------------------------------------------------ Redis stops during ingestion


NEWSITE_SOURCES = """
from rumours.models import Source
base = "{base}"
for slug, name, kind, feed, selector in [
    ("mercatoweb", "MercatoWeb", "rss", "/mercatoweb/rss.xml", "div.entry-content"),
    ("gossipdaily", "Gossip Daily", "atom", "/gossipdaily/atom.xml", "article"),
    ("diariogol", "DiarioGol", "html", "/diariogol/index.html", "section#cuerpo"),
]:
    Source.objects.update_or_create(
        slug=slug,
        defaults=dict(name=name, kind=kind, feed_url=base + feed, body_selector=selector, tier=3),
    )
Source.objects.exclude(slug__in=["mercatoweb", "gossipdaily", "diariogol"]).update(is_active=False)
print(json.dumps(Source.objects.filter(is_active=True).count()))
"""

INGESTION_STATE = """
from collections import Counter
from rumours.extract import analyse_article
from rumours.models import Article, ArticleURL, Evidence
articles = list(Article.objects.all())
urls = Counter(ArticleURL.objects.values_list("url", flat=True))
def pairs(article):
    analysis = analyse_article(article.text, title=article.title, language=article.language)
    return {(link.coach.pk, link.club.pk) for link in analysis.links}
expected = sum(len(pairs(article)) for article in articles if article.extracted_at)
print(json.dumps({
    "articles": len(articles),
    "distinct": len({a.url for a in articles}),
    "unread": sum(1 for a in articles if a.extracted_at is None),
    "repeated_urls": sum(1 for n in urls.values() if n > 1),
    "evidence": Evidence.objects.count(),
    "expected_evidence": expected,
}))
"""

KICK = """
from django.utils import timezone
from rumours import tasks
from rumours.models import Source
Source.objects.update(next_poll_at=timezone.now())
tasks.poll_due_sources.delay()
tasks.extract_missed_articles.delay()
print(1)
"""


def test_redis_stopping_mid_ingestion_loses_and_duplicates_nothing(
    postgres, redis, processes, tmp_path
):
    env = environment(postgres.url, redis.url, BENCHWATCH_SWEEP_GRACE=0)
    articles = len(MANIFEST["articles"])
    with serve_newsite() as (base, _):
        assert shell(env, NEWSITE_SOURCES.format(base=base)) == 3
        processes.append(start_worker(env, tmp_path / "worker.log"))
        shell(env, KICK)
        wait_until(
            lambda: shell(env, INGESTION_STATE)["articles"] >= 10, timeout=120, what="ingestion"
        )
        redis.stop()  # The queued fetches and extractions are gone with it.
        time.sleep(2)
        redis.start()

        def complete():
            state = shell(env, INGESTION_STATE)
            if state["articles"] == articles and state["unread"] == 0:
                return state
            shell(env, KICK)  # What beat would do: poll again, read what was missed.
            time.sleep(3)
            return None

        state = wait_until(complete, timeout=240, interval=0, what="ingestion to complete")
    assert state["distinct"] == state["articles"] == articles
    assert state["repeated_urls"] == 0
    assert state["evidence"] == state["expected_evidence"] > 0


# ------------------------------------------------------------------ a worker killed mid-task


class StallingHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the mock news site, but hold the first request for the article page a while."""

    stalled = threading.Event()

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requested.append(self.path)
        if self.path.endswith(".html") and not StallingHandler.stalled.is_set():
            StallingHandler.stalled.set()
            time.sleep(8)  # The worker fetching this is killed meanwhile.
        super().do_GET()


def test_a_task_whose_worker_is_killed_runs_again_elsewhere_as_if_once(
    postgres, redis, processes, tmp_path
):
    env = environment(postgres.url, redis.url, BENCHWATCH_BROKER_VISIBILITY_TIMEOUT=2)
    path = next(p for p in MANIFEST["articles"] if p.startswith("/mercatoweb/"))
    StallingHandler.stalled.clear()
    # The same text stored by an earlier test would make this fetch a known copy.
    shell(env, "from rumours.models import Article\nArticle.objects.all().delete()\nprint(1)")
    with serve(StallingHandler, directory=str(NEWSITE)) as (base, server):
        source = shell(
            env,
            "from rumours.models import Source\n"
            "source, _ = Source.objects.get_or_create(slug='stalling', defaults=dict("
            f"name='Stalling', kind='rss', feed_url='{base}/mercatoweb/rss.xml',"
            " body_selector='div.entry-content', tier=3))\nprint(json.dumps(source.pk))",
        )
        first = start_worker(env, tmp_path / "first.log", name="first")
        processes.append(first)
        shell(
            env,
            f"from rumours import tasks\ntasks.fetch_article.delay({source}, '{base}{path}')\n"
            "print(1)",
        )
        wait_until(StallingHandler.stalled.is_set, timeout=60, what="the fetch to start")
        first.kill()  # SIGKILL, mid-task: no chance to acknowledge or clean up.
        time.sleep(3)  # Past the visibility timeout.
        processes.append(start_worker(env, tmp_path / "second.log", name="second"))
        state = (
            "from rumours.extract import analyse_article\n"
            "from rumours.models import Article, Evidence\n"
            f"articles = list(Article.objects.filter(url='{base}{path}'))\n"
            "links = [len({(l.coach.pk, l.club.pk) for l in analyse_article("
            "a.text, title=a.title, language=a.language).links}) for a in articles]\n"
            "print(json.dumps([len(articles), [a.extracted_at is not None for a in articles],"
            " Evidence.objects.filter(article__in=articles).count(), links]))"
        )
        result = wait_until(
            lambda: (lambda s: s if s[0] and all(s[1]) else None)(shell(env, state)),
            timeout=90,
            what="the task to run again on the second worker",
        )
        time.sleep(2)
        assert shell(env, state) == result
    count, _, evidence, links = result
    assert count == 1 and evidence == links[0] > 0
    assert server.requested.count(path) >= 2  # Fetched by both workers, stored once.


# ------------------------------------------------------------------ PostgreSQL restarts


def test_the_site_recovers_from_a_postgresql_restart_without_restarting(
    postgres, redis, processes, tmp_path
):
    env = environment(postgres.url, redis.url)
    world = seed(env, "restart")
    site, url = start_site(env, tmp_path / "site.log")
    processes.append(site)
    fan = logged_in(url, "restart")
    board = f"/coaches/{world['coach']}/"
    assert fan.get(board).status_code == 200

    postgres.restart()

    assert fan.get(board).status_code == 200, site.output()[-2000:]
    assert fan.get("/").status_code == 200
    voted = fan.post(f"/rumours/{world['rumour']}/vote/", data={"value": "unreliable"})
    assert voted.status_code == 302
    votes = shell(
        env,
        "from rumours.models import Vote\n"
        f"print(json.dumps(list(Vote.objects.filter(user_id={world['user']})"
        ".values_list('value', flat=True))))",
    )
    assert votes == ["unreliable"]
