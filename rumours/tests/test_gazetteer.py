"""The bundled gazetteer loads completely, once, and bad files fail clearly."""

import json

import pytest
from django.core.management import call_command

from rumours.extract.normalize import fold
from rumours.gazetteer.loading import GazetteerError, load_gazetteer, parse_partial_date
from rumours.models import Alias, Club, Coach, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(gazetteer):
    return load_gazetteer()


def club_named(alias):
    return Alias.objects.get(folded=fold(alias), club__isnull=False).club


def coach_named(alias):
    return Alias.objects.get(folded=fold(alias), coach__isnull=False).coach


def test_the_gazetteer_covers_the_leagues_and_coaches_the_site_needs(loaded):
    assert loaded.totals["clubs"] >= 200
    assert loaded.totals["coaches"] >= 300
    leagues = set(Club.objects.values_list("league", flat=True))
    for league in (
        "Serie A",
        "Serie B",
        "Premier League",
        "Championship",
        "La Liga",
        "Bundesliga",
        "Ligue 1",
        "Primeira Liga",
        "Eredivisie",
        "Saudi Pro League",
    ):
        assert league in leagues
        assert Club.objects.filter(league=league).count() >= 18
    assert Club.objects.filter(is_national_team=True).count() >= 20


def test_every_club_a_coach_file_names_is_in_the_gazetteer(loaded):
    assert loaded.unresolved_clubs == []


def test_loading_twice_changes_nothing(loaded):
    second = load_gazetteer()
    assert not second.changed_anything
    assert second.totals == loaded.totals


def test_the_command_prints_its_counts():
    call_command("load_gazetteer", "--json", stdout=(out := __import__("io").StringIO()))
    counts = json.loads(out.getvalue())["totals"]
    assert counts["clubs"] == Club.objects.count() > 0


@pytest.mark.parametrize(
    "alias, club",
    [
        ("giallorossi", "Roma"),
        ("la Vecchia Signora", "Juventus"),
        ("the Red Devils", "Manchester United"),
        ("los blancos", "Real Madrid"),
        ("Bayern Monaco", "Bayern Munich"),
        ("Barça", "Barcelona"),
    ],
)
def test_clubs_are_known_by_their_nicknames_in_three_languages(loaded, alias, club):
    assert club_named(alias).short_name == club


@pytest.mark.parametrize(
    "alias, coach", [("Max", "Massimiliano Allegri"), ("Xavi", "Xavi"), ("Mou", "José Mourinho")]
)
def test_coaches_are_known_by_their_aliases(loaded, alias, coach):
    assert coach_named(alias).full_name.startswith(coach)


def test_free_agents_and_coaches_in_jobs_are_both_there(loaded):
    assert Coach.objects.filter(current_club__isnull=True).count() >= 10
    assert Coach.objects.filter(current_club__isnull=False).count() >= 150


def test_coaches_carry_their_recent_spells(loaded):
    spells = coach_named("Massimiliano Allegri").spells.select_related("club")
    assert "Juventus" in {spell.club.short_name for spell in spells}


def test_default_outlets_cover_three_languages_with_real_feeds(loaded):
    polled = Source.objects.exclude(feed_url="")
    assert polled.count() >= 12
    for language in ("it", "en", "es"):
        assert polled.filter(language=language).count() >= 3
    assert set(Source.objects.values_list("tier", flat=True)) <= {1, 2, 3, 4}


def test_a_plain_reload_keeps_a_moderators_edit(loaded):
    coach = coach_named("Massimiliano Allegri")
    coach.current_club = None
    coach.save()
    load_gazetteer()
    coach.refresh_from_db()
    assert coach.current_club is None


def test_update_mode_restores_the_files_facts(loaded):
    coach = coach_named("Massimiliano Allegri")
    original = coach.current_club
    coach.current_club = None
    coach.save()
    report = load_gazetteer(update=True)
    coach.refresh_from_db()
    assert coach.current_club == original
    assert report.updated["coaches"] >= 1


def write(directory, name, text):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_malformed_file_names_itself_and_loads_nothing(tmp_path):
    write(tmp_path, "clubs/good.yaml", "league: X\ncountry: IT\nclubs:\n  - {short_name: Alpha}\n")
    write(tmp_path, "clubs/zbad.yaml", "clubs: [unclosed\n")
    with pytest.raises(GazetteerError, match="zbad.yaml"):
        load_gazetteer(tmp_path)
    assert not Club.objects.filter(short_name="Alpha").exists()


def test_a_spell_with_a_bad_date_is_refused(tmp_path):
    write(tmp_path, "clubs/a.yaml", "league: X\ncountry: IT\nclubs:\n  - {short_name: Alpha}\n")
    write(
        tmp_path,
        "coaches/a.yaml",
        "coaches:\n  - {name: Ann Example, spells: [{club: Alpha, from: soon}]}\n",
    )
    with pytest.raises(GazetteerError, match="Ann Example"):
        load_gazetteer(tmp_path)


def test_an_unknown_club_is_reported_not_invented(tmp_path):
    write(tmp_path, "clubs/a.yaml", "league: X\ncountry: IT\nclubs:\n  - {short_name: Alpha}\n")
    write(tmp_path, "coaches/a.yaml", "coaches:\n  - {name: Ann Example, current_club: Omega}\n")
    report = load_gazetteer(tmp_path)
    assert report.unresolved_clubs == ["a.yaml: Ann Example: Omega"]
    assert not Club.objects.filter(short_name="Omega").exists()


@pytest.mark.parametrize(
    "value, end, expected",
    [
        ("2024", False, "2024-01-01"),
        ("2024", True, "2024-12-31"),
        ("2024-02", True, "2024-02-29"),
        ("2024-05-17", False, "2024-05-17"),
        (None, False, None),
    ],
)
def test_partial_dates(value, end, expected):
    result = parse_partial_date(value, end=end)
    assert (result.isoformat() if result else None) == expected
