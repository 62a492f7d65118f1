"""Database helpers for the hot read paths (a click on the map, a vector tile)."""
from collections.abc import Mapping, Sequence

import psycopg
from django.db import InterfaceError, OperationalError, connection


def fetch_one_checked(sql: str, params: Mapping | Sequence, *, prepared: bool = False
                      ) -> tuple | None:
    """The first row of `sql`; the statement's own answer tells whether the connection
    is alive. With `prepared`, the statement is prepared on the connection the first time
    and only executed afterwards (see _fetch_one_prepared).

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
        return _fetch_one(sql, params, prepared)
    except (OperationalError, InterfaceError):
        if not retry:
            raise
        connection.close()
        return _fetch_one(sql, params, prepared)


def _fetch_one(sql: str, params: Mapping | Sequence, prepared: bool) -> tuple | None:
    with connection.cursor() as cursor:
        if prepared:
            return _fetch_one_prepared(sql, params)
        cursor.execute(sql, params)
        return cursor.fetchone()


_ONLY_WHEN_ASKED = 2**31 - 1


class _PreparingCursor(psycopg.Cursor):
    """A server-binding cursor whose statements are prepared on their first run."""

    def execute(self, query, params=None, *, prepare: bool | None = True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


def _fetch_one_prepared(sql: str, params: Mapping | Sequence) -> tuple | None:
    """Django's psycopg cursors bind parameters on the client, so PostgreSQL parses and
    plans every statement again: for a click's query with its joins and PostGIS functions
    that costs as much as running it. A server-binding cursor on the same connection (same
    transaction, type loaders and time zone), wrapped as Django wraps its own (errors,
    query logging), prepares it on its first run (Django turns psycopg's preparing off,
    prepare_threshold None: it is turned on for explicit requests only); PostgreSQL keeps one
    plan for it once that plan is as good as planning again (a statement written so that
    its estimates do not depend on the parameters gets there after five runs).
    Connections are direct to PostgreSQL (no transaction-pooling proxy, which would lose
    prepared statements between transactions)."""
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:
        # Prepared statements allowed on this connection, but only when asked for
        # (prepare=True): Django's own cursors bind on the client and never prepare.
        raw_connection.prepare_threshold = _ONLY_WHEN_ASKED
    raw = _PreparingCursor(raw_connection)
    wrapped = (connection.make_debug_cursor(raw) if connection.queries_logged
               else connection.make_cursor(raw))
    with wrapped as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
