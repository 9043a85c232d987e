"""canonical_url(): one spelling per article address, whatever link led to it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rumours.ingest.canonical import canonical_url, is_tracking_parameter

ARTICLE = "https://mercatoweb.example/mercatoweb/articoli/juventus-ora-e-ufficiale-002.html"


@pytest.mark.parametrize(
    "url",
    [
        ARTICLE + "?utm_source=rss&utm_medium=feed&utm_campaign=mercato",
        ARTICLE + "?fbclid=IwAR0abc&gclid=Cj0KCQ",
        ARTICLE + "?mc_cid=1a2b&mc_eid=3c4d&ref=twitter&ref_src=twsrc",
        ARTICLE + "?igshid=x&_ga=2.1.2&spm=a2c&cmpid=nl&ito=feed&UTM_Term=X",
        ARTICLE + "#commenti",
        ARTICLE.replace("https://mercatoweb.example", "HTTPS://MercatoWeb.EXAMPLE:443"),
        ARTICLE + "?",
    ],
)
def test_tracking_fragments_ports_and_host_case_are_removed(url):
    assert canonical_url(url) == ARTICLE


def test_the_path_keeps_its_case():
    assert canonical_url("https://Site.example/News/Conte-Napoli") == (
        "https://site.example/News/Conte-Napoli"
    )


def test_remaining_parameters_are_sorted_by_name():
    url = "https://site.example/article?page=2&id=7&utm_source=x&amp=1"
    assert canonical_url(url) == "https://site.example/article?amp=1&id=7&page=2"


def test_repeated_parameters_keep_their_order():
    url = "https://site.example/search?tag=b&q=x&tag=a"
    assert canonical_url(url) == "https://site.example/search?q=x&tag=b&tag=a"


def test_plus_and_percent_20_are_the_same_space():
    assert canonical_url("https://site.example/s?q=de+rossi") == canonical_url(
        "https://site.example/s?q=de%20rossi"
    )


def test_a_root_relative_link_is_resolved_against_its_base():
    assert (
        canonical_url(
            "/mercatoweb/articoli/a.html?utm_source=rss", "http://127.0.0.1:8765/x/rss.xml"
        )
        == "http://127.0.0.1:8765/mercatoweb/articoli/a.html"
    )


def test_dot_segments_are_resolved():
    assert canonical_url("https://site.example/a/./b/../c.html") == "https://site.example/a/c.html"


def test_a_bare_host_gets_a_root_path_and_the_default_http_port_goes():
    assert canonical_url("http://Site.example:80") == "http://site.example/"


def test_a_non_default_port_stays():
    assert canonical_url("http://127.0.0.1:8765/a") == "http://127.0.0.1:8765/a"


def test_an_ipv6_host_keeps_its_brackets():
    assert canonical_url("http://[::1]:8765/a#x") == "http://[::1]:8765/a"


def test_spaces_in_the_path_are_escaped_consistently():
    assert canonical_url("https://site.example/a b%2f") == "https://site.example/a%20b%2F"


def test_tracking_parameter_names_are_matched_case_insensitively():
    assert is_tracking_parameter("UTM_Source")
    assert is_tracking_parameter("fbclid")
    assert not is_tracking_parameter("id")


@pytest.mark.parametrize("garbage", ["", "   ", "http://[broken/", "::::", "http://host:port/x"])
def test_malformed_urls_do_not_raise(garbage):
    assert isinstance(canonical_url(garbage), str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_canonical_url_is_idempotent_on_any_text(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@settings(max_examples=200, deadline=None)
@given(
    path=st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,12}", fullmatch=True), max_size=4),
    query=st.dictionaries(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True).filter(lambda n: not is_tracking_parameter(n)),
        st.from_regex(r"[A-Za-z0-9]{0,6}", fullmatch=True),
        max_size=4,
    ),
)
def test_parameter_order_and_tracking_never_change_the_result(path, query):
    base = "https://site.example/" + "/".join(path)
    forwards = "&".join(f"{name}={value}" for name, value in query.items())
    backwards = "&".join(f"{name}={value}" for name, value in reversed(query.items()))
    tracked = f"{base}?utm_source=feed&{backwards}&fbclid=abc#top"
    assert canonical_url(f"{base}?{forwards}") == canonical_url(tracked)
