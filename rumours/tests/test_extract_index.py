"""The name index follows the gazetteer: new names, approved candidates, deletions."""

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from rumours.extract import automaton as automaton_module
from rumours.extract import gazetteer_index
from rumours.extract.automaton import PhraseAutomaton, PhraseSets
from rumours.extract.gazetteer_index import VERSION_KEY, clear_index, get_index, surname_forms
from rumours.extract.links import find_links
from rumours.models import Alias, Coach, CoachCandidate

from .factories import ClubFactory, CoachFactory

pytestmark = pytest.mark.django_db

SACKING = "Il Vigevano ha esonerato {} dopo l'ennesima sconfitta."


@pytest.fixture(autouse=True)
def fresh_index():
    clear_index()
    yield
    clear_index()


@pytest.fixture
def vigevano():
    club = ClubFactory(short_name="Vigevano", name="Vigevano Calcio", slug="vigevano")
    Alias.objects.create(club=club, text="Vigevano")
    return club


def kinds_for(name: str) -> set[str]:
    return {link.kind for link in find_links(SACKING.format(name), language="it")}


def test_a_coach_in_the_gazetteer_is_linked(vigevano):
    CoachFactory(full_name="Aldo Bianchetti", slug="aldo-bianchetti")
    assert kinds_for("Aldo Bianchetti") == {"exit"}


def test_a_new_alias_is_matched_as_soon_as_it_is_saved(vigevano):
    coach = CoachFactory(full_name="Aldo Bianchetti", slug="aldo-bianchetti")
    assert kinds_for("il Sergente") == set()
    Alias.objects.create(coach=coach, text="il Sergente")
    assert kinds_for("il Sergente") == {"exit"}


def test_an_approved_candidate_is_matched_from_then_on(vigevano):
    candidate = CoachCandidate.note("Mario Rossetti", "il tecnico Mario Rossetti")
    assert kinds_for("Mario Rossetti") == set()
    candidate.approve()
    assert kinds_for("Mario Rossetti") == {"exit"}


def test_a_deleted_coach_is_no_longer_matched(vigevano):
    coach = CoachFactory(full_name="Aldo Bianchetti", slug="aldo-bianchetti")
    assert kinds_for("Aldo Bianchetti") == {"exit"}
    coach.delete()
    assert kinds_for("Aldo Bianchetti") == set()


def test_a_change_announced_by_another_process_is_picked_up(vigevano, monkeypatch):
    first = get_index()
    monkeypatch.setattr(gazetteer_index, "CHECK_INTERVAL", 0.0)
    cache.incr(VERSION_KEY)  # What a save in another worker does to the shared counter.
    assert get_index() is not first


def test_the_index_is_reused_while_nothing_changes(vigevano):
    assert get_index() is get_index()


def test_the_surname_of_a_name_with_a_particle_keeps_the_particle():
    assert surname_forms("erik ten hag") == ["ten hag"]


def test_a_spanish_double_surname_is_also_used_alone_and_paired():
    assert surname_forms("francisco javier garcia pimienta") == ["pimienta", "garcia pimienta"]


phrases = st.lists(st.text(alphabet="abcé' ", min_size=1, max_size=6), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(phrases=phrases, text=st.text(alphabet="abcé' x", max_size=60))
def test_the_pure_python_automaton_finds_what_the_c_one_finds(phrases, text):
    results = []
    for backend in (automaton_module._ahocorasick, None):
        original = automaton_module._ahocorasick
        automaton_module._ahocorasick = backend
        try:
            automaton = PhraseAutomaton()
            for number, phrase in enumerate(phrases):
                automaton.add(phrase, number, prefix=number % 2 == 0)
            results.append(sorted((s, e, tuple(sorted(p))) for s, e, p in automaton.find(text)))
        finally:
            automaton_module._ahocorasick = original
    assert results[0] == results[1]


kinds_of_phrases = st.lists(
    st.tuples(st.sampled_from("abc"), st.text(alphabet="abé' ", min_size=1, max_size=5)),
    min_size=1,
    max_size=10,
)


@settings(max_examples=80, deadline=None)
@given(entries=kinds_of_phrases, text=st.text(alphabet="abé' x", max_size=60))
def test_phrases_of_several_kinds_are_found_as_if_each_kind_were_alone(entries, text):
    together = PhraseSets(("a", "b", "c"), anywhere=("c",))
    alone = {kind: PhraseAutomaton() for kind in "ab"}
    for number, (kind, phrase) in enumerate(entries):
        together.add(kind, phrase, number, prefix=number % 2 == 0)
        if kind in alone:
            alone[kind].add(phrase, number, prefix=number % 2 == 0)
    found = together.find_all(text)
    for kind, automaton in alone.items():
        assert found[kind] == automaton.find(text)

    # Kinds found anywhere: every occurrence, by end, longest first; the
    # payloads of whole phrases before those of prefixes.
    def payloads(phrase):
        numbers = [n for n, entry in enumerate(entries) if entry == ("c", phrase)]
        return tuple(n for n in numbers if n % 2) + tuple(n for n in numbers if not n % 2)

    phrases = sorted({phrase for kind, phrase in entries if kind == "c"}, key=len, reverse=True)
    expected = [
        (end - len(phrase), end, payloads(phrase))
        for end in range(len(text) + 1)
        for phrase in phrases
        if text[:end].endswith(phrase)
    ]
    assert found["c"] == expected


def test_the_extract_command_refuses_to_run_without_a_gazetteer(tmp_path):
    Coach.objects.all().delete()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "lang": "it", "text": "Testo."}\n')
    with pytest.raises(CommandError, match="load_gazetteer"):
        call_command("extract", "--input", str(corpus), "--output", str(tmp_path / "out"))
