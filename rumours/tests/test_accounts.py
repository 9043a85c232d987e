"""Fans sign up, log in and out, and change or reset their password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from rumours.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_signing_up_creates_an_account_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "curva",
            "email": "curva@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="curva", email="curva@example.com").exists()
    assert client.get(reverse("rumours:home")).context["user"].is_authenticated


def test_signup_with_garbage_shows_errors_and_creates_nothing(client):
    response = client.post(
        reverse("signup"), {"username": "", "email": "not-an-email", "password1": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


def test_log_in_and_out(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not client.get(reverse("rumours:home")).context["user"].is_authenticated


def test_a_wrong_password_is_refused_with_a_message(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_password_change(fan_client, user):
    response = fan_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new secret 42",
            "new_password2": "a brand new secret 42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new secret 42")


def test_password_reset_by_email(client, user):
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "reset and rested 77", "new_password2": "reset and rested 77"}
    )
    user.refresh_from_db()
    assert user.check_password("reset and rested 77")
