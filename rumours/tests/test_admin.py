"""Moderators can list and search every model in the admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import EvidenceFactory, FollowFactory, NotificationFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model.__name__)
def test_every_model_has_a_searchable_admin_list(client, model):
    EvidenceFactory()
    VoteFactory()
    FollowFactory()
    NotificationFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "mourinho"}).status_code == 200
