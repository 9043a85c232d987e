"""Public pages of the site; addresses under coaches/, clubs/ and sources/ stay stable."""

from django.urls import path

from . import views

app_name = "rumours"

urlpatterns = [
    path("", views.home, name="home"),
    path("coaches/<slug:slug>/", views.coach_detail, name="coach-detail"),
    path("clubs/<slug:slug>/", views.club_detail, name="club-detail"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
]
