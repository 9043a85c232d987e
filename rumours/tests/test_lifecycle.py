"""The life of a rumour: appointments, exits, denials, expiry, reopening and moderators."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rumours import lifecycle, tasks
from rumours.models import Rumour, RumourStatusChange

from .factories import ClubFactory, CoachFactory, RumourFactory, SourceFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

OPEN, HAPPENED = Rumour.Status.OPEN, Rumour.Status.HAPPENED
DID_NOT_HAPPEN, EXPIRED = Rumour.Status.DID_NOT_HAPPEN, Rumour.Status.EXPIRED
APPOINTED = "The club has officially appointed him head coach on a two year contract"


def appoint(report, rumour, *, tier=1, confidence=0.9, days_ago=1, quote=APPOINTED, **more):
    return report(
        rumour, tier=tier, kind="confirmed", quote=quote, confidence=confidence,
        days_ago=days_ago, **more,
    )  # fmt: skip


def fresh(*rows):
    for row in rows:
        row.refresh_from_db()
    return rows


# ------------------------------------------------------------------ appointments


def test_an_official_appointment_makes_the_rumour_happen_and_moves_the_coach(report):
    coach = CoachFactory(current_club=ClubFactory())
    rumour = RumourFactory(coach=coach)
    report(rumour, tier=2, words="talks", days_ago=6)
    appoint(report, rumour)
    rumour.rescore()
    (coach,) = fresh(coach)
    assert (rumour.status, rumour.score, coach.current_club) == (HAPPENED, 100, rumour.club)
    assert rumour.appointed_at == rumour.evidence.get(kind="confirmed").article.published_at


def test_the_appointment_resolves_the_coachs_other_rumours_as_did_not_happen(report):
    coach = CoachFactory()
    target, elsewhere = RumourFactory(coach=coach), RumourFactory(coach=coach)
    report(elsewhere, tier=1, words="talks", days_ago=5)
    report(target, tier=2, words="talks", days_ago=5)
    appoint(report, target)
    target.rescore()
    (elsewhere,) = fresh(elsewhere)
    assert (elsewhere.status, elsewhere.score) == (DID_NOT_HAPPEN, 0)
    assert elsewhere.score_reasons[0].startswith(f"{coach} went to {target.club} instead")


def test_the_appointment_closes_other_coaches_rumours_for_that_bench(report):
    target = RumourFactory()
    rival = RumourFactory(club=target.club)
    report(rival, tier=1, words="talks", days_ago=4)
    appoint(report, target)
    target.rescore()
    assert fresh(rival)[0].status == DID_NOT_HAPPEN


def test_a_caretaker_appointment_leaves_other_coaches_rumours_open(report):
    target = RumourFactory()
    rival = RumourFactory(club=target.club)
    report(rival, tier=1, words="talks", days_ago=4)
    appoint(report, target, quote="He has been named interim head coach until the summer")
    target.rescore()
    assert (target.status, fresh(rival)[0].status) == (HAPPENED, OPEN)


def test_the_coach_leaves_the_club_an_open_exit_rumour_was_about(report):
    old_club = ClubFactory()
    coach = CoachFactory(current_club=old_club)
    leaving = RumourFactory(coach=coach, club=old_club, kind=Rumour.Kind.EXIT)
    report(leaving, tier=3, kind="exit", confidence=0.5, days_ago=3)
    target = RumourFactory(coach=coach)
    appoint(report, target)
    target.rescore()
    (leaving, old_club, coach) = fresh(leaving, old_club, coach)
    assert leaving.status == HAPPENED and coach.current_club == target.club
    assert old_club.bench_open_since == target.appointed_at


def test_one_tabloids_confirmation_is_not_official(report):
    rumour = RumourFactory()
    appoint(report, rumour, tier=4)
    rumour.rescore()
    assert rumour.status == OPEN and rumour.score < 100


def test_two_independent_confirmations_are_official(report):
    rumour = RumourFactory()
    appoint(report, rumour, tier=4, days_ago=2)
    appoint(report, rumour, tier=4, quote="Unveiled as the new boss this afternoon at the ground")
    rumour.rescore()
    assert rumour.status == HAPPENED


def test_old_news_of_an_appointment_does_not_undo_a_later_move(report):
    later_club = ClubFactory()
    coach = CoachFactory(current_club=later_club)
    RumourFactory(coach=coach, club=later_club, appointed_at=timezone.now() - timedelta(days=30))
    backfilled = RumourFactory(coach=coach)
    appoint(report, backfilled, days_ago=400)
    backfilled.rescore()
    (coach,) = fresh(coach)
    assert backfilled.status == HAPPENED and coach.current_club == later_club


# ------------------------------------------------------------------ exits and denials


def test_an_exit_frees_the_coach_and_opens_the_bench(report):
    club = ClubFactory()
    coach = CoachFactory(current_club=club)
    rumour = RumourFactory(coach=coach, club=club)
    report(rumour, tier=1, kind="exit", quote="He has been sacked this morning", confidence=0.9)
    rumour.rescore()
    (coach, club) = fresh(coach, club)
    assert rumour.status == HAPPENED
    assert coach.current_club is None
    assert club.bench_open_since == rumour.exited_at


def test_an_exit_from_another_club_leaves_the_coach_where_he_is(report):
    club = ClubFactory()
    coach = CoachFactory(current_club=club)
    rumour = RumourFactory(coach=coach)
    report(rumour, tier=1, kind="exit", quote="He left that club years ago", confidence=0.9)
    rumour.rescore()
    assert fresh(coach)[0].current_club == club


def test_a_firm_denial_after_the_last_report_closes_a_weak_rumour(report):
    rumour = RumourFactory()
    report(rumour, tier=3, days_ago=5)
    report(rumour, tier=1, kind="denial", confidence=0.9, days_ago=1)
    rumour.rescore()
    assert (rumour.status, rumour.score) == (DID_NOT_HAPPEN, 0)
    assert rumour.score_reasons[0].startswith("denied by")


def test_a_denial_does_not_close_a_well_supported_rumour(report):
    rumour = RumourFactory()
    for tier in (1, 1, 2):
        report(rumour, tier=tier, words="agreement reached", days_ago=3)
    report(rumour, tier=2, kind="denial", confidence=0.9, days_ago=1)
    rumour.rescore()
    assert rumour.status == OPEN


def test_a_denied_rumour_reopens_when_a_new_report_comes(report):
    rumour = RumourFactory()
    report(rumour, tier=3, days_ago=5)
    report(rumour, tier=1, kind="denial", confidence=0.9, days_ago=3)
    rumour.rescore()
    report(rumour, tier=1, words="talks resumed", days_ago=1)
    rumour.rescore()
    assert rumour.status == OPEN
    assert list(rumour.status_changes.values_list("status", flat=True)) == [DID_NOT_HAPPEN, OPEN]


# ------------------------------------------------------------------ time


def test_a_rumour_with_no_news_for_the_expiry_time_expires(report, settings):
    settings.BENCHWATCH_RUMOUR_EXPIRY_DAYS = 60
    stale, alive = RumourFactory(), RumourFactory()
    report(stale, days_ago=61)
    report(alive, days_ago=59)
    Rumour.objects.filter(pk__in=[stale.pk, alive.pk]).rescore()
    (stale, alive) = fresh(stale, alive)
    assert (stale.status, alive.status) == (EXPIRED, OPEN)
    assert stale.status_changed_at == stale.last_seen_at + timedelta(days=60)
    assert stale.score_reasons[0] == "expired: no news for 60 days"


def test_the_expiry_time_is_a_setting(report, settings):
    settings.BENCHWATCH_RUMOUR_EXPIRY_DAYS = 10
    rumour = RumourFactory()
    report(rumour, days_ago=11)
    rumour.rescore()
    assert rumour.status == EXPIRED


def test_an_expired_rumour_reopens_on_new_news(report):
    rumour = RumourFactory()
    report(rumour, days_ago=90)
    rumour.rescore()
    report(rumour, words="talks", days_ago=1)
    rumour.rescore()
    assert rumour.status == OPEN


def test_the_hourly_sweep_expires_stale_rumours(report):
    rumour = RumourFactory()
    report(rumour, days_ago=100)
    tasks.sweep_rumours()
    assert fresh(rumour)[0].status == EXPIRED


def test_a_rumour_that_expired_after_the_appointment_in_news_time_did_not_happen(report):
    coach = CoachFactory()
    elsewhere = RumourFactory(coach=coach)
    report(elsewhere, days_ago=100)
    elsewhere.rescore()  # Expired on day -40, in a backlog read late.
    target = RumourFactory(coach=coach)
    appoint(report, target, days_ago=70)
    target.rescore()
    assert fresh(elsewhere)[0].status == DID_NOT_HAPPEN


# ------------------------------------------------------------------ once only


def test_each_transition_happens_once(report):
    coach = CoachFactory()
    target, elsewhere = RumourFactory(coach=coach), RumourFactory(coach=coach)
    report(elsewhere, days_ago=3)
    appoint(report, target)
    for _ in range(3):
        tasks.rescore_rumour(target.pk)
        tasks.rescore_rumour(elsewhere.pk)
    assert RumourStatusChange.objects.filter(rumour__coach=coach).count() == 2


def test_a_status_change_from_a_stale_copy_is_refused():
    rumour = RumourFactory()
    stale = Rumour.objects.get(pk=rumour.pk)
    assert rumour.change_status(EXPIRED, "quiet")
    assert not stale.change_status(DID_NOT_HAPPEN, "too late")
    assert stale.status == EXPIRED


# ------------------------------------------------------------------ moderators


def test_a_moderators_reopening_holds_against_the_evidence_already_seen(report):
    rumour = RumourFactory()
    appoint(report, rumour, days_ago=2)
    rumour.rescore()
    lifecycle.moderate(Rumour.objects.filter(pk=rumour.pk), OPEN, "Wrong club: misread")
    rumour.rescore()
    assert rumour.status == OPEN
    appoint(report, rumour, days_ago=0.5, quote="Now it is official: he signed this afternoon")
    rumour.rescore()
    assert rumour.status == HAPPENED


def admin_post(client, action, rumour, reason):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:rumours_rumour_changelist")
    data = {"action": action, "_selected_action": [rumour.pk], "reason": reason, "index": 0}
    return client.post(url, data)


def test_moderators_resolve_a_rumour_in_the_admin_with_a_reason(
    client, report, django_capture_on_commit_callbacks
):
    rumour = RumourFactory()
    report(rumour, source=SourceFactory(tier=2), words="talks")
    with django_capture_on_commit_callbacks(execute=True):
        admin_post(client, "resolve_as_did_not_happen", rumour, "He signed a renewal")
    change = rumour.status_changes.get()
    assert (change.status, change.reason, change.changed_by.is_staff) == (
        DID_NOT_HAPPEN,
        "He signed a renewal",
        True,
    )
    assert fresh(rumour)[0].score == 0


def test_resolving_as_happened_in_the_admin_moves_the_coach(client, report):
    coach = CoachFactory()
    rumour = RumourFactory(coach=coach)
    report(rumour, words="talks")
    admin_post(client, "resolve_as_happened", rumour, "Club statement on its website")
    (rumour, coach) = fresh(rumour, coach)
    assert rumour.status == HAPPENED and coach.current_club == rumour.club


def test_the_admin_refuses_to_resolve_without_a_reason(client):
    rumour = RumourFactory()
    admin_post(client, "resolve_as_happened", rumour, "  ")
    assert fresh(rumour)[0].status == OPEN


def test_moderators_reopen_a_rumour_in_the_admin(client):
    rumour = RumourFactory()
    rumour.change_status(DID_NOT_HAPPEN, "automatic")
    admin_post(client, "reopen", rumour, "The talks were real")
    assert fresh(rumour)[0].status == OPEN


def test_the_admin_shows_a_rumours_score_and_reasons(client, report):
    rumour = RumourFactory()
    report(rumour, tier=1, words="talks")
    rumour.rescore()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:rumours_rumour_change", args=[rumour.pk]))
    assert page.status_code == 200
    assert "1 tier-1 outlet; talks reported" in page.content.decode()
