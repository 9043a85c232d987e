"""Time extraction the way `make bench` reports it: articles per second on one core.

The index is built before the clock starts (a worker builds it once per
process), so the figure is the steady-state cost of reading articles.
"""

from __future__ import annotations

import time

from .gazetteer_index import get_index
from .links import analyse_article


def measure_throughput(
    articles: list[dict], *, rounds: int = 3, minimum_seconds: float = 1.0
) -> dict:
    """Extract every article `rounds` times (at least minimum_seconds); report the rate.

    articles are dicts with "text", and optionally "title" and "lang".
    Returns {"articles": n, "words": average words per article, "seconds":
    wall time, "articles_per_second": rate, "articles_per_cpu_second": rate
    counting only this process's CPU time}.
    """
    get_index()
    if not articles:
        return {"articles": 0, "words": 0, "seconds": 0.0, "articles_per_second": 0.0}
    words = sum(len(str(a.get("text") or "").split()) for a in articles) / len(articles)
    done = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    elapsed = 0.0
    while done < rounds * len(articles) or elapsed < minimum_seconds:
        for article in articles:
            analyse_article(
                str(article.get("text") or ""),
                title=str(article.get("title") or ""),
                language=str(article.get("lang") or ""),
            )
        done += len(articles)
        elapsed = time.perf_counter() - started
    cpu = max(time.process_time() - started_cpu, 1e-9)
    return {
        "articles": len(articles),
        "words": round(words),
        "seconds": round(elapsed, 3),
        "articles_per_second": round(done / elapsed, 1),
        # CPU time of this process only: the one-core figure even on a busy machine.
        "articles_per_cpu_second": round(done / cpu, 1),
    }
