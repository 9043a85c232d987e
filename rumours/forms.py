"""Forms for the fan-facing pages: sign up, search, vote, follow and alert settings.

Votes and follows post the state the fan wants ("reliable", "follow"), never
"toggle", so a double click or a replayed request changes nothing.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import throttling
from .extract.normalize import fold
from .models import SEARCH_MIN_LENGTH, User, Vote, known_time_zones


class SignupForm(UserCreationForm):
    """Sign up with a username, an email address (for alerts and resets) and a password."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class LoginForm(AuthenticationForm):
    """Django's login form; told to make the fan wait, it refuses without checking the password.

    wait_seconds comes from throttling.login_wait: while it holds, the right
    password is refused too, or the limit would only slow a guesser down.
    """

    def __init__(self, request=None, *args, wait_seconds: int = 0, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.wait_seconds = wait_seconds

    def clean(self):
        if self.wait_seconds:
            minutes = throttling.minutes_to_wait(self.wait_seconds)
            raise ValidationError(
                ngettext(
                    "Too many attempts. Try again in %(minutes)d minute.",
                    "Too many attempts. Try again in %(minutes)d minutes.",
                    minutes,
                ),
                code="too_many_attempts",
                params={"minutes": minutes},
            )
        return super().clean()


class SearchForm(forms.Form):
    """What a fan types in the search box; long or binary input is an error, not a crash."""

    MAX_LENGTH = 100

    q = forms.CharField(label=_("Search coaches and clubs"), max_length=MAX_LENGTH, required=False)

    @property
    def is_too_short(self) -> bool:
        """Whether the query was typed but is too short to look up (one letter)."""
        query = fold(self.cleaned_data.get("q", "")) if self.is_valid() else ""
        return 0 < len(query) < SEARCH_MIN_LENGTH


class OneButtonForm(forms.Form):
    """A form that one button posts: a field sent twice is refused, not read as its last value.

    Both verdicts at once (or follow and unfollow) is a forged or broken
    request, and guessing which one was meant would be wrong half the time.
    """

    def clean(self):
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        for name in self.fields:
            if getlist is not None and len(getlist(name)) > 1:
                self.add_error(name, _("Send one value, not several."))
        return cleaned


class VoteForm(OneButtonForm):
    """The verdict a fan wants to hold on a rumour: reliable, not reliable, or none."""

    WITHDRAW = "withdraw"

    value = forms.ChoiceField(choices=[*Vote.Value.choices, (WITHDRAW, _("withdraw my vote"))])

    @property
    def is_withdrawal(self) -> bool:
        return self.cleaned_data["value"] == self.WITHDRAW


class FollowForm(OneButtonForm):
    """Whether a fan wants to follow (a coach, a club's bench) or not."""

    FOLLOW = "follow"
    UNFOLLOW = "unfollow"

    action = forms.ChoiceField(choices=[(FOLLOW, _("follow")), (UNFOLLOW, _("unfollow"))])

    @property
    def wants_to_follow(self) -> bool:
        return self.cleaned_data["action"] == self.FOLLOW


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name, sorted, as choices (read when the form is built)."""
    return [(name, name.replace("_", " ")) for name in sorted(known_time_zones())]


DIGEST_HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class AlertSettingsForm(forms.ModelForm):
    """How a fan wants to hear about the coaches and benches followed.

    Quiet hours are both set or both empty. Turning email alerts off also
    drops the alert emails still waiting to go (see User.stop_email_alerts).
    """

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    digest_hour = forms.TypedChoiceField(
        label=_("Send the daily digest at"),
        choices=DIGEST_HOURS,
        coerce=int,
        help_text=_("In your time zone."),
    )

    class Meta:
        model = User
        fields = (
            "language",
            "time_zone",
            "site_alerts",
            "email_alerts",
            "digest_hour",
            "quiet_from",
            "quiet_until",
            "alert_threshold",
        )
        labels = {
            "language": _("Alert language"),
            "site_alerts": _("Show alerts on the site (the bell)"),
            "email_alerts": _("Email me"),
            "quiet_from": _("Quiet from"),
            "quiet_until": _("Quiet until"),
            "alert_threshold": _("Tell me when a rumour becomes"),
        }
        help_texts = {
            "language": _("For alert emails and your private feed."),
            "quiet_from": _("No email goes out between these times; it waits until they end."),
            "alert_threshold": _("A rumour's score going past this level is news."),
        }
        widgets = {
            "email_alerts": forms.RadioSelect,
            "alert_threshold": forms.RadioSelect,
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_from"), cleaned.get("quiet_until")
        if self.has_error("quiet_from") or self.has_error("quiet_until"):
            return cleaned
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Give quiet hours both a start and an end, or leave both empty."),
                code="half_quiet_hours",
            )
        if start is not None and start == end:
            raise forms.ValidationError(
                _("Quiet hours must start and end at different times."),
                code="empty_quiet_hours",
            )
        return cleaned

    @property
    def stops_email_alerts(self) -> bool:
        """Whether this change turns email alerts off (rather than leaving them off)."""
        return (
            "email_alerts" in self.changed_data
            and self.cleaned_data["email_alerts"] == User.EmailAlerts.OFF
        )

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit and self.stops_email_alerts:
            user.stop_email_alerts()
        return user
