"""Run test actions at the same moment, each in its own thread and database connection."""

import threading

import pytest
from django.db import connection, connections

# SQLite's shared in-memory test database answers a second writer with
# "table is locked" at once, where a file database (the development
# server's) waits its busy timeout: only PostgreSQL tests a race for real.
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel writers need PostgreSQL"
)


def at_once(actions) -> list[Exception]:
    """Run each action in a thread of its own, all released together; return what they raised.

    Errors are returned, not lost in their threads; each thread closes its
    database connection when done. Call from a transactional test.
    """
    start = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            start.wait()
            action()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
