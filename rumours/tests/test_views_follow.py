"""Fans follow a coach or a club's bench, and stop, with or without htmx."""

import json

import pytest
from django.urls import reverse

from rumours.models import Follow

from .factories import ClubFactory, CoachFactory, FollowFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_following_a_coach_through_htmx_swaps_the_button(fan_client, user):
    coach = CoachFactory()
    response = fan_client.post(coach.get_follow_url(), {"action": "follow"}, headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<form id="follow-coach-{coach.pk}"')
    assert 'value="unfollow"' in page
    assert "1 follower" in page
    assert Follow.objects.filter(user=user, coach=coach).exists()


def test_following_tells_the_page_with_a_follow_changed_event(fan_client):
    coach = CoachFactory()
    response = fan_client.post(coach.get_follow_url(), {"action": "follow"}, headers=HTMX)
    event = json.loads(response.headers["HX-Trigger"])["followChanged"]
    assert event == {"url": coach.get_absolute_url(), "following": True}


def test_following_twice_keeps_one_follow(fan_client, user):
    coach = CoachFactory()
    for _ in range(2):
        fan_client.post(coach.get_follow_url(), {"action": "follow"}, headers=HTMX)
    assert Follow.objects.filter(user=user, coach=coach).count() == 1


def test_unfollowing_removes_the_follow(fan_client, user):
    follow = FollowFactory(user=user)
    response = fan_client.post(follow.coach.get_follow_url(), {"action": "unfollow"}, headers=HTMX)
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert 'value="follow"' in response.content.decode()


def test_unfollowing_what_is_not_followed_changes_nothing(fan_client):
    coach = CoachFactory()
    response = fan_client.post(coach.get_follow_url(), {"action": "unfollow"}, headers=HTMX)
    assert response.status_code == 200
    assert not Follow.objects.exists()


def test_following_a_clubs_bench(fan_client, user):
    club = ClubFactory()
    response = fan_client.post(club.get_follow_url(), {"action": "follow"}, headers=HTMX)
    assert f'id="follow-club-{club.pk}"' in response.content.decode()
    assert Follow.objects.filter(user=user, club=club, coach=None).exists()


def test_without_javascript_following_redirects_back(fan_client):
    coach = CoachFactory()
    response = fan_client.post(coach.get_follow_url(), {"action": "follow"})
    assert response.status_code == 302
    assert response.url == coach.get_absolute_url()


def test_the_board_shows_that_the_fan_follows(fan_client, user):
    follow = FollowFactory(user=user)
    page = fan_client.get(follow.coach.get_absolute_url()).content.decode()
    assert "You follow this coach" in page
    assert 'value="unfollow"' in page


@pytest.mark.parametrize("kind", ["coach", "club"])
def test_a_visitor_sees_the_follower_count_in_a_form_that_leads_to_log_in(client, kind):
    target = CoachFactory() if kind == "coach" else ClubFactory()
    followed = {"coach": target} if kind == "coach" else {"coach": None, "club": target}
    FollowFactory.create_batch(2, **followed)
    page = client.get(target.get_absolute_url()).content.decode()
    form = page.split(f'<form id="follow-{kind}-{target.pk}"')[1].split("</form>")[0]
    assert f'method="get" action="{reverse("login")}"' in form
    assert f'name="next" value="{target.get_absolute_url()}"' in form
    assert "2 followers" in form
    assert "csrfmiddlewaretoken" not in form
    assert 'name="action"' not in form


def test_a_visitor_is_sent_to_log_in_then_back(client):
    club = ClubFactory()
    response = client.post(club.get_follow_url(), {"action": "follow"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Follow.objects.exists()


def test_a_visitor_following_through_htmx_gets_an_hx_redirect(client):
    coach = CoachFactory()
    response = client.post(coach.get_follow_url(), {"action": "follow"}, headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize("action", ["", "toggle", "FOLLOW"])
def test_an_unknown_action_is_a_bad_request(fan_client, action):
    coach = CoachFactory()
    assert fan_client.post(coach.get_follow_url(), {"action": action}).status_code == 400


def test_following_with_get_is_not_allowed(fan_client):
    assert fan_client.get(CoachFactory().get_follow_url()).status_code == 405


@pytest.mark.parametrize("name", ["rumours:coach-follow", "rumours:club-follow"])
def test_following_an_unknown_coach_or_club_is_404(fan_client, name):
    response = fan_client.post(reverse(name, args=["nobody"]), {"action": "follow"})
    assert response.status_code == 404
