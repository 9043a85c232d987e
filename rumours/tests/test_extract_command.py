"""`manage.py extract` turns a SCHEMA.md corpus into predictions the scorer reads."""

import json

import pytest
from django.core.management import CommandError, call_command

from .extract_fixtures import real_gazetteer  # noqa: F401

pytestmark = pytest.mark.django_db

ARTICLES = [
    {
        "id": "t-it-1",
        "lang": "it",
        "title": "Torino, esonerato Vanoli",
        "text": "Il Torino ha esonerato Paolo Vanoli dopo la sconfitta nel derby.",
        "links": [],
    },
    {
        "id": "t-en-1",
        "lang": "en",
        "title": "",
        "text": "Crystal Palace have appointed Oliver Glasner as their new manager.",
        "links": [],
    },
    {"id": "t-es-1", "lang": "es", "title": "", "text": "Hace sol en Sevilla.", "links": []},
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES) + "\n")
    return path


def run_extract(corpus, tmp_path):
    output = tmp_path / "pred.jsonl"
    call_command("extract", "--input", str(corpus), "--output", str(output))
    return [json.loads(line) for line in output.read_text().splitlines()]


@pytest.mark.usefixtures("real_gazetteer")
def test_the_command_writes_one_line_per_article(corpus, tmp_path):
    rows = run_extract(corpus, tmp_path)
    assert [row["id"] for row in rows] == ["t-it-1", "t-en-1", "t-es-1"]


@pytest.mark.usefixtures("real_gazetteer")
def test_each_link_names_coach_club_kind_confidence_and_evidence(corpus, tmp_path):
    rows = run_extract(corpus, tmp_path)
    assert rows[0]["links"] == [
        {
            "coach": "Paolo Vanoli",
            "club": "Torino",
            "kind": "exit",
            "confidence": rows[0]["links"][0]["confidence"],
            "evidence": "Il Torino ha esonerato Paolo Vanoli dopo la sconfitta nel derby.",
        }
    ]


@pytest.mark.usefixtures("real_gazetteer")
def test_an_article_without_links_gets_an_empty_list(corpus, tmp_path):
    assert run_extract(corpus, tmp_path)[2]["links"] == []


@pytest.mark.usefixtures("real_gazetteer")
def test_the_benchmark_option_reports_a_rate(corpus, capsys):
    call_command("extract", "--input", str(corpus), "--bench")
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == 3 and report["articles_per_second"] > 0


def test_the_command_names_the_line_of_invalid_json(tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": ""}\nnot json\n')
    with pytest.raises(CommandError, match=":2:"):
        call_command("extract", "--input", str(broken), "--output", str(tmp_path / "out"))
