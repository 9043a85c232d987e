"""Each kind of coach-club news is recognised in each language; background is not news."""

import pytest

from rumours.extract.links import analyse_article, find_links

from .extract_fixtures import links_in, pairs_in, real_gazetteer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_gazetteer")]


# ------------------------------------------------------------------ Italian


def test_an_italian_sacking_is_an_exit():
    text = "Il Torino ha esonerato Paolo Vanoli dopo la sconfitta nel derby."
    assert ("Paolo Vanoli", "Torino", "exit") in links_in(text, language="it")


def test_an_italian_appointment_is_confirmed():
    text = "Daniele De Rossi è il nuovo allenatore del Genoa: ha firmato un contratto biennale."
    assert ("Daniele De Rossi", "Genoa", "confirmed") in links_in(text, language="it")


def test_an_italian_front_runner_is_a_rumour():
    text = "Il Bologna cerca un allenatore. In pole per la panchina rossoblù c'è Fabio Grosso."
    assert ("Fabio Grosso", "Bologna", "rumour") in links_in(text, language="it")


def test_an_italian_refusal_is_a_denial():
    text = "Roberto Mancini ha detto no alla Lazio: preferisce aspettare un progetto diverso."
    assert ("Roberto Mancini", "Lazio", "denial") in links_in(text, language="it")


def test_a_club_at_risk_of_sacking_its_coach_is_an_exit():
    text = "La Fiorentina riflette: Paolo Vanoli è a rischio esonero dopo l'ennesimo ko."
    assert ("Paolo Vanoli", "Fiorentina", "exit") in links_in(text, language="it")


# ------------------------------------------------------------------ English


def test_an_english_sacking_is_an_exit():
    text = "Everton have sacked David Moyes after a run of six defeats."
    assert ("David Moyes", "Everton", "exit") in links_in(text, language="en")


def test_an_english_appointment_is_confirmed():
    text = "Crystal Palace have appointed Oliver Glasner as their new manager on a two-year deal."
    assert ("Oliver Glasner", "Crystal Palace", "confirmed") in links_in(text, language="en")


def test_english_talks_are_a_rumour():
    text = "Newcastle are in talks with Marco Silva over their vacant head coach role."
    assert ("Marco Silva", "Newcastle United", "rumour") in links_in(text, language="en")


def test_a_coach_ruling_himself_out_is_a_denial():
    text = "Andoni Iraola has ruled himself out of the running for the Tottenham job."
    assert ("Andoni Iraola", "Tottenham", "denial") in links_in(text, language="en")


# ------------------------------------------------------------------ Spanish


def test_a_spanish_dismissal_is_an_exit():
    text = "El Sevilla ha destituido a García Pimienta tras la derrota en el derbi."
    links = links_in(text, language="es")
    assert {kind for _, club, kind in links if club == "Sevilla"} == {"exit"}


def test_a_spanish_appointment_is_confirmed():
    text = "Es oficial: Marcelino es el nuevo entrenador del Villarreal hasta 2027."
    assert ("Marcelino", "Villarreal", "confirmed") in links_in(text, language="es")


def test_spanish_negotiations_are_a_rumour():
    text = "El Valencia mantiene negociaciones avanzadas con Rubén Baraja para el banquillo."
    links = links_in(text, language="es")
    assert any(club == "Valencia" and kind == "rumour" for _, club, kind in links)


def test_a_spanish_denial_is_a_denial():
    text = "Míchel desmiente cualquier contacto con el Betis: «Estoy muy feliz en Girona»."
    assert ("Míchel", "Real Betis", "denial") in links_in(text, language="es")


# ------------------------------------------------------------------ core patterns


def test_a_portuguese_sacking_is_an_exit():
    text = "O Benfica anunciou que Bruno Lage foi demitido depois da derrota."
    assert ("Bruno Lage", "Benfica", "exit") in links_in(text, language="pt")


def test_a_french_appointment_is_confirmed():
    text = "Roberto De Zerbi est le nouvel entraîneur de Marseille, le club l'a officialisé."
    assert ("Roberto De Zerbi", "Marseille", "confirmed") in links_in(text, language="fr")


def test_german_talks_are_a_rumour():
    text = "Der FC Bayern führt Verhandlungen mit Vincent Kompany über das Traineramt."
    assert ("Vincent Kompany", "Bayern Munich", "rumour") in links_in(text, language="de")


