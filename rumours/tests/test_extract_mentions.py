"""Coaches and clubs are found through the forms and inflections the press uses."""

import pytest

from rumours.extract.document import prepare
from rumours.extract.gazetteer_index import get_index
from rumours.extract.mentions import find_mentions
from rumours.extract.normalize import fold, fold_with_offsets

from .extract_fixtures import real_gazetteer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_gazetteer")]


def named(text: str, language: str = "it", title: str = "") -> set[str]:
    index = get_index()
    found = set()
    for mention in find_mentions(prepare(text, title, language), index):
        if mention.id is None:
            continue
        if mention.entity == "coach":
            found.add(index.coaches[mention.id].coach.full_name)
        else:
            found.add(index.clubs[mention.id].club.short_name)
    return found


def test_folding_keeps_every_character_in_place_when_it_can():
    folded, offsets = fold_with_offsets("Mourinhò è qui")
    assert folded == "mourinho e qui"
    assert offsets is None


def test_folding_maps_expanded_letters_back_to_the_text():
    folded, offsets = fold_with_offsets("Nordsjælland")
    assert folded == fold("Nordsjælland")
    assert offsets[folded.index("land")] == "Nordsjælland".index("land")


def test_a_club_is_found_after_an_italian_articulated_preposition():
    assert "Atalanta" in named("Koopmeiners lascia il centrocampo dell'Atalanta.")


def test_a_club_nickname_is_found_after_a_preposition():
    index = get_index()
    document = prepare("La Roma cerca un tecnico. Il nome piace molto ai giallorossi.", "", "it")
    nicknames = [m for m in find_mentions(document, index) if m.form == "core"]
    assert [index.clubs[m.id].club.short_name for m in nicknames] == ["Roma"]


def test_a_club_colour_adjective_names_the_club_it_qualifies():
    assert "Milan" in named("Il Milan ha deciso. Il club rossonero ha comunicato la scelta.")


def test_a_colour_word_alone_does_not_name_a_club_the_article_never_names():
    assert "Inter" not in named("Nel suo ciclo nerazzurro ha vinto tutto a Bergamo.")


def test_an_english_possessive_still_names_the_club():
    assert "Chelsea" in named("Chelsea's search is well advanced.", "en")


def test_a_spanish_nickname_with_its_article_names_the_club():
    assert "Real Madrid" in named("Los blancos ya piensan en el debut.", "es")


def test_accents_do_not_matter():
    assert "Cesc Fàbregas" in named("Cesc Fabregas resta al Como.")


def test_a_surname_names_the_coach():
    assert "Gian Piero Gasperini" in named("La Roma ha scelto Gasperini.")


def test_a_surname_after_someone_elses_first_name_is_not_the_coach():
    assert "Manuel Pellegrini" not in named("Segna Lorenzo Pellegrini su punizione.")


def test_a_first_name_followed_by_another_surname_is_not_the_coach():
    assert "Massimiliano Allegri" not in named("Il direttore sportivo Max Eberl ha parlato.")


def test_a_shared_surname_goes_to_the_coach_named_in_full():
    found = named("Simone Inzaghi lascia l'Inter. Inzaghi ha firmato con l'Al Hilal.")
    assert "Simone Inzaghi" in found
    assert "Filippo Inzaghi" not in found


def test_a_name_spelled_like_a_common_word_needs_more_than_a_sentence_start():
    assert "Como" not in named("Como informa la prensa, el club busca entrenador.", "es")


def test_a_club_named_in_full_is_then_found_by_its_distinctive_word():
    assert "Manchester United" in named(
        "Manchester United sacked the manager. United have opened talks.", "en"
    )


def test_a_lowercase_word_is_not_a_name():
    assert "Thomas Frank" not in named("To be frank, the board has no plan.", "en")
