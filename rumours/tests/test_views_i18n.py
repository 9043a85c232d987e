"""The interface speaks Italian and English, with local dates and numbers."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from .factories import ArticleFactory, CoachFactory, EvidenceFactory

pytestmark = pytest.mark.django_db
ITALIAN = {"Accept-Language": "it"}
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po"


def test_the_home_page_speaks_italian_to_an_italian_browser(client):
    page = client.get(reverse("rumours:home"), headers=ITALIAN).content.decode()
    assert '<html lang="it">' in page
    assert "Chi allenerà chi" in page
    assert "Le voci più calde" in page


def test_djangos_language_view_still_remembers_the_choice(client):
    coach = CoachFactory()
    response = client.post(
        reverse("set_language"), {"language": "it", "next": coach.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response.url == coach.get_absolute_url()
    page = client.get(coach.get_absolute_url()).content.decode()
    assert "Bacheca delle voci" in page
    assert "Svincolato" in page


def test_the_header_switches_language_with_a_get_form_that_needs_no_token(client):
    page = client.get(reverse("rumours:home")).content.decode()
    form = page.split('class="inline language"')[0].rsplit("<form", 1)[1]
    assert f'action="{reverse("rumours:language")}"' in form
    assert 'method="get"' in form
    assert "csrfmiddlewaretoken" not in page


def test_switching_language_by_get_remembers_the_choice_and_goes_back(client):
    coach = CoachFactory(current_club=None)
    response = client.get(
        reverse("rumours:language"), {"language": "it", "next": coach.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response.url == coach.get_absolute_url()
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "it"
    assert cookie["path"] == settings.LANGUAGE_COOKIE_PATH
    page = client.get(coach.get_absolute_url()).content.decode()
    assert "Svincolato" in page
    client.get(reverse("rumours:language"), {"language": "en", "next": "/"})
    assert "Free agent" in client.get(coach.get_absolute_url()).content.decode()


@pytest.mark.parametrize("language", ["", "zz", "EN", "it-xx", "../", "\x00"])
def test_switching_to_an_unknown_language_is_a_bad_request(client, language):
    response = client.get(reverse("rumours:language"), {"language": language, "next": "/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switching_language_without_a_language_is_a_bad_request(client):
    assert client.get(reverse("rumours:language")).status_code == 400


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "",
    ],
)
def test_switching_language_never_leaves_the_site(client, next_url):
    response = client.get(reverse("rumours:language"), {"language": "it", "next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("rumours:home")


def test_switching_language_keeps_a_query_string_and_survives_odd_characters(client):
    target = "/search/?q=mou&page=2"
    response = client.get(reverse("rumours:language"), {"language": "it", "next": target})
    assert response.url == target
    odd = client.get(reverse("rumours:language"), {"language": "it", "next": "/a\nb"})
    assert odd.status_code == 302
    assert "\n" not in odd["Location"]


def test_switching_language_refuses_writes(client):
    assert client.post(reverse("rumours:language"), {"language": "it"}).status_code == 405


def test_english_stays_the_default(client):
    page = client.get(reverse("rumours:home")).content.decode()
    assert '<html lang="en">' in page
    assert "Who will coach whom" in page


def test_dates_are_written_the_italian_way(client):
    when = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("Europe/Rome"))
    evidence = EvidenceFactory(article=ArticleFactory(published_at=when))
    page = client.get(evidence.rumour.coach.get_absolute_url(), headers=ITALIAN).content.decode()
    assert "14 marzo 2025" in page.lower()
    english = client.get(evidence.rumour.coach.get_absolute_url()).content.decode()
    assert "March 14, 2025" in english


def test_counts_and_kinds_are_translated(client):
    evidence = EvidenceFactory(rumour__kind="rumour")
    page = client.get(evidence.rumour.coach.get_absolute_url(), headers=ITALIAN).content.decode()
    assert "1 articolo" in page
    assert "Voce: riportata, non confermata." in page
    assert "È affidabile?" in page


def test_the_timeline_is_described_in_italian(client):
    evidence = EvidenceFactory()
    page = client.get(evidence.rumour.coach.get_absolute_url(), headers=ITALIAN).content.decode()
    assert "Citazioni per squadra nel tempo" in page
    assert f"{evidence.rumour.club.short_name}: 1 articolo tra il" in page


def test_the_feed_is_in_the_fans_language(client):
    evidence = EvidenceFactory(kind="rumour")
    feed = client.get(evidence.rumour.coach.get_feed_url(), headers=ITALIAN).content.decode()
    assert 'xml:lang="it"' in feed
    assert "su Benchwatch" in feed
    assert "<title>Voce:" in feed


def test_every_string_of_the_interface_has_an_italian_translation():
    """Guards the catalogue: a new string without a translation fails here."""
    catalogue = CATALOGUE.read_text(encoding="utf-8")
    assert "#, fuzzy" not in catalogue
    entries = catalogue.split("\n\n")[1:]
    untranslated = [
        entry
        for entry in entries
        if 'msgstr ""' in entry.splitlines()[-1:] or 'msgstr[1] ""' in entry
    ]
    assert untranslated == []


def test_the_compiled_catalogue_is_not_older_than_its_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists()
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime - 1
