"""No input makes a page fail: unknown things are 404, wrong methods 405, never a 500.

The test client re-raises any exception a view lets escape, so a 500 would
fail these tests loudly rather than hide in a status code.
"""

import pytest
from django.urls import reverse

from .factories import ArticleFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

GET_PAGES = [
    "/",
    "/search/",
    "/sources/",
]
UNKNOWN = [
    "/coaches/nobody-at-all/",
    "/clubs/nobody-at-all/",
    "/sources/nobody-at-all/",
    "/coaches/nobody-at-all/feed/",
    "/clubs/nobody-at-all/feed/",
    "/rumours/987654321/",
    "/rumours/99999999999999999999999999/",
    "/rumours/abc/",
    "/rumours/-1/",
    "/rumours/1.5/vote/",
    "/coaches/%E2%9C%93/",
    "/coaches/" + "x" * 3000 + "/",
    "/clubs/../../etc/passwd/",
]
GARBAGE_QUERIES = [
    "?q=%00",
    "?q=" + "é" * 10000,
    "?q[]=1&q[]=2",
    "?q=a&q=b&q=%FF%FE",
    "?page=abc&sort=-;DROP&lang=zz",
    "?%00=%00",
    "?q=%25%5F%5C",
    "?next=https://evil.example/",
]


@pytest.fixture
def world(db):
    evidence = EvidenceFactory()
    return {
        "coach": evidence.rumour.coach.get_absolute_url(),
        "club": evidence.rumour.club.get_absolute_url(),
        "source": evidence.article.source.get_absolute_url(),
        "rumour": reverse("rumours:rumour-detail", args=[evidence.rumour.pk]),
        "coach feed": evidence.rumour.coach.get_feed_url(),
        "club feed": evidence.rumour.club.get_feed_url(),
        "vote": reverse("rumours:vote", args=[evidence.rumour.pk]),
        "coach follow": evidence.rumour.coach.get_follow_url(),
        "club follow": evidence.rumour.club.get_follow_url(),
    }


@pytest.mark.parametrize("url", UNKNOWN)
def test_unknown_things_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", UNKNOWN)
def test_unknown_things_are_404_for_htmx_too(client, url):
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


@pytest.mark.parametrize("name", ["coach", "club", "source", "rumour", "coach feed", "club feed"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_pages_refuse_writes_with_405(client, world, name, method):
    assert getattr(client, method)(world[name]).status_code == 405


@pytest.mark.parametrize("url", GET_PAGES)
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_list_pages_refuse_writes_with_405(client, url, method):
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("name", ["vote", "coach follow", "club follow"])
@pytest.mark.parametrize("method", ["get", "head", "put", "delete"])
def test_actions_refuse_anything_but_post_with_405(fan_client, world, name, method):
    assert getattr(fan_client, method)(world[name]).status_code == 405


@pytest.mark.parametrize("name", ["coach", "club", "source", "rumour", "coach feed"])
def test_pages_answer_head(client, world, name):
    assert client.head(world[name]).status_code == 200


@pytest.mark.parametrize("query", GARBAGE_QUERIES)
@pytest.mark.parametrize("name", ["coach", "club", "source", "rumour", "coach feed"])
def test_garbage_query_strings_never_break_a_page(client, world, name, query):
    assert client.get(world[name] + query).status_code == 200


@pytest.mark.parametrize("query", GARBAGE_QUERIES)
@pytest.mark.parametrize("url", GET_PAGES)
def test_garbage_query_strings_never_break_a_list_page(client, url, query):
    assert client.get(url + query).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"value": ["reliable", "unreliable"]},
        {"value": "\x00"},
        {"value": "reliable", "next": "javascript:alert(1)"},
        {"value": "reliable", "next": "//evil.example/"},
        {"value": "reliable", "next": "\x00"},
    ],
)
def test_garbage_votes_never_break(fan_client, world, data):
    response = fan_client.post(world["vote"], data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.url.startswith("/coaches/")


@pytest.mark.parametrize("headers", [{"HX-Request": "true", "HX-Current-URL": "not a url"}, {}])
def test_garbage_follows_never_break(fan_client, world, headers):
    response = fan_client.post(world["coach follow"], {"action": "\x00"}, headers=headers)
    assert response.status_code == 400


def test_an_article_with_no_date_and_no_title_still_shows(client):
    article = ArticleFactory(published_at=None, title="")
    EvidenceFactory(article=article)
    assert client.get(article.source.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200


def test_htmx_history_restore_gets_the_whole_page(client, world):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    page = client.get(world["coach"], headers=headers).content.decode()
    assert "<html" in page
