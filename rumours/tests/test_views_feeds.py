"""Atom feeds of new evidence per coach and per club's bench."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from .factories import ClubFactory, CoachFactory, EvidenceFactory, RumourFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    # Our own feed, parsed in a test: not untrusted input.
    return ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314


def test_a_coach_feed_is_atom_with_one_entry_per_article(client):
    evidence = EvidenceFactory(quote="Contatti avviati con l'entourage.")
    EvidenceFactory(rumour=evidence.rumour)
    response = client.get(evidence.rumour.coach.get_feed_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert len(entries(response)) == 2
    assert "Contatti avviati" in response.content.decode()


def test_an_entry_links_to_the_original_article_and_not_its_text(client):
    evidence = EvidenceFactory()
    page = client.get(evidence.rumour.coach.get_feed_url()).content.decode()
    assert evidence.article.url in page
    assert evidence.article.text not in page


def test_an_entry_title_says_the_kind_so_a_rumour_never_reads_as_confirmed(client):
    EvidenceFactory(kind="rumour", rumour__kind="rumour")
    evidence = EvidenceFactory(kind="confirmed", rumour__kind="confirmed")
    titles = [
        entry.find(f"{ATOM}title").text
        for entry in entries(client.get(evidence.rumour.coach.get_feed_url()))
    ]
    assert titles[0].startswith("Confirmed:")


def test_a_club_feed_has_the_evidence_about_its_bench(client):
    club = ClubFactory()
    EvidenceFactory(rumour__club=club)
    EvidenceFactory(rumour__club=club)
    EvidenceFactory()
    assert len(entries(client.get(club.get_feed_url()))) == 2


def test_feeds_of_unknown_coaches_and_clubs_are_404(client):
    assert client.get(reverse("rumours:coach-feed", args=["nobody"])).status_code == 404
    assert client.get(reverse("rumours:club-feed", args=["nobody"])).status_code == 404


def test_feeds_refuse_posts(client):
    assert client.post(CoachFactory().get_feed_url()).status_code == 405


def test_a_feed_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    rumour = RumourFactory()
    for _ in range(40):
        EvidenceFactory(rumour=rumour)
    with django_assert_max_num_queries(2):
        response = client.get(rumour.coach.get_feed_url())
    assert len(entries(response)) == 30


def test_boards_advertise_their_feed(client):
    coach = CoachFactory()
    page = client.get(coach.get_absolute_url()).content.decode()
    assert f'type="application/atom+xml" href="{coach.get_feed_url()}"' in page
