"""Foreign keys checked once per key, set-based, instead of once per inserted row.

PostgreSQL checks a foreign key with one trigger query per inserted row (~10 µs):
at a million parcels that is over twelve million checks and a third of the run.
When the role may set session_replication_role and the tables carry no triggers of
their own, the generator inserts in replica mode, which skips those triggers, and
then checks every foreign key of the tables with one anti-join each. Nothing else
changes: unique and check constraints are still enforced row by row, and the rows
the skipped triggers would have key-share locked are the unit row, which the
generator holds locked, and rows its own transaction created, which no one else sees.
Deletes never run in replica mode: other apps' keys must stop them.
"""
from django.db import IntegrityError
from psycopg import sql

from .run import Run

# The reconciliation's change journal triggers: the only triggers replica mode may skip,
# since the generator records its unit as changed in bulk instead (journal_bulk_change).
JOURNAL_TRIGGERS = "reconciliation_change_%"


def fast_mode_possible(run: Run, tables: list[str]) -> bool:
    allowed = run.value("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    own_triggers = run.value(
        "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal "
        "AND tgrelid = ANY(%(tables)s::regclass[]) AND tgname NOT LIKE %(journal)s",
        {"tables": tables, "journal": JOURNAL_TRIGGERS})
    return bool(allowed) and own_triggers == 0


def journal_bulk_change(run: Run, unit_id: int) -> None:
    """Record the unit as changed in bulk for the reconciliation (its next run is a full
    one), as the journal's triggers do for a statement over many rows: in replica mode
    they did not fire."""
    from cadastre_sync.models import ReconciliationChange

    table = ReconciliationChange._meta.db_table
    run.sql(f"INSERT INTO {table} (unit_id, kind, ref) VALUES (%(journal_unit)s, '*', '')",  # noqa: S608
            {"journal_unit": unit_id})


def replica_mode(run: Run, on: bool) -> None:
    run.sql("SET LOCAL session_replication_role = " + ("replica" if on else "origin"))


def id_floors(run: Run, tables: list[str]) -> dict[str, int]:
    """The highest id of each table before the run: only rows above it need checking."""
    floors = {}
    for table in tables:
        statement = sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
        run.cursor.cursor.execute(statement)
        floors[table] = run.cursor.cursor.fetchone()[0]
    return floors


def foreign_keys_check(run: Run, floors: dict[str, int]) -> int:
    """Check every single-column foreign key of the new rows; return how many were checked."""
    run.sql(
        "SELECT c.conname, cr.relname, a.attname, pr.relname, pa.attname "
        "FROM pg_constraint c "
        "JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_class pr ON pr.oid = c.confrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 "
        "AND c.conrelid = ANY(%(tables)s::regclass[]) ORDER BY 1", {"tables": list(floors)})
    checks = run.cursor.fetchall()
    for name, child, column, parent, parent_column in checks:
        statement = sql.SQL(
            "SELECT count(*) FROM {child} c WHERE c.id > %s AND c.{column} IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column})"
        ).format(child=sql.Identifier(child), column=sql.Identifier(column),
                 parent=sql.Identifier(parent), parent_column=sql.Identifier(parent_column))
        run.cursor.cursor.execute(statement, [floors[child]])
        missing = run.cursor.cursor.fetchone()[0]
        if missing:
            raise IntegrityError(f"foreign key {name}: {missing} new rows of {child} "
                                 "point at nothing")
    return len(checks)
