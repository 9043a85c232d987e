"""Top-level URLs: the site, accounts, language switching and the admin."""

from django.contrib import admin
from django.urls import include, path

from portal.views import healthz
from rumours import views

urlpatterns = [
    path("", include("rumours.urls")),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
