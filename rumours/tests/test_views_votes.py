"""Fans vote on rumours: one vote each, changed or withdrawn, with or without htmx."""

import json
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse

from rumours.models import Vote

from .factories import EvidenceFactory, RumourFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def vote_url(rumour):
    return reverse("rumours:vote", args=[rumour.pk])


def test_an_htmx_vote_returns_the_widget_with_the_new_count(fan_client, user):
    rumour = EvidenceFactory().rumour
    response = fan_client.post(vote_url(rumour), {"value": "reliable"}, headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<form id="vote-{rumour.pk}"')
    assert 'data-count="reliable">1<' in page
    assert 'aria-pressed="true"' in page
    assert "<html" not in page
    assert rumour.votes.get().user == user


def test_an_htmx_vote_tells_the_page_with_a_vote_recorded_event(fan_client):
    rumour = RumourFactory()
    response = fan_client.post(vote_url(rumour), {"value": "unreliable"}, headers=HTMX)
    event = json.loads(response.headers["HX-Trigger"])
    assert event == {"voteRecorded": {"rumour": rumour.pk, "value": "unreliable"}}


def test_voting_twice_keeps_one_vote(fan_client):
    rumour = RumourFactory()
    for _ in range(2):
        fan_client.post(vote_url(rumour), {"value": "reliable"}, headers=HTMX)
    assert rumour.votes.count() == 1


def test_changing_the_vote_replaces_it(fan_client):
    rumour = RumourFactory()
    fan_client.post(vote_url(rumour), {"value": "reliable"}, headers=HTMX)
    response = fan_client.post(vote_url(rumour), {"value": "unreliable"}, headers=HTMX)
    assert list(rumour.votes.values_list("value", flat=True)) == ["unreliable"]
    page = response.content.decode()
    assert 'data-count="reliable">0<' in page
    assert 'data-count="unreliable">1<' in page


def test_withdrawing_the_vote_removes_it(fan_client, user):
    vote = VoteFactory(user=user)
    response = fan_client.post(vote_url(vote.rumour), {"value": "withdraw"}, headers=HTMX)
    assert not Vote.objects.filter(pk=vote.pk).exists()
    assert 'aria-pressed="true"' not in response.content.decode()


def test_other_fans_votes_are_counted_but_not_shown_as_mine(fan_client):
    rumour = RumourFactory()
    VoteFactory.create_batch(3, rumour=rumour, value=Vote.Value.UNRELIABLE)
    response = fan_client.post(vote_url(rumour), {"value": "reliable"}, headers=HTMX)
    page = response.content.decode()
    assert 'data-count="unreliable">3<' in page
    assert page.count('aria-pressed="true"') == 1


def test_without_javascript_the_vote_redirects_back_to_the_page(fan_client):
    rumour = RumourFactory()
    club_page = rumour.club.get_absolute_url()
    response = fan_client.post(vote_url(rumour), {"value": "reliable", "next": club_page})
    assert response.status_code == 302
    assert response.url == f"{club_page}#rumour-{rumour.pk}"
    assert rumour.votes.count() == 1


def test_without_a_next_page_the_vote_redirects_to_the_coach_board(fan_client):
    rumour = RumourFactory()
    response = fan_client.post(vote_url(rumour), {"value": "reliable"})
    assert response.url == f"{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"


def test_a_next_page_on_another_site_is_ignored(fan_client):
    rumour = RumourFactory()
    response = fan_client.post(
        vote_url(rumour), {"value": "reliable", "next": "https://evil.example/"}
    )
    assert response.url == f"{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"


def test_a_visitor_is_sent_to_log_in_and_then_back_to_the_board(client):
    rumour = RumourFactory()
    board = rumour.coach.get_absolute_url()
    response = client.post(vote_url(rumour), {"value": "reliable", "next": board})
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={quote(f'{board}#rumour-{rumour.pk}')}"
    assert not rumour.votes.exists()


def visitor_widget(page, rumour):
    return page.split(f'<form id="vote-{rumour.pk}"')[1].split("</form>")[0]


def test_a_visitor_sees_the_counts_in_a_form_that_leads_to_log_in_and_back(client):
    rumour = EvidenceFactory().rumour
    VoteFactory.create_batch(2, rumour=rumour, value=Vote.Value.UNRELIABLE)
    board = rumour.coach.get_absolute_url()
    widget = visitor_widget(client.get(board).content.decode(), rumour)
    assert f'method="get" action="{reverse("login")}"' in widget
    assert f'name="next" value="{board}#rumour-{rumour.pk}"' in widget
    assert 'data-count="unreliable">2<' in widget
    assert "csrfmiddlewaretoken" not in widget
    assert "hx-post" not in widget
    assert "aria-pressed" not in widget
    assert "log in to vote" in widget


def test_the_visitors_vote_form_lands_on_the_login_page_and_back_on_the_card(client):
    rumour = EvidenceFactory().rumour
    board = rumour.coach.get_absolute_url()
    login = client.get(reverse("login"), {"next": f"{board}#rumour-{rumour.pk}"})
    assert login.status_code == 200
    user = UserFactory()
    response = client.post(
        f"{reverse('login')}?{urlencode({'next': f'{board}#rumour-{rumour.pk}'})}",
        {
            "username": user.username,
            "password": "correct horse battery staple",
            "next": f"{board}#rumour-{rumour.pk}",
        },
    )
    assert response.url == f"{board}#rumour-{rumour.pk}"


def test_a_fan_votes_with_a_post_form(fan_client):
    rumour = EvidenceFactory().rumour
    page = fan_client.get(rumour.coach.get_absolute_url()).content.decode()
    widget = visitor_widget(page, rumour)
    assert f'method="post" action="{vote_url(rumour)}"' in widget
    assert "csrfmiddlewaretoken" in widget


def test_a_visitor_voting_through_htmx_is_redirected_by_htmx_to_log_in(client):
    rumour = RumourFactory()
    board = rumour.coach.get_absolute_url()
    response = client.post(
        vote_url(rumour),
        {"value": "reliable"},
        headers={**HTMX, "HX-Current-URL": f"http://testserver{board}"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith(f"{reverse('login')}?next=")
    assert quote(board, safe="") in response.headers["HX-Redirect"]


def test_after_logging_in_the_visitor_lands_back_on_the_board(client):
    rumour = RumourFactory()
    user = UserFactory()
    login_url = client.post(vote_url(rumour), {"value": "reliable"}).url
    response = client.post(
        login_url, {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == f"{rumour.coach.get_absolute_url()}#rumour-{rumour.pk}"


@pytest.mark.parametrize("value", ["", "maybe", "toggle", "x" * 500])
def test_a_verdict_outside_the_choices_is_a_bad_request(fan_client, value):
    rumour = RumourFactory()
    response = fan_client.post(vote_url(rumour), {"value": value}, headers=HTMX)
    assert response.status_code == 400
    assert not rumour.votes.exists()


def test_voting_with_get_is_not_allowed(fan_client):
    assert fan_client.get(vote_url(RumourFactory())).status_code == 405


def test_voting_on_an_unknown_rumour_is_404(fan_client):
    response = fan_client.post(reverse("rumours:vote", args=[987654]), {"value": "reliable"})
    assert response.status_code == 404


def test_a_vote_without_the_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    rumour = RumourFactory()
    response = client.post(vote_url(rumour), {"value": "reliable"}, headers=HTMX)
    assert response.status_code == 403
    assert not rumour.votes.exists()


def test_an_htmx_vote_with_the_csrf_header_from_the_page_is_accepted(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    rumour = EvidenceFactory().rumour
    page = client.get(rumour.coach.get_absolute_url()).content.decode()
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post(
        vote_url(rumour), {"value": "reliable"}, headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert rumour.votes.count() == 1


def test_the_board_shows_the_fans_own_vote_as_pressed(fan_client, user):
    vote = VoteFactory(user=user, value=Vote.Value.UNRELIABLE)
    page = fan_client.get(vote.rumour.coach.get_absolute_url()).content.decode()
    assert f'id="vote-{vote.rumour.pk}-unreliable"' in page
    widget = page.split(f'id="vote-{vote.rumour.pk}-unreliable"')[1].split(">")[0]
    assert 'aria-pressed="true"' in widget
    assert "Withdraw my vote" in page
