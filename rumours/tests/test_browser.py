"""The site in a real browser: sign up, log in, vote, follow, search, switch language, alerts.

Runs Debian's Chromium against pytest-django's live server. The tests are
transactional (the server thread must see their rows), so each one builds
its own data with factories; the database is flushed after each.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from rumours import tasks, views
from rumours.ingest import http
from rumours.models import Alias, Club, Coach, Follow, Rumour, RumourEvent, Source, User, Vote

from .browser import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    launch_chromium,
    log_in,
    mark_window,
    open_page,
    screenshot,
    window_was_not_reloaded,
)
from .factories import (
    AliasFactory,
    ArticleFactory,
    ClubFactory,
    CoachFactory,
    EvidenceFactory,
    RumourFactory,
    SourceFactory,
    UserFactory,
    VoteFactory,
)
from .servers import QuietHandler, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make test)"),
]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def chromium():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(autouse=True)
def own_world(transactional_db):
    """Start from an empty domain: the first transactional test still sees the gazetteer
    loaded for the rest of the suite, whose names and slugs would clash with these."""
    for model in (Alias, Coach, Club, Source):
        model.objects.all().delete()


@pytest.fixture
def fetching_locally(settings):
    """Let the crawler read pages served on 127.0.0.1, at once."""
    settings.BENCHWATCH_ALLOW_PRIVATE_FETCH = True
    settings.BENCHWATCH_HOST_INTERVAL = 0
    cache.clear()
    http.use_client(None)


@pytest.fixture
def page(chromium, live_server):
    with open_page(chromium, live_server.url) as page:
        yield page


def a_board():
    """A coach linked to two clubs, one a rumour with two articles, one confirmed."""
    coach = CoachFactory(full_name="José Mourinho", slug="jose-mourinho")
    AliasFactory(coach=coach, text="José Mourinho")
    AliasFactory(coach=coach, text="the Special One", kind="nickname")
    rumour = RumourFactory(coach=coach, club=ClubFactory(short_name="Roma"), kind="rumour")
    EvidenceFactory(rumour=rumour, quote="Mourinho è in pole per la panchina della Roma.")
    EvidenceFactory(rumour=rumour, quote="Talks are at an advanced stage.")
    confirmed = RumourFactory(coach=coach, club=ClubFactory(short_name="Benfica"))
    EvidenceFactory(rumour=confirmed, kind="confirmed", quote="Official: he signed until 2027.")
    confirmed.kind = "confirmed"
    confirmed.save()
    return coach, rumour


def test_a_fan_signs_up_logs_out_and_logs_in_again(page):
    page.goto("/accounts/signup/")
    page.fill("#id_username", "curvasud")
    page.fill("#id_email", "curvasud@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account .who")).to_contain_text("curvasud")
    assert User.objects.filter(username="curvasud").exists()

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").click()
    page.fill("#id_username", "curvasud")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account .who")).to_contain_text("curvasud")


def test_a_fan_votes_and_changes_the_vote_without_a_reload(page, live_server):
    coach, rumour = a_board()
    VoteFactory(rumour=rumour, value=Vote.Value.UNRELIABLE)
    user = UserFactory()
    log_in(page, live_server.url, user)
    page.goto(coach.get_absolute_url())
    mark_window(page)
    widget = page.locator(f"#vote-{rumour.pk}")
    reliable = page.locator(f"#vote-{rumour.pk}-reliable")
    unreliable = page.locator(f"#vote-{rumour.pk}-unreliable")

    reliable.click()
    expect(widget.locator("[data-count=reliable]")).to_have_text("1")
    expect(reliable).to_have_attribute("aria-pressed", "true")
    assert Vote.objects.get(rumour=rumour, user=user).value == "reliable"

    unreliable.click()
    expect(widget.locator("[data-count=unreliable]")).to_have_text("2")
    expect(widget.locator("[data-count=reliable]")).to_have_text("0")
    expect(unreliable).to_have_attribute("aria-pressed", "true")
    expect(reliable).to_have_attribute("aria-pressed", "false")
    assert Vote.objects.get(rumour=rumour, user=user).value == "unreliable"

    page.locator(f"#vote-{rumour.pk}-withdraw").click()
    expect(widget.locator("[data-count=unreliable]")).to_have_text("1")
    assert not Vote.objects.filter(rumour=rumour, user=user).exists()
    assert window_was_not_reloaded(page)


def test_a_refused_vote_says_why_in_the_page(page, live_server):
    coach, rumour = a_board()
    user = UserFactory()
    log_in(page, live_server.url, user)
    page.goto(coach.get_absolute_url())
    alert = page.get_by_role("alert")
    expect(alert).to_be_hidden()
    # The session goes on, but the form's token no longer matches a cookie
    # (as after logging out and in again in another tab).
    page.context.clear_cookies(name="csrftoken")

    page.locator(f"#vote-{rumour.pk}-reliable").click()

    expect(alert).to_contain_text("This page has expired. Reload it and try again.")
    assert not Vote.objects.filter(rumour=rumour).exists()
    alert.get_by_role("button", name="Dismiss").click()
    expect(alert).to_be_hidden()


def test_a_visitor_who_votes_logs_in_and_lands_back_on_the_board(page, live_server):
    coach, rumour = a_board()
    user = UserFactory()
    page.goto(coach.get_absolute_url())
    page.locator(f"#vote-{rumour.pk}-reliable").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{coach.get_absolute_url()}**")
    expect(page.locator(f"#vote-{rumour.pk}")).to_be_visible()


def test_a_fan_follows_the_coach_without_a_reload(page, live_server):
    coach, _ = a_board()
    user = UserFactory()
    log_in(page, live_server.url, user)
    page.goto(coach.get_absolute_url())
    mark_window(page)
    form = page.locator(f"#follow-coach-{coach.pk}")
    form.get_by_role("button", name="Follow").click()
    expect(form.locator(".follow-state")).to_contain_text("You follow this coach")
    expect(form.locator(".followers")).to_have_text("1 follower")
    assert Follow.objects.filter(user=user, coach=coach).exists()

    form.get_by_role("button", name="Unfollow").click()
    expect(form.locator(".followers")).to_have_text("0 followers")
    assert not Follow.objects.filter(user=user, coach=coach).exists()
    assert window_was_not_reloaded(page)


NEWS_PAGE = """<!doctype html><html lang="it"><head><meta charset="utf-8">
<title>Napoli, contatti con Mourinho per la panchina</title>
<meta property="article:published_time" content="{published}"></head>
<body><article><h1>Napoli, contatti con Mourinho per la panchina</h1>
<p>Il Napoli ha avviato i contatti con José Mourinho per la panchina della prossima
stagione. Secondo quanto riportato da Sky Sport, il tecnico portoghese è il primo nome
sulla lista del presidente, che vuole chiudere entro la fine del mese.</p>
<p>Mourinho sarebbe disposto ad ascoltare la proposta del Napoli: nei prossimi giorni
è atteso un nuovo incontro tra le parti per parlare del contratto.</p>
<p>In città l'idea piace: i tifosi ricordano le sue vittorie in Europa e chiedono una
squadra capace di tornare subito a lottare per lo scudetto. La società, per ora, non
commenta e lascia lavorare il direttore sportivo.</p>
</article></body></html>
"""


def test_a_fan_hears_about_news_on_a_followed_coach_without_a_reload(
    page, live_server, in_process_tasks, fetching_locally, tmp_path
):
    coach, _ = a_board()
    user = UserFactory()
    log_in(page, live_server.url, user)
    page.goto(coach.get_absolute_url())
    mark_window(page)
    bell = page.locator("#alert-bell")
    expect(bell).to_have_attribute("aria-label", "Alerts, 0 unread")
    expect(bell.locator(".bell-count")).to_be_hidden()
    follow = page.locator(f"#follow-coach-{coach.pk}")
    follow.get_by_role("button", name="Follow").click()
    expect(follow.locator(".follow-state")).to_contain_text("You follow this coach")

    # An article about him, read the way a worker reads one: fetched over
    # HTTP, stored, extracted, scored; the first score announces a new rumour.
    napoli = ClubFactory(short_name="Napoli", name="Società Sportiva Calcio Napoli")
    AliasFactory(coach=None, club=napoli, text="Napoli")
    published = (timezone.now() - timedelta(hours=2)).isoformat()
    page_html = NEWS_PAGE.replace("{published}", published)
    (tmp_path / "napoli-mourinho.html").write_text(page_html, encoding="utf-8")
    source = SourceFactory(name="Sky Sport Italia", tier=1, language="it")
    with serve(QuietHandler, directory=str(tmp_path)) as (base, _):
        tasks.fetch_article(source.pk, f"{base}/napoli-mourinho.html")
    rumour = Rumour.objects.get(coach=coach, club=napoli)
    assert RumourEvent.objects.filter(rumour=rumour, kind=RumourEvent.Kind.NEW).exists()

    expect(bell.locator(".bell-count")).to_have_text("1", timeout=15_000)
    expect(bell).to_have_attribute("aria-label", "Alerts, 1 unread")
    assert window_was_not_reloaded(page)
    screenshot(page, "alerts-bell-board", full_page=False)

    bell.click()
    page.wait_for_url("**/alerts/")
    item = page.locator(".notification.is-unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("New rumour: José Mourinho linked with Napoli")
    screenshot(page, "alerts-page-unread")
    mark_window(page)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".notification.is-unread")).to_have_count(0)
    expect(page.locator(".notification")).to_have_count(1)
    expect(page.locator("#alert-bell .bell-count")).to_be_hidden()
    expect(page.locator("#alert-bell")).to_have_attribute("aria-label", "Alerts, 0 unread")
    assert window_was_not_reloaded(page)
    assert not user.notifications.unread().exists()
    screenshot(page, "alerts-page-read")

    page.locator(".notification-link").click()
    page.wait_for_url(f"**{coach.get_absolute_url()}#rumour-{rumour.pk}")
    expect(page.locator(f"#rumour-{rumour.pk}")).to_be_visible()


def record_news(rumour, quote):
    """Store an article's evidence as extraction does (which also refreshes cached pages)."""
    Rumour.objects.record_evidence(
        coach=rumour.coach,
        club=rumour.club,
        article=ArticleFactory(),
        kind="rumour",
        quote=quote,
        confidence=0.8,
    )


