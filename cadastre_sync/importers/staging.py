"""Staging: temporary tables the readers fill with COPY, in chunks.

Why temporary tables: they belong to the importing session only (two imports in
two workers never see each other's rows), they are not WAL-logged, and they
vanish with the session even after a crash. Nothing here touches the real
tables; `checks.py` validates the staged rows and `merge.py` writes them in one
transaction.

Every staged row keeps the file line and gml:id it came from, so a problem
found later in SQL still names its place in the file.
"""
from collections.abc import Iterable

from django.db import connection, transaction

# Columns of each staged kind: (name, SQL type). Readers yield dicts with these keys;
# a key a reader does not know stays NULL. `geom_in` is EWKT in the file's CRS with
# easting first (readers put the axes in that order).
_WHERE = [("line", "int"), ("gml_id", "text"), ("iip", "text")]
_LIFE = [("ns", "text"), ("local_id", "text"), ("version_id", "text"),
         ("object_start", "timestamp"), ("version_start", "timestamp"),
         ("version_end", "timestamp"), ("object_end", "timestamp")]
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "precinct": [*_WHERE, ("precinct_code", "text"), ("name", "text"), ("geom_in", "geometry")],
    "parcel": [*_WHERE, *_LIFE, ("parcel_id", "text"), ("geom_in", "geometry"),
               ("area_ha", "numeric"), ("accuracy_ha", "numeric"), ("kw", "text"),
               ("jrg_ref", "text"), ("land_use_refs", "text[]")],
    "land_use": [*_WHERE, ("parcel_ref", "text"), ("parcel_seq", "bigint"), ("ofu", "text"),
                 ("ozu", "text"), ("ozk", "text"), ("area_ha", "numeric")],
    "building": [*_WHERE, *_LIFE, ("building_id", "text"), ("geom_in", "geometry"),
                 ("kst", "text"), ("above", "int"), ("below", "int"),
                 ("built_up_m2", "numeric"), ("parcel_refs", "text[]")],
    "register_unit": [*_WHERE, *_LIFE, ("register_id", "text"), ("grp", "int")],
    "subject": [*_WHERE, ("ns", "text"), ("local_id", "text"), ("version_end", "timestamp"),
                ("kind", "text"), ("first_name", "text"), ("second_name", "text"),
                ("surname", "text"), ("pesel", "text"), ("name", "text"), ("regon", "text"),
                ("member_refs", "text[]")],
    "share": [*_WHERE, ("version_end", "timestamp"), ("right_code", "text"),
              ("numerator", "int"), ("denominator", "int"), ("subject_ref", "text"),
              ("jrg_ref", "text")],
}
KINDS = tuple(COLUMNS)
CHUNK_ROWS = 5000
# Rows their reader did not number get numbers from here on, above any reader's.
UNNUMBERED_BASE = 10**15


def column_names(kind: str) -> list[str]:
    return ["seq", *(name for name, _ in COLUMNS[kind])]


def table(kind: str) -> str:
    return f"stg_{kind}"


def create_tables() -> None:
    """(Re)create the empty staging tables of this session."""
    with connection.cursor() as cur:
        for kind, columns in COLUMNS.items():
            cols = ", ".join(f"{name} {sqltype}" for name, sqltype in columns)
            cur.execute(f"DROP TABLE IF EXISTS pg_temp.{table(kind)}")
            # `rejected`: the object was refused (lenient import); the merge leaves it out,
            # and leaves alone what is stored of it.
            cur.execute(f"CREATE TEMP TABLE {table(kind)} (seq bigint, {cols}, "
                        f"rejected boolean NOT NULL DEFAULT false)")


# Working tables the checks derive from the staged ones.
DERIVED = ("stg_key", "stg_bounds", "stg_parcel_ru", "stg_building_parcels")


def drop_tables() -> None:
    with connection.cursor() as cur:
        for name in (*map(table, KINDS), *DERIVED):
            cur.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")


class ChunkedCopy:
    """Buffers rows per kind and COPYs a kind's buffer when it holds CHUNK_ROWS.

    Memory stays bounded by CHUNK_ROWS rows per kind whatever the file size. Each
    flush is its own (sub)transaction: outside an outer transaction it commits,
    inside one (tests) it is a savepoint.

    Every row gets a `seq` unless its reader numbered it (CadastreReader.number):
    a parcel's land-use pieces carry their parcel's number, so they need no lookup
    after loading. Readers number from their own base, so numbers never collide.
    """

    def __init__(self, chunk_rows: int = CHUNK_ROWS) -> None:
        self.chunk_rows = chunk_rows
        self.buffers: dict[str, list[tuple]] = {kind: [] for kind in KINDS}
        self.names = {kind: column_names(kind) for kind in KINDS}
        self.staged: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.added: dict[str, int] = dict.fromkeys(KINDS, 0)

    def add(self, kind: str, row: dict) -> None:
        if row.get("seq") is None:
            self.added[kind] += 1
            row["seq"] = UNNUMBERED_BASE + self.added[kind]
        self.add_values(kind, tuple(row.get(name) for name in self.names[kind]))

    def add_values(self, kind: str, values: tuple) -> None:
        """A row already in column order (from a reader process)."""
        buffer = self.buffers[kind]
        buffer.append(values)
        if len(buffer) >= self.chunk_rows:
            self.flush(kind)

    def flush(self, kind: str) -> None:
        rows = self.buffers[kind]
        if not rows:
            return
        self._copy(kind, rows)
        self.staged[kind] += len(rows)
        self.buffers[kind] = []

    def flush_all(self) -> None:
        for kind in KINDS:
            self.flush(kind)

    def _copy(self, kind: str, rows: Iterable[tuple]) -> None:
        columns = ", ".join(self.names[kind])
        statement = f"COPY {table(kind)} ({columns}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def mark_rejected(rejected: dict[str, set[int]]) -> None:
    """Flag the staged rows of objects an error refused, by kind and file line."""
    with connection.cursor() as cur:
        for kind, lines in rejected.items():
            cur.execute(f"UPDATE {table(kind)} SET rejected = true WHERE line = ANY(%s)",  # noqa: S608
                        [sorted(lines)])


def index_tables() -> None:
    """Indexes for the SQL checks and the merge, built once after loading."""
    statements = [
        "CREATE UNIQUE INDEX ON stg_parcel (seq)",
        "CREATE UNIQUE INDEX ON stg_building (seq)",
        "CREATE INDEX ON stg_parcel (parcel_id)",
        "CREATE INDEX ON stg_parcel (gml_id)",
        "CREATE INDEX ON stg_parcel (local_id)",
        "CREATE INDEX ON stg_building (local_id)",
        "CREATE INDEX ON stg_building (building_id)",
        "CREATE INDEX ON stg_land_use (parcel_ref)",
        "CREATE INDEX ON stg_land_use (parcel_seq)",
        "CREATE INDEX ON stg_share (jrg_ref)",
    ]
    with connection.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        for kind in KINDS:
            cur.execute(f"ANALYZE {table(kind)}")
