"""Forms for the fan-facing pages: sign up, search, vote and follow.

Votes and follows post the state the fan wants ("reliable", "follow"), never
"toggle", so a double click or a replayed request changes nothing.
"""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .extract.normalize import fold
from .models import SEARCH_MIN_LENGTH, User, Vote


class SignupForm(UserCreationForm):
    """Sign up with a username, an email address (for alerts and resets) and a password."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class SearchForm(forms.Form):
    """What a fan types in the search box; long or binary input is an error, not a crash."""

    MAX_LENGTH = 100

    q = forms.CharField(label=_("Search coaches and clubs"), max_length=MAX_LENGTH, required=False)

    @property
    def is_too_short(self) -> bool:
        """Whether the query was typed but is too short to look up (one letter)."""
        query = fold(self.cleaned_data.get("q", "")) if self.is_valid() else ""
        return 0 < len(query) < SEARCH_MIN_LENGTH


class VoteForm(forms.Form):
    """The verdict a fan wants to hold on a rumour: reliable, not reliable, or none."""

    WITHDRAW = "withdraw"

    value = forms.ChoiceField(choices=[*Vote.Value.choices, (WITHDRAW, _("withdraw my vote"))])

    @property
    def is_withdrawal(self) -> bool:
        return self.cleaned_data["value"] == self.WITHDRAW


class FollowForm(forms.Form):
    """Whether a fan wants to follow (a coach, a club's bench) or not."""

    FOLLOW = "follow"
    UNFOLLOW = "unfollow"

    action = forms.ChoiceField(choices=[(FOLLOW, _("follow")), (UNFOLLOW, _("unfollow"))])

    @property
    def wants_to_follow(self) -> bool:
        return self.cleaned_data["action"] == self.FOLLOW