def test_new_evidence_appears_on_an_open_board(page, monkeypatch):
    monkeypatch.setattr(views, "BOARD_REFRESH_SECONDS", 1)
    coach, rumour = a_board()
    page.goto(coach.get_absolute_url())
    mark_window(page)
    record_news(rumour, "Fumata bianca: accordo raggiunto.")
    expect(page.get_by_text("Fumata bianca: accordo raggiunto.")).to_be_visible()
    assert window_was_not_reloaded(page)


def set_hidden(page, hidden):
    """Pretend the tab was hidden or shown again, as switching tabs does."""
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_hidden_board_does_not_poll_and_catches_up_when_shown(page, monkeypatch):
    monkeypatch.setattr(views, "BOARD_REFRESH_SECONDS", 1)
    coach, rumour = a_board()
    page.goto(coach.get_absolute_url())
    mark_window(page)
    board_requests = []
    page.on(
        "request",
        lambda request: (
            board_requests.append(request.url) if request.headers.get("hx-request") else None
        ),
    )
    set_hidden(page, True)
    record_news(rumour, "Arrived while nobody looked.")
    page.wait_for_timeout(2500)
    assert board_requests == []
    expect(page.get_by_text("Arrived while nobody looked.")).to_have_count(0)
    set_hidden(page, False)
    expect(page.get_by_text("Arrived while nobody looked.")).to_be_visible(timeout=1500)
    assert window_was_not_reloaded(page)


