"""Public pages of the site; addresses under coaches/, clubs/ and sources/ stay stable.

Other tools link to /coaches/<slug>/, /clubs/<slug>/, /sources/<slug>/,
/search/?q=... and the Atom feeds under each coach and club.
"""

from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .feeds import ClubFeed, CoachFeed

app_name = "rumours"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("coaches/<slug:slug>/", views.coach_detail, name="coach-detail"),
    path("coaches/<slug:slug>/feed/", require_safe(CoachFeed()), name="coach-feed"),
    path("coaches/<slug:slug>/follow/", views.follow_coach, name="coach-follow"),
    path("clubs/<slug:slug>/", views.club_detail, name="club-detail"),
    path("clubs/<slug:slug>/feed/", require_safe(ClubFeed()), name="club-feed"),
    path("clubs/<slug:slug>/follow/", views.follow_club, name="club-follow"),
    path("rumours/<int:pk>/", views.rumour_detail, name="rumour-detail"),
    path("rumours/<int:pk>/vote/", views.vote, name="vote"),
    path("sources/", views.source_list, name="source-list"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
]
