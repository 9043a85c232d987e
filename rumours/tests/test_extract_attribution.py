"""Who an article credits is found per language and matched to sources, without writes."""

import pytest
from django.db import transaction

from rumours.extract.attribution import (
    credited_source_for,
    forget_sources,
    looks_like_person,
    match_credited_source,
)
from rumours.extract.links import analyse_article
from rumours.models import Source

from .extract_fixtures import real_gazetteer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_gazetteer")]


@pytest.fixture(autouse=True)
def fresh_sources():
    forget_sources()
    yield
    forget_sources()


def credit_of(text: str, language: str) -> tuple[str, str | None]:
    (link,) = analyse_article(text, language=language).links
    source = link.credited_source.slug if link.credited_source else None
    return link.credited_to, source


def test_an_italian_credit_names_the_outlet():
    text = "Secondo quanto riportato da Sky Sport, il Torino ha esonerato Paolo Vanoli."
    assert credit_of(text, "it") == ("Sky Sport", "sky-sport-italia")


def test_an_italian_reporter_credit_names_the_reporter():
    text = "Come rivela Di Marzio, il Torino ha esonerato Paolo Vanoli."
    assert credit_of(text, "it") == ("Di Marzio", "gianluca-di-marzio")


def test_an_english_credit_names_the_outlet():
    text = "According to The Athletic, Everton have sacked David Moyes."
    assert credit_of(text, "en") == ("The Athletic", "the-athletic")


def test_a_via_credit_names_the_reporter():
    text = "Via Fabrizio Romano, Everton have sacked David Moyes this morning."
    assert credit_of(text, "en") == ("Fabrizio Romano", "fabrizio-romano")


def test_a_spanish_credit_names_the_outlet():
    text = "Según Marca, el Sevilla ha destituido a García Pimienta."
    assert credit_of(text, "es") == ("Marca", "marca")


def test_a_credit_after_the_outlet_name_is_found():
    text = "Dutch outlet De Telegraaf reports that Feyenoord have sacked Brian Priske."
    assert credit_of(text, "en")[0] == "De Telegraaf"


def test_a_link_without_a_credit_has_none():
    text = "Everton have sacked David Moyes after a run of six defeats."
    assert credit_of(text, "en") == ("", None)


def test_a_source_is_matched_by_its_domain():
    assert match_credited_source("gazzetta.it").slug == "gazzetta"


def test_a_source_is_matched_by_part_of_its_name():
    assert match_credited_source("la Gazzetta dello Sport").slug == "gazzetta"


def test_an_unknown_outlet_matches_nothing():
    assert match_credited_source("Radio Sportiva Lunigiana") is None


def test_a_new_reporter_becomes_a_source_without_a_feed():
    source = credited_source_for("Matteo Moretto")
    assert (source.kind, source.tier, source.is_person) == (Source.Kind.NONE, 3, True)


def test_a_new_outlet_is_not_taken_for_a_person():
    assert credited_source_for("Il Secolo XIX").is_person is False


def test_crediting_the_same_new_name_twice_makes_one_source():
    first = credited_source_for("Matteo Moretto")
    assert credited_source_for("Matteo Moretto") == first


def test_a_source_made_in_a_transaction_that_rolled_back_is_not_handed_out():
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        credited_source_for("Matteo Moretto")
        assert match_credited_source("Matteo Moretto") is not None
        raise Abandon

    assert not Source.objects.filter(name="Matteo Moretto").exists()
    assert match_credited_source("Matteo Moretto") is None
    assert Source.objects.filter(pk=credited_source_for("Matteo Moretto").pk).exists()


def test_analysis_writes_no_source():
    before = Source.objects.count()
    analyse_article("Come rivela Radio Lunigiana, il Torino ha esonerato Paolo Vanoli.")
    assert Source.objects.count() == before


def test_a_two_word_name_looks_like_a_person():
    assert looks_like_person("Nicolò Schira")


def test_a_newspaper_name_does_not_look_like_a_person():
    assert not looks_like_person("Corriere dello Sport")