def test_a_visitor_pages_through_a_long_board_and_back(page):
    coach = CoachFactory(full_name="Paged Coach")
    now = timezone.now()
    for n in range(views.CARDS_PER_PAGE + 3):
        rumour = RumourFactory(
            coach=coach,
            club=ClubFactory(short_name=f"Paged {n:02}"),
            last_seen_at=now - timedelta(days=n),
        )
        EvidenceFactory(rumour=rumour)
    page.goto(coach.get_absolute_url())
    mark_window(page)
    cards = page.locator("#rumour-board .rumour")
    expect(cards).to_have_count(views.CARDS_PER_PAGE)
    page.get_by_role("link", name="Older").click()
    page.wait_for_url("**?page=2#rumour-board")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text(f"Paged {views.CARDS_PER_PAGE:02}")
    board = page.locator("#rumour-board")
    expect(board).to_have_attribute("hx-get", f"{coach.get_absolute_url()}?page=2")
    assert window_was_not_reloaded(page)
    page.get_by_role("link", name="Newer").click()
    expect(cards).to_have_count(views.CARDS_PER_PAGE)
    expect(cards.first).to_contain_text("Paged 00")


def test_a_visitor_who_follows_logs_in_and_lands_back_on_the_board(page):
    coach, _ = a_board()
    user = UserFactory()
    page.goto(coach.get_absolute_url())
    page.locator(f"#follow-coach-{coach.pk}").get_by_role("button", name="Follow").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{coach.get_absolute_url()}")
    expect(page.locator(f"#follow-coach-{coach.pk}")).to_have_attribute("method", "post")


