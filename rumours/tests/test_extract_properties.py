"""Whatever text arrives, extraction neither raises nor changes its answer."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rumours.extract.document import MAX_CHARS
from rumours.extract.links import analyse_article

from .extract_fixtures import real_gazetteer  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_gazetteer")]

PROPERTY_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Pieces of football prose and of web pages, to build texts that hit real code paths.
PIECES = [
    "Massimiliano Allegri",
    "la Juventus",
    "esonerato",
    "ha firmato con il",
    "Il tecnico livornese",
    "non",
    "potrebbe",
    "secondo quanto riportato da Sky Sport,",
    "Chelsea's",
    "the Portuguese",
    "according to The Athletic",
    "ha detto no",
    "el técnico",
    "según Marca",
    "dell'Atalanta",
    "contro il Milan",
    "l'ex allenatore di Juve e Milan",
    "2-1",
    "in 2021",
    ". ",
    ", ",
    ": ",
    "\n\n",
    "«",
    "»",
    "—",
    "<p>",
    "</p>",
    "<a href='x'>",
    "&amp;",
    "\u200b",
    "ß",
    "Æ",
    "İ",
    "🙂",
]
prose = st.lists(st.sampled_from(PIECES), max_size=60).map(" ".join)
languages = st.sampled_from(["", "it", "en", "es", "pt", "fr", "de", "ca", "xx", "IT-it"])


def answer(text, title="", language=""):
    analysis = analyse_article(text, title=title, language=language)
    return analysis.links, analysis.unknown_coaches


@PROPERTY_SETTINGS
@given(text=st.text(max_size=3000), title=st.text(max_size=200), language=languages)
def test_arbitrary_text_never_raises_and_gives_the_same_answer_twice(text, title, language):
    assert answer(text, title, language) == answer(text, title, language)


@PROPERTY_SETTINGS
@given(text=prose, title=prose, language=languages)
def test_football_prose_with_markup_never_raises_and_is_stable(text, title, language):
    first = answer(text, title, language)
    assert first == answer(text, title, language)
    for link in first[0]:
        assert 0.0 <= link.confidence <= 1.0
        # Evidence quotes the article, with line breaks read as spaces.
        assert " ".join(link.evidence.split()) in " ".join(f"{title}\n\n{text}".split())


def test_empty_text_has_no_links():
    assert answer("") == ([], [])


def test_whitespace_only_text_has_no_links():
    assert answer(" \n\n\t ", title="  ") == ([], [])


def test_a_huge_text_is_read_up_to_the_limit_and_stays_stable():
    sentence = "Il Torino ha esonerato Paolo Vanoli dopo la sconfitta nel derby. "
    huge = sentence * (MAX_CHARS // len(sentence) + 200)
    first = answer(huge)
    assert first == answer(huge)
    assert [(link.coach.full_name, link.kind) for link in first[0]] == [("Paolo Vanoli", "exit")]


def test_text_that_is_not_a_string_is_treated_as_empty():
    assert answer(None) == ([], [])
