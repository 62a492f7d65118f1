"""Database helpers for the hot read paths (a click on the map, a vector tile)."""
from collections.abc import Mapping, Sequence

from django.db import InterfaceError, OperationalError, connection


def fetch_one_checked(sql: str, params: Mapping | Sequence) -> tuple | None:
    """The first row of `sql`; the statement's own answer tells whether the connection
    is alive.

    With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every
    request: a second round trip, as long as a small indexed query itself (and longer on a
    busy machine). Here the query checks instead, and on a connection that died
    meanwhile it runs once more on a new one (outside a transaction only: a broken
    transaction cannot be continued).
    """
    retry = not connection.in_atomic_block
    if retry and connection.connection is not None:
        connection.health_check_done = True
    try:
        return _fetch_one(sql, params)
    except (OperationalError, InterfaceError):
        if not retry:
            raise
        connection.close()
        return _fetch_one(sql, params)


def _fetch_one(sql: str, params: Mapping | Sequence) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