def test_searching_as_you_type_lands_on_the_right_page(page):
    coach, _ = a_board()
    CoachFactory(full_name="Mourad Distractor")
    page.goto("/")
    mark_window(page)
    page.locator("#site-search-q").press_sequentially("mourinhò", delay=40)
    hit = page.locator("#site-search-results .search-hit", has_text="José Mourinho")
    expect(hit).to_be_visible()
    assert window_was_not_reloaded(page)
    hit.click()
    page.wait_for_url(f"**{coach.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("José Mourinho")


def test_the_search_page_updates_its_results_and_address_as_you_type(page):
    a_board()
    page.goto("/search/")
    mark_window(page)
    page.locator("#search-q").press_sequentially("special", delay=40)
    expect(page.locator("#search-results .search-hit")).to_contain_text("José Mourinho")
    page.wait_for_url("**/search/?q=special")
    assert window_was_not_reloaded(page)


def test_switching_to_italian_translates_the_page(page):
    a_board()
    page.goto("/")
    page.select_option("#language", "it")
    page.locator(".language button").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("h1")).to_have_text("Chi allenerà chi")
    page.goto("/coaches/jose-mourinho/")
    expect(page.get_by_role("heading", name="Bacheca delle voci")).to_be_visible()


def rich_data():
    """Enough news, stored the way extraction stores it, for every kind of card to show."""
    outlets = [
        SourceFactory(name=name, tier=tier)
        for name, tier in [("Sky Sport Italia", 1), ("Corriere dello Sport", 2), ("Marca", 3)]
    ]
    now = timezone.now()
    news = [
        (
            "José Mourinho",
            "Roma",
            "rumour",
            (3, 9, 17, 30, 44, 58),
            "Mourinho resta in pole per la panchina giallorossa: contatti avviati con l'entourage.",
        ),
        ("José Mourinho", "Benfica", "confirmed", (80, 75), "Official: Mourinho signs until 2027."),
        ("José Mourinho", "Fenerbahçe", "exit", (90,), "He was sacked after the defeat."),
        ("José Mourinho", "Juventus", "denial", (20,), "«Nessun contatto con la Juve», dice."),
        ("Igor Tudor", "Juventus", "rumour", (1, 2, 4), "Tudor in pole per la Juventus."),
        ("Thiago Motta", "Juventus", "exit", (5, 6), "Motta esonerato: è ufficiale."),
        ("Xabi Alonso", "Real Madrid", "confirmed", (12, 14), "Xabi Alonso, nuevo entrenador."),
    ]
    coaches, clubs = {}, {}
    for coach_name, club_name, kind, days, quote in news:
        if coach_name not in coaches:
            coaches[coach_name] = CoachFactory(full_name=coach_name)
            AliasFactory(coach=coaches[coach_name], text=coach_name)
        club = clubs.get(club_name) or clubs.setdefault(
            club_name, ClubFactory(short_name=club_name)
        )
        for day in days:
            article = ArticleFactory(
                source=outlets[day % 3],
                title=f"{coach_name} e {club_name}: le ultime ({day} giorni fa)",
                published_at=now - timedelta(days=day, hours=3),
            )
            Rumour.objects.record_evidence(
                coach=coaches[coach_name],
                club=club,
                article=article,
                kind=kind,
                quote=quote,
                confidence=0.8,
            )
    roma = Rumour.objects.get(club=clubs["Roma"])
    VoteFactory.create_batch(3, rumour=roma)
    VoteFactory(rumour=roma, value=Vote.Value.UNRELIABLE)
    return coaches["José Mourinho"]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_screenshots_of_home_board_and_search(chromium, live_server, width):
    coach = rich_data()
    with open_page(chromium, live_server.url, width=width) as page:
        page.goto("/")
        screenshot(page, f"home-{width}")
        page.goto(coach.get_absolute_url())
        expect(page.locator(".chart").first).to_be_attached()
        screenshot(page, f"coach-board-{width}")
        page.goto("/search/")
        page.locator("#search-q").press_sequentially("mou", delay=20)
        expect(page.locator("#search-results .search-hit").first).to_be_visible()
        screenshot(page, f"search-{width}")
        page.goto("/")
        page.locator("#site-search-q").press_sequentially("mou", delay=20)
        expect(page.locator("#site-search-results .search-hit").first).to_be_visible()
        screenshot(page, f"search-popup-{width}", full_page=False)


# --- The Content-Security-Policy ------------------------------------------------
# Chromium reports each thing the policy blocks (an inline style or script,
# an eval) as a console error naming the Content Security Policy; an eval
# htmx tried would also throw. These tests collect both while a visitor and a
# fan use the site, and a moderator the admin, and expect none.

