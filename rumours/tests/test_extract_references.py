"""Descriptions resolve to the coach or club already named; unknown coaches become candidates."""

import pytest

from rumours.extract.links import analyse_article

from .extract_fixtures import links_in, real_gazetteer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_gazetteer")]


def test_a_birthplace_demonym_refers_to_the_coach_born_there():
    text = (
        "La Juventus ha deciso di cambiare. Massimiliano Allegri paga la stagione. "
        "Il club ha comunicato in serata l'esonero del tecnico livornese."
    )
    evidence = {link.evidence for link in analyse_article(text, language="it").links}
    assert any("livornese" in sentence for sentence in evidence)


def test_a_nationality_refers_to_the_last_coach_of_that_nationality():
    text = (
        "Manchester United want a new manager. Ruben Amorim is their first choice. "
        "United have opened talks with the Portuguese."
    )
    assert ("Rúben Amorim", "Manchester United", "rumour") in links_in(text, language="en")


def test_the_former_club_boss_is_resolved_through_past_spells():
    text = (
        "Everton have sacked Sean Dyche. Graham Potter is out of work. "
        "The former Chelsea boss is in talks with Everton."
    )
    assert ("Graham Potter", "Everton", "rumour") in links_in(text, language="en")


def test_a_birthplace_names_the_coach_without_his_name():
    text = "La Juventus ha contattato il tecnico di Grugliasco per la prossima stagione."
    assert ("Gian Piero Gasperini", "Juventus", "rumour") in links_in(text, language="it")


def test_the_club_refers_to_the_club_just_named():
    text = "Brentford have lost their manager. The club have appointed Keith Andrews as head coach."
    assert ("Keith Andrews", "Brentford", "confirmed") in links_in(text, language="en")


def test_a_club_nickname_in_the_article_stands_for_the_club():
    text = "La Roma cerca un allenatore. I capitolini hanno avviato i contatti con Roberto Mancini."
    assert ("Roberto Mancini", "Roma", "rumour") in links_in(text, language="it")


def test_a_sentence_without_a_name_is_about_the_previous_sentences_coach():
    text = "Il Genoa ha scelto Patrick Vieira. Ha firmato un contratto fino al 2026 con il Genoa."
    assert ("Patrick Vieira", "Genoa", "confirmed") in links_in(text, language="it")


def test_the_age_of_a_coach_refers_to_him():
    text = (
        "Real Madrid want Xabi Alonso. Real Madrid are closing in on an agreement "
        "with the 43-year-old."
    )
    evidence = [link.evidence for link in analyse_article(text, language="en").links]
    assert evidence


def test_an_italian_role_before_an_unknown_name_makes_a_candidate():
    analysis = analyse_article("Il Foggia ha scelto il tecnico Mario Rossetti per la panchina.")
    assert [name for name, _ in analysis.unknown_coaches] == ["Mario Rossetti"]


def test_an_english_role_before_an_unknown_name_makes_a_candidate():
    analysis = analyse_article("Grimsby have appointed manager John Smithers on a short deal.")
    assert [name for name, _ in analysis.unknown_coaches] == ["John Smithers"]


def test_a_spanish_role_before_an_unknown_name_makes_a_candidate():
    analysis = analyse_article(
        "El Racing confirma al entrenador Juan Pérez Salvatierra.", language="es"
    )
    assert [name for name, _ in analysis.unknown_coaches] == ["Juan Pérez Salvatierra"]


def test_a_candidate_comes_with_its_sentence():
    analysis = analyse_article("Il Foggia ha scelto il tecnico Mario Rossetti. Domani la firma.")
    assert analysis.unknown_coaches[0][1] == "Il Foggia ha scelto il tecnico Mario Rossetti."


def test_a_known_coach_is_not_a_candidate():
    analysis = analyse_article("Il Napoli ha scelto il tecnico Antonio Conte per ripartire.")
    assert analysis.unknown_coaches == []
