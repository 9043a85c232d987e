"""Top-level URLs: the site, accounts, language switching and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal.views import healthz
from rumours import throttling, views

# Django's own account pages, with rate limits on the forms worth hammering:
# the login (password guessing) and the password reset (each POST may mail).
password_reset = throttling.limit(
    throttling.PASSWORD_RESETS_PER_IP, throttling.PASSWORD_RESETS_PER_EMAIL, methods=["POST"]
)(auth_views.PasswordResetView.as_view())
admin_login = throttling.limit(throttling.LOGINS_PER_IP, methods=["POST"])(admin.site.login)

urlpatterns = [
    path("", include("rumours.urls")),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/login/", admin_login),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
