"""Secondary indexes built once after a bulk load into empty tables, not row by row.

Inserting millions of rows into a table keeps every index up to date row by row: each
GiST insert descends the tree and may split pages, each B-tree insert of an EGiB UUID
lands on a random leaf. At five million parcels the parcel table's ten indexes cost
more than writing the rows. Building an index over a filled table sorts once (PostGIS
sorts geometries for a GiST build), several times faster.

So when every big table the generator writes holds no row at all (a new deployment's
first gmina, a benchmark database), the generator drops their secondary indexes inside
its transaction, loads, and creates the same indexes again from their recorded
definitions before ANALYZE. Nothing else changes: primary keys and unique constraints
stay (the set-based key check and the joins use them); a unique index that is not a
constraint (the current EGiB identifier of a parcel) checks every row when it is
built again, and a duplicate aborts the whole transaction as a row insert would have.
DROP INDEX locks the table until commit; the tables are empty, so nothing anyone could
read is held back but the rows being made. With rows of another unit present the
indexes are left alone: rebuilding them would lock that unit's data for the whole run.
"""
import time

from psycopg import sql

from .run import Run

# Below this many parcels dropping and building the indexes again costs more than it saves.
BULK_PARCELS = 50_000
# The tables whose rows grow with the parcels (precincts and plans are a few hundred rows).
BULK_TABLES = ("parcel", "land_use", "building", "building_parcels", "address",
               "register_unit", "owner", "share")
# Memory for each index build (sorting in memory instead of in temporary files).
BUILD_MEMORY = "1GB"


def bulk_tables(run: Run) -> list[str]:
    return [run.tables[short] for short in BULK_TABLES]


def deferrable(run: Run, parcels: int, tables: list[str]) -> bool:
    """Large enough, and no row in any of the tables (of any unit)."""
    if parcels < BULK_PARCELS:
        return False
    for table in tables:
        statement = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
        run.cursor.cursor.execute(statement)
        if run.cursor.cursor.fetchone()[0]:
            return False
    return True


def secondary_indexes_drop(run: Run, tables: list[str], *,
                           keep_unique: bool = False) -> list[tuple[str, str]]:
    """Drop the tables' indexes that back no constraint (and, with keep_unique, are not
    unique: the arbiters of INSERT ... ON CONFLICT must stay); return (name, definition)
    to create them again, in a stable order."""
    run.sql(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = ANY(%(tables)s::regclass[]) "
        "AND NOT (x.indisunique AND %(keep_unique)s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
        "ORDER BY x.indrelid::regclass::text, i.relname",
        {"tables": tables, "keep_unique": keep_unique})
    dropped = run.cursor.fetchall()
    for name, _definition in dropped:
        run.cursor.cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return dropped


def secondary_indexes_create(run: Run, dropped: list[tuple[str, str]]) -> int:
    """Create the dropped indexes again, each with room to sort in memory."""
    run.sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for name, definition in dropped:
        started = time.perf_counter()
        run.cursor.execute(definition)  # as PostgreSQL printed it: no parameters
        if run.trace:
            run.progress(f"    {time.perf_counter() - started:8.2f} s  index {name}")
    return len(dropped)