def test_a_catalan_denial_is_a_denial():
    text = "Hansi Flick desmenteix qualsevol contacte amb el Bayern i continua al Barcelona."
    assert ("Hansi Flick", "Bayern Munich", "denial") in links_in(text, language="ca")


# ------------------------------------------------------------------ not links


def test_a_negated_sacking_is_not_a_link():
    text = "Il Napoli non ha esonerato Antonio Conte, che resta al suo posto."
    assert ("Antonio Conte", "Napoli") not in pairs_in(text, language="it")


def test_past_clubs_mentioned_as_background_are_not_links():
    text = "L'ex allenatore di Juventus e Inter ha firmato con il Napoli. Antonio Conte è pronto."
    pairs = pairs_in("Antonio Conte è il nuovo allenatore del Napoli. " + text, language="it")
    assert ("Antonio Conte", "Juventus") not in pairs
    assert ("Antonio Conte", "Inter") not in pairs


def test_a_former_club_in_english_is_background():
    text = "Graham Potter, the former Chelsea and Brighton boss, has signed for West Ham."
    pairs = pairs_in(text, language="en")
    assert ("Graham Potter", "West Ham") in pairs
    assert ("Graham Potter", "Chelsea") not in pairs


def test_a_vague_destination_is_not_a_link():
    text = (
        "Stefano Pioli ha ricevuto un'offerta dall'Arabia Saudita e da un club di Premier League."
    )
    assert pairs_in(text, language="it") == set()


def test_an_opponent_in_a_match_report_is_not_a_link():
    text = (
        "Il Milan di Massimiliano Allegri ha battuto la Roma 2-0. Allegri ha elogiato la squadra."
    )
    assert ("Massimiliano Allegri", "Roma") not in pairs_in(text, language="it")


def test_a_match_report_yields_no_links():
    text = (
        "Inter e Juventus pareggiano 1-1 a San Siro. Cristian Chivu ha elogiato i suoi, "
        "mentre Igor Tudor ha lamentato un rigore non concesso."
    )
    assert links_in(text, language="it") == set()


def test_a_national_team_job_in_passing_is_not_a_link():
    text = (
        "Il Manchester United valuta Gareth Southgate. Thomas Tuchel, ct dell'Inghilterra, "
        "ha detto no a un ritorno in Premier League."
    )
    assert ("Thomas Tuchel", "England") not in pairs_in(text, language="it")


def test_the_same_pair_gives_one_link_per_article():
    text = (
        "Il Genoa ha esonerato Patrick Vieira. Vieira è stato esonerato dopo il ko. "
        "L'esonero di Vieira era nell'aria."
    )
    links = [link for link in find_links(text, language="it") if link.club.short_name == "Genoa"]
    assert len(links) == 1


def test_a_refusal_outweighs_the_rumour_it_answers():
    text = (
        "La Lazio aveva sondato Roberto Mancini per la panchina. "
        "Mancini ha però rifiutato la proposta della Lazio."
    )
    assert ("Roberto Mancini", "Lazio", "denial") in links_in(text, language="it")


def test_a_hedged_agreement_is_still_a_rumour():
    text = "Per la Roma l'intesa con Gian Piero Gasperini sarebbe già stata raggiunta."
    assert ("Gian Piero Gasperini", "Roma", "rumour") in links_in(text, language="it")


def test_a_link_quotes_its_evidence_verbatim_with_a_confidence():
    text = "Everton have sacked David Moyes after a run of six defeats. The club thanked him."
    (link,) = [link for link in find_links(text, language="en") if link.kind == "exit"]
    assert link.evidence in text
    assert 0.0 < link.confidence <= 1.0


def test_the_headline_is_read_with_the_body():
    links = links_in("The board met on Monday.", title="Everton sack David Moyes", language="en")
    assert ("David Moyes", "Everton", "exit") in links


def test_the_language_is_guessed_when_not_given():
    text = "Il Torino ha esonerato Paolo Vanoli dopo la sconfitta nel derby."
    assert ("Paolo Vanoli", "Torino", "exit") in links_in(text)


def test_analysis_of_an_article_without_names_is_empty():
    analysis = analyse_article("Una giornata di sole a Milanello, allenamento a porte chiuse.")
    assert analysis.links == []