HOSTILE_QUOTE = '<script>alert(1)</script>" onmouseover="alert(2)'
# The bar is drawn in 5% steps: a score sits at most 2.5 points from its step.
BAR_TOLERANCE = 0.03


@pytest.fixture
def refusals(page) -> list[str]:
    """Collect what the page's policy refused, and any script error, as they happen."""
    found: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"script error: {error}"))
    page.on("dialog", lambda dialog: found.append(f"dialog opened: {dialog.message}"))
    return found


def scored_board():
    """A coach linked to four clubs: three scored (one per band) and one not scored yet."""
    coach = CoachFactory(full_name="Ottavio Barra", slug="ottavio-barra")
    AliasFactory(coach=coach, text="Ottavio Barra")
    scores = {}
    for name, score in [("Likely FC", 72), ("Possible FC", 45), ("Unlikely FC", 12)]:
        rumour = RumourFactory(coach=coach, club=ClubFactory(short_name=name))
        EvidenceFactory(rumour=rumour, quote=HOSTILE_QUOTE)
        Rumour.objects.filter(pk=rumour.pk).update(score=score, score_reasons=["Two outlets"])
        scores[rumour.pk] = score
    unscored = RumourFactory(coach=coach, club=ClubFactory(short_name="Unscored FC"))
    for outlet in SourceFactory.create_batch(2):
        EvidenceFactory(rumour=unscored, article=ArticleFactory(source=outlet))
    scores[unscored.pk] = 40  # Coverage: 20 for each of the two outlets.
    return coach, scores


def bar_ratio(page, rumour_id: int) -> float:
    bar = page.locator(f"#score-{rumour_id} .bar")
    return bar.locator("span").bounding_box()["width"] / bar.bounding_box()["width"]


def test_a_fan_uses_the_site_and_the_policy_refuses_nothing(page, live_server, refusals):
    coach, scores = scored_board()
    log_in(page, live_server.url, UserFactory())
    page.goto("/")
    page.goto(coach.get_absolute_url())

    for rumour_id, score in scores.items():
        assert bar_ratio(page, rumour_id) == pytest.approx(score / 100, abs=BAR_TOLERANCE)
    expect(page.get_by_text(HOSTILE_QUOTE).first).to_be_visible()
    screenshot(page, "csp-coach-board")

    voted = next(iter(scores))
    page.locator(f"#vote-{voted}-reliable").click()
    expect(page.locator(f"#vote-{voted} [data-count=reliable]")).to_have_text("1")

    page.locator("#site-search-q").press_sequentially("ottavio", delay=40)
    expect(
        page.locator("#site-search-results .search-hit", has_text="Ottavio Barra")
    ).to_be_visible()
    assert refusals == []


def test_a_visitor_pages_through_a_board_and_the_policy_refuses_nothing(page, refusals):
    coach, _ = scored_board()
    for number in range(views.CARDS_PER_PAGE):
        EvidenceFactory(rumour__coach=coach, rumour__club=ClubFactory(short_name=f"Paged {number}"))
    page.goto(coach.get_absolute_url())
    page.get_by_role("link", name="Older").click()
    page.wait_for_url("**?page=2#rumour-board")
    expect(page.locator("#rumour-board .rumour")).to_have_count(4)
    page.get_by_role("link", name="Newer").click()
    expect(page.locator("#rumour-board .rumour")).to_have_count(views.CARDS_PER_PAGE)
    assert refusals == []


def test_a_moderator_uses_the_admin_and_the_policy_refuses_nothing(page, refusals):
    coach, scores = scored_board()
    UserFactory(username="moderator", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", "moderator")
    page.fill("#id_password", "correct horse battery staple")
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("moderator")

    page.goto("/admin/rumours/rumour/?kind__exact=rumour")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("4 of 4")

    page.goto(f"/admin/rumours/rumour/{next(iter(scores))}/change/")
    page.locator(".field-club .select2-selection").click()
    expect(page.locator(".select2-results__option", has_text="Possible FC")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(f"/admin/rumours/coach/{coach.pk}/change/")
    expect(page.locator("#id_slug")).to_have_value("ottavio-barra")
    page.goto("/admin/rumours/coach/add/")
    page.locator("#id_full_name").press_sequentially("Nuovo Mister")
    expect(page.locator("#id_slug")).to_have_value("nuovo-mister")

    article = ArticleFactory()
    page.goto(f"/admin/rumours/article/{article.pk}/change/")
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    page.locator(".datetimeshortcuts .date-icon").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    assert refusals == []
