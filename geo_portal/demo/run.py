"""One generation run: the cursor, the parameters every statement shares, and timings.

Statements name tables through `{placeholders}` filled from the models' db_table
(our own identifiers, never user input); values always travel as query parameters.
"""
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps

# Short names for the tables the generator writes, resolved from the models.
MODELS = {
    "unit": "core.AdministrativeUnit",
    "precinct": "cadastre_sync.Precinct",
    "parcel": "cadastre_sync.Parcel",
    "parcel_version": "cadastre_sync.ParcelVersion",
    "land_use": "cadastre_sync.LandUsePiece",
    "building": "cadastre_sync.Building",
    "building_version": "cadastre_sync.BuildingVersion",
    "address": "cadastre_sync.Address",
    "register_unit": "cadastre_sync.RegisterUnit",
    "owner": "cadastre_sync.Owner",
    "share": "cadastre_sync.OwnershipShare",
    "plan": "layers.ZoningPlan",
    "zone": "layers.ZoningZone",
    "plan_area": "layers.PlanArea",
    "plan_document": "layers.PlanDocument",
    "plan_drawing": "layers.PlanDrawing",
}


def table_names() -> dict[str, str]:
    names = {short: apps.get_model(label)._meta.db_table for short, label in MODELS.items()}
    building = apps.get_model("cadastre_sync.Building")
    names["building_parcels"] = building.parcels.through._meta.db_table
    return names


@dataclass
class Stage:
    name: str
    seconds: float
    rows: int


@dataclass
class Run:
    cursor: object
    params: dict
    progress: Callable[[str], None]
    tables: dict[str, str] = field(default_factory=table_names)
    stages: list[Stage] = field(default_factory=list)

    trace: bool = False  # report every statement's time, not only each stage's

    def sql(self, statement: str, extra: dict | None = None) -> int:
        """Execute one statement; return its row count (or -1 where none applies)."""
        started = time.perf_counter()
        self.cursor.execute(statement.format(**self.tables), {**self.params, **(extra or {})})
        if self.trace:
            first = " ".join(statement.split())[:60]
            self.progress(f"    {time.perf_counter() - started:8.2f} s  {first}")
        return self.cursor.rowcount

    def load(self, table: str, types: list[str], rows: list[tuple]) -> int:
        """Insert `rows` into temp `table` with one unnest() over typed parameter arrays."""
        cast = {"float8": lambda v: None if v is None else float(v),
                "int": lambda v: None if v is None else int(v)}
        columns = ", ".join(f"%(c{i})s::{t}[]" for i, t in enumerate(types))
        arrays = {f"c{i}": [cast.get(t, lambda v: v)(r[i]) for r in rows]
                  for i, t in enumerate(types)}
        # Table and types are ours; the values travel as parameters.
        statement = f"INSERT INTO {table} SELECT * FROM unnest({columns})"  # noqa: S608
        return self.sql(statement, arrays)

    def value(self, statement: str, extra: dict | None = None):
        self.sql(statement, extra)
        return self.cursor.fetchone()[0]

    @contextmanager
    def stage(self, name: str) -> Iterator[list[int]]:
        """Time a stage; the body appends row counts to the yielded list."""
        counts: list[int] = []
        started = time.perf_counter()
        yield counts
        seconds = time.perf_counter() - started
        rows = sum(c for c in counts if c > 0)
        self.stages.append(Stage(name, seconds, rows))
        self.progress(f"  {name:<28} {seconds:8.2f} s  {rows:>12,} rows")
