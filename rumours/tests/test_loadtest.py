"""The load harness: reading wrk's report, the health check it measures against, a real run."""

import os
import shutil

import pytest
from django.urls import reverse

from rumours import bench, loadtest, synthetic

# Real wrk 4.1.0 (Debian) reports, captured from `make bench`'s harness.
HEALTHZ = """\
Running 3s test @ http://127.0.0.1:36727/healthz/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.57ms    5.34ms  72.54ms   85.96%
    Req/Sec     0.98k   442.85     1.83k    63.33%
  Latency Distribution
     50%    6.81ms
     75%   10.52ms
     90%   15.28ms
     99%   27.19ms
  5846 requests in 3.00s, 2.36MB read
Requests/sec:   1947.24
Transfer/sec:    806.28KB
"""

SLOW_PAGE = """\
Running 6s test @ http://127.0.0.1:38317/clubs/cagliari/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.15s   629.83ms   2.91s    76.47%
    Req/Sec     5.43      4.55    20.00     53.33%
  Latency Distribution
     50%    2.38s\x20
     75%    2.59s\x20
     90%    2.75s\x20
     99%    2.91s\x20
  34 requests in 6.04s, 22.54MB read
Requests/sec:      5.63
Transfer/sec:      3.73MB
"""

TIMEOUTS = """\
Running 2s test @ http://127.0.0.1:36727/search/?q=mar
  2 threads and 400 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   566.68ms  260.08ms 987.06ms   58.14%
    Req/Sec    47.70     19.75    90.00     70.00%
  Latency Distribution
     50%  558.75ms
     75%  789.73ms
     90%  913.70ms
     99%  987.06ms
  102 requests in 2.03s, 722.17KB read
  Socket errors: connect 0, read 0, write 0, timeout 59
Requests/sec:     50.34
Transfer/sec:    356.40KB
"""

VOTE_SCRIPT = """\
Running 2s test @ http://127.0.0.1:36727/healthz/
  2 threads and 6 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    16.91ms    6.89ms  40.92ms   69.09%
    Req/Sec   176.75     65.84   424.00     90.00%
  Latency Distribution
     50%   16.48ms
     75%   21.35ms
     90%   25.72ms
     99%   36.27ms
  705 requests in 2.00s, 1.06MB read
  Non-2xx or 3xx responses: 705
Requests/sec:    351.88
Transfer/sec:    542.60KB
status 403: 705
posts 0: 120
posts 1: 118
posts 2: 120
posts 3: 118
posts 4: 119
posts 5: 117
"""

has_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk (apt-get install wrk)")


def test_wrk_reports_are_read_in_milliseconds():
    result = loadtest.parse_wrk(HEALTHZ)
    assert result.requests == 5846
    assert result.seconds == pytest.approx(3.0)
    assert result.requests_per_second == pytest.approx(1947.24)
    assert result.p50_ms == pytest.approx(6.81)
    assert result.p99_ms == pytest.approx(27.19)
    assert result.errors == 0


def test_latencies_in_seconds_become_milliseconds():
    result = loadtest.parse_wrk(SLOW_PAGE)
    assert result.p50_ms == pytest.approx(2380)
    assert result.p99_ms == pytest.approx(2910)
    assert result.requests_per_second == pytest.approx(5.63)


def test_timeouts_and_failed_responses_count_as_errors():
    timeouts = loadtest.parse_wrk(TIMEOUTS)
    assert timeouts.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 59}
    assert timeouts.errors == 59
    assert loadtest.parse_wrk(VOTE_SCRIPT).non_2xx_3xx == 705


def test_the_vote_scripts_statuses_and_posts_per_fan_are_read():
    result = loadtest.parse_wrk(VOTE_SCRIPT)
    assert result.statuses == {403: 705}
    assert result.posts == {0: 120, 1: 118, 2: 120, 3: 118, 4: 119, 5: 117}


def test_a_report_without_figures_is_an_error():
    with pytest.raises(loadtest.LoadTestError):
        loadtest.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_health_check_answers_ok_without_a_query(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_answers_head_and_refuses_post(client):
    assert client.head("/healthz/").status_code == 200
    assert client.post("/healthz/").status_code == 405


def test_the_vote_script_gives_each_fan_its_own_cookie_and_token():
    script = loadtest.vote_script(
        [("sessionid=a; csrftoken=ta", "ta"), ("sessionid=b; csrftoken=tb", "tb")],
        "/rumours/7/vote/",
        "127.0.0.1:8000",
        2,
    )
    assert '{"sessionid=a; csrftoken=ta", "ta"}' in script
    assert 'local path = "/rumours/7/vote/"' in script
    assert '"value=reliable"' in script and '"value=unreliable"' in script
    assert "value=withdraw" not in script


@has_wrk
@pytest.mark.load
def test_gunicorn_under_wrk_is_measured_and_stopped():
    """A real run: gunicorn with production settings, wrk on /healthz/, and the vote script.

    The script's CSRF cookies and headers match, so its posts reach the view,
    which takes no POST (405): the script runs, and reports each fan's posts.
    """
    with loadtest.gunicorn(2) as server:
        url = f"{server.base_url}/healthz/"
        assert loadtest.warm_up(server, url)[0] == 200
        result = loadtest.run_wrk(url, seconds=2, connections=4)
        assert result.requests > 0 and result.errors == 0
        assert 0 < result.p50_ms <= result.p99_ms
        fans = [(f"sessionid=s{n}; csrftoken={'t' * 32}", "t" * 32) for n in range(4)]
        script = server.log.parent / "vote.lua"
        script.write_text(loadtest.vote_script(fans, "/healthz/", url[7:].split("/")[0], 2))
        voted = loadtest.run_wrk(url, seconds=1, connections=4, script=script)
        assert set(voted.statuses) == {405}
        assert sorted(voted.posts) == [0, 1, 2, 3] and min(voted.posts.values()) > 0
        assert server.wait_until_idle(within=10) < 10
        pid = server.pid
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)


@pytest.mark.django_db
def test_the_bench_picks_its_pages_and_counts_their_queries(gazetteer):
    synthetic.generate(0.002, seed=3)
    subjects = bench.choose_subjects()
    assert subjects.coach_evidence > 1 and subjects.rumour_votes > 0
    assert subjects.fan is not None
    paths = [path for _, path in subjects.load_pages()]
    assert paths[0] == "/healthz/" and subjects.coach.get_absolute_url() in paths
    counts = {count.label: count for count in bench.queries_per_page(subjects)}
    assert set(counts) == {"coach board", "home", "club page", "search", "alerts"}
    assert all(count.fan and count.request_ms > 0 for count in counts.values())
    assert counts["coach board"].small_visitor is not None


def test_the_report_marks_each_miss():
    report = bench.report_markdown(
        when="2026-01-01 00:00 UTC",
        about_machine={"CPU": "a test"},
        data_set={"votes": (10, 8)},
        rows=[
            bench.Row("Extraction", "250 articles/s", "≥ 200", True),
            bench.Row("Board p99", "900 ms", "< 150 ms", False),
            bench.Row("Trivial view", "1,000 req/s", "yardstick"),
        ],
        notes=["a note"],
        slowest=[],
    )
    assert "| Extraction | 250 articles/s | ≥ 200 | met |" in report
    assert "| Board p99 | 900 ms | < 150 ms | **missed** |" in report
    assert "| votes | 10 | 8 |" in report and "- a note" in report
