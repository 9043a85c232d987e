"""Every page sends the security headers, and its HTML needs no inline script or style.

The Content-Security-Policy allows scripts and styles only from the site's
own files, so a page with a style= attribute, a <style> element, an inline
<script> or an on...= handler would lose that part in the browser. The pages
are filled with text the way scrapers store it, hostile markup included, to
show that it reaches the reader as text.
"""

import re
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from rumours.models import Rumour

from .factories import (
    AliasFactory,
    ClubFactory,
    CoachFactory,
    NotificationFactory,
    RumourFactory,
    SourceFactory,
    TrackRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>" onmouseover="x'
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "connect-src": {"'self'"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Script elements that hold data, not code: the browser never runs them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Templates that may turn autoescaping off, and why.
UNESCAPED_TEMPLATES = {
    # Plain-text email: HTML entities would show up literally in the mail.
    "rumours/email/alerts.txt",
}


def parse_policy(header: str) -> dict[str, set[str]]:
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = directive.split()
        policy[name] = set(sources)
    return policy


def inline_code(html: str) -> list[str]:
    """Return what in html the policy would block: inline styles, scripts and handlers."""
    found = []
    for element in lxml.html.document_fromstring(html).iter():
        if not isinstance(element.tag, str):
            continue  # Comments and processing instructions.
        tag = element.tag.lower()
        if tag == "style":
            found.append("<style> element")
        if tag == "script" and not element.get("src"):
            if (element.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
                found.append(f"inline <script>: {element.text_content()[:60]!r}")
        for name, value in element.attrib.items():
            name = name.lower()
            if name == "style":
                found.append(f"style= on <{tag}>")
            if name.startswith("on") or name.startswith("hx-on"):
                found.append(f"{name}= on <{tag}>")
            if value.strip().lower().startswith("javascript:"):
                found.append(f"javascript: URL in {name}= on <{tag}>")
    return found


def page_text(html: str) -> str:
    return lxml.html.document_fromstring(html).text_content()


@pytest.fixture
def hostile(report, user):
    """A scored rumour, an unscored one and a fan's alert, every scraped name and text hostile."""
    coach = CoachFactory(full_name=f"Hostilo {HOSTILE}", slug="hostilo")
    AliasFactory(coach=coach, text="Hostilo")
    club = ClubFactory(short_name=f"Club {HOSTILE}", slug="hostile-club")
    source = SourceFactory(name=f"Outlet {HOSTILE}", slug="hostile-outlet")
    scored = RumourFactory(coach=coach, club=club)
    report(scored, source=source, quote=f"Quote {HOSTILE}", title=f"Title {HOSTILE}")
    report(scored, author=f"Reporter {HOSTILE}", quote=f"Second quote {HOSTILE}")
    Rumour.objects.filter(pk=scored.pk).update(score=72, score_reasons=[f"Reason {HOSTILE}"])
    unscored = RumourFactory(coach=coach, club=ClubFactory())
    report(unscored, quote="An unscored rumour shows its coverage bar.")
    TrackRecordFactory(source=source, came_true=4, did_not_happen=1, resolved=5, conversion=0.8)
    NotificationFactory(user=user, event__rumour=scored)
    return {"coach": coach, "club": club, "source": source, "rumour": scored, "fan": user}


# Page: its address, and who asks for it (a visitor, a fan, or htmx as a visitor).
PAGES = {
    "home": (lambda w: reverse("rumours:home"), "visitor"),
    "coach board": (lambda w: w["coach"].get_absolute_url(), "visitor"),
    "coach board for a fan": (lambda w: w["coach"].get_absolute_url(), "fan"),
    "club page": (lambda w: w["club"].get_absolute_url(), "visitor"),
    "search": (lambda w: reverse("rumours:search") + "?q=hostilo", "visitor"),
    "search as you type": (lambda w: reverse("rumours:search") + "?q=hostilo", "htmx"),
    "rumour detail": (lambda w: reverse("rumours:rumour-detail", args=[w["rumour"].pk]), "fan"),
    "outlets": (lambda w: reverse("rumours:source-list"), "visitor"),
    "outlet": (lambda w: w["source"].get_absolute_url(), "visitor"),
    "leaderboard": (lambda w: reverse("rumours:leaderboard"), "visitor"),
    "login": (lambda w: reverse("login"), "visitor"),
    "signup": (lambda w: reverse("signup"), "visitor"),
    "alerts": (lambda w: reverse("rumours:notifications"), "fan"),
    "alert settings": (lambda w: reverse("rumours:alert-settings"), "fan"),
    "admin login": (lambda w: reverse("admin:login"), "visitor"),
}
# The pages that show scraped text.
SCRAPED_TEXT_PAGES = [
    name for name in PAGES if name not in {"login", "signup", "alert settings", "admin login"}
]


def fetch(client, world, name):
    address, asker = PAGES[name]
    if asker == "fan":
        client.force_login(world["fan"])
    headers = {"HX-Request": "true"} if asker == "htmx" else {}
    response = client.get(address(world), headers=headers)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sends_the_content_security_policy(client, hostile, name):
    response = fetch(client, hostile, name)
    assert parse_policy(response.headers["Content-Security-Policy"]) == POLICY


@pytest.mark.parametrize("name", PAGES)
def test_every_page_forbids_framing_sniffing_and_cross_site_referrers(client, hostile, name):
    response = fetch(client, hostile, name)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("name", PAGES)
def test_no_page_needs_inline_script_or_style(client, hostile, name):
    response = fetch(client, hostile, name)
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize("name", SCRAPED_TEXT_PAGES)
def test_scraped_markup_reaches_the_reader_as_text(client, hostile, name):
    response = fetch(client, hostile, name)
    assert HOSTILE in page_text(response.content.decode())


def test_the_checker_spots_each_kind_of_inline_code():
    html = (
        "<html><head><style>p {}</style><script>alert(1)</script>"
        '<script type="application/json">{}</script><script src="/app.js"></script></head>'
        '<body><p style="color: red" onclick="x()" hx-on:click="y()">'
        '<a href="javascript:alert(1)">a</a></p></body></html>'
    )
    assert len(inline_code(html)) == 6


def test_the_score_bar_is_drawn_by_a_class_not_a_style(client, hostile):
    html = client.get(hostile["coach"].get_absolute_url()).content.decode()
    document = lxml.html.document_fromstring(html)
    scored = document.get_element_by_id(f"score-{hostile['rumour'].pk}")
    assert scored.cssselect(".bar span")[0].get("class") == "bar-fill-70"


def test_the_timeline_shows_a_hostile_club_name_as_text(client, report):
    coach = CoachFactory(slug="timeline-coach")
    rumour = RumourFactory(coach=coach, club=ClubFactory(short_name=HOSTILE, slug="timeline-club"))
    report(rumour)
    html = client.get(coach.get_absolute_url()).content.decode()
    document = lxml.html.document_fromstring(html)
    labels = [label.text_content() for label in document.cssselect("svg.chart text.label")]
    assert labels and all(label.startswith("<script>") for label in labels)
    assert HOSTILE in document.cssselect("svg.chart desc")[0].text_content()
    assert inline_code(html) == []


def test_no_template_turns_escaping_off():
    offenders = []
    for template in sorted(TEMPLATES.rglob("*")):
        if not template.is_file():
            continue
        name = template.relative_to(TEMPLATES).as_posix()
        text = template.read_text()
        if re.search(r"\|\s*safe", text):  # |safe and |safeseq
            offenders.append(f"{name}: |safe")
        if "{% autoescape off" in text and name not in UNESCAPED_TEMPLATES:
            offenders.append(f"{name}: autoescape off")
    assert offenders == []


def test_no_python_code_marks_text_safe():
    """Markup is built in templates, which escape; code never vouches for a string itself."""
    code = [Path(settings.BASE_DIR) / "portal", Path(settings.BASE_DIR) / "rumours"]
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for folder in code
        for path in sorted(folder.rglob("*.py"))
        if "tests" not in path.parts and re.search(r"mark_safe|SafeString", path.read_text())
    ]
    assert offenders == []


def test_an_admin_changelist_and_change_form_need_no_inline_script_or_style(client, hostile):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for address in (
        reverse("admin:rumours_rumour_changelist"),
        reverse("admin:rumours_rumour_change", args=[hostile["rumour"].pk]),
        reverse("admin:rumours_coach_change", args=[hostile["coach"].pk]),
    ):
        response = client.get(address)
        assert response.status_code == 200
        assert parse_policy(response.headers["Content-Security-Policy"]) == POLICY
        assert inline_code(response.content.decode()) == [], address
