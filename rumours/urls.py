"""Public pages of the site; addresses under coaches/, clubs/ and sources/ stay stable.

Other tools link to /coaches/<slug>/, /clubs/<slug>/, /sources/<slug>/,
/search/?q=... and the Atom feeds under each coach and club. Alert emails
link to alerts/, alerts/settings/ and alerts/unsubscribe/<token>/, and feed
readers hold alerts/feed/<token>/: those stay stable too.
"""

from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .feeds import ClubFeed, CoachFeed, PersonalFeed

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
    path("language/", views.switch_language, name="language"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    path("alerts/", views.notifications, name="notifications"),
    path("alerts/bell/", views.notification_bell, name="notification-bell"),
    path("alerts/read/", views.mark_notifications_read, name="notifications-read"),
    path("alerts/<int:pk>/", views.open_notification, name="notification-open"),
    path("alerts/<int:pk>/read/", views.mark_notification_read, name="notification-read"),
    path("alerts/settings/", views.alert_settings, name="alert-settings"),
    path("alerts/settings/feed/", views.regenerate_feed, name="alert-feed-regenerate"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Feed tokens are token_urlsafe, all slug characters: anything else (a NUL
    # byte, which PostgreSQL refuses in a query) is a 404 without a query.
    path("alerts/feed/<slug:token>/", require_safe(PersonalFeed()), name="personal-feed"),
]
