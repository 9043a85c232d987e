"""Search finds coaches and clubs by name or alias, whatever the accents and capitals."""

import pytest
from django.urls import reverse

from .factories import AliasFactory, ClubFactory, CoachFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def search(client, query, **kwargs):
    return client.get(reverse("rumours:search"), {"q": query}, **kwargs)


@pytest.mark.parametrize("query", ["Mourinho", "mourinho", "Mourinhò", "MOURINHO", "  mourinho "])
def test_mourinho_is_found_however_he_is_typed(client, gazetteer, query):
    coaches = list(search(client, query).context["coaches"])
    assert coaches[0].slug == "jose-mourinho"


def test_a_nickname_finds_the_coach(client, gazetteer):
    coaches = list(search(client, "special one").context["coaches"])
    assert [coach.slug for coach in coaches] == ["jose-mourinho"]


def test_a_club_nickname_finds_the_club(client, gazetteer):
    clubs = list(search(client, "giallorossi").context["clubs"])
    assert "roma" in [club.slug for club in clubs]


def test_an_exact_alias_ranks_before_a_partial_match(client):
    partial = CoachFactory(full_name="Antonio Intermezzo")
    exact = CoachFactory(full_name="Zeno Zanetti")
    AliasFactory(coach=exact, text="Inter")
    AliasFactory(coach=partial, text="Antonio Intermezzo")
    coaches = list(search(client, "inter").context["coaches"])
    assert coaches[:2] == [exact, partial]


def test_demonyms_do_not_flood_the_results(client, gazetteer):
    coaches = search(client, "portuguese").context["coaches"]
    assert "jose-mourinho" not in [coach.slug for coach in coaches]


def test_a_coach_with_no_alias_is_found_by_name(client):
    coach = CoachFactory(full_name="Ugo Senzalias")
    assert list(search(client, "senzal").context["coaches"]) == [coach]


def test_htmx_gets_only_the_results_fragment(client):
    CoachFactory(full_name="Pippo Inzaghi")
    response = search(client, "inzaghi", headers=HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="search-results"')
    assert "Pippo Inzaghi" in page
    assert "<html" not in page
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_without_javascript_the_same_form_renders_the_full_page(client):
    club = ClubFactory(short_name="Zetaborgo Calcio")
    response = search(client, "zetabo")
    page = response.content.decode()
    assert "<html" in page
    assert club.get_absolute_url() in page
    assert 'name="q"' in page


def test_an_empty_query_shows_the_form_and_no_results(client):
    response = client.get(reverse("rumours:search"))
    assert response.status_code == 200
    assert list(response.context["coaches"]) == []


def test_a_single_letter_asks_for_more(client):
    response = search(client, "a")
    assert "at least two letters" in response.content.decode()


def test_nothing_found_says_so(client):
    response = search(client, "zzqqxx")
    assert "No coach or club matches" in response.content.decode()


@pytest.mark.parametrize("query", ["x" * 101, "x" * 5000, "a\x00b"])
def test_overlong_or_binary_queries_are_refused_politely(client, query):
    response = search(client, query)
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("query", ["%", "_", "%%__", "'; DROP TABLE x; --", "<script>", "🙂🙂"])
def test_odd_characters_find_nothing_and_break_nothing(client, query):
    response = search(client, query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split('id="search-results"')[1]


def test_search_results_cost_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(30):
        coach = CoachFactory(full_name=f"Mister Rossi{n}", current_club=ClubFactory())
        AliasFactory(coach=coach, text=f"Rossi {n}")
    with django_assert_max_num_queries(2):
        search(client, "rossi")
