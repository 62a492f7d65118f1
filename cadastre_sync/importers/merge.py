"""The merge: checked staging rows into the real tables, set-based, in one transaction.

The caller wraps `merge()` in `transaction.atomic()`: either every statement here
takes effect or none does. Rules (cadastre_sync.models):
- only versions without an end are current; a current object already stored and
  equal in every attribute is left alone ("unchanged"), so re-importing a file
  changes nothing;
- a changed object keeps its row; its previous state goes to ParcelVersion /
  BuildingVersion first; archived versions found in the file are added to the
  history too, once (by version id);
- objects of the precincts the file covers that it no longer holds are retired,
  never deleted. A file covering one precinct leaves the others alone.
Statements name tables through `{placeholders}` filled from the models' db_table
(our identifiers); values always travel as parameters.
"""
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

from . import merge_sql as q

MODELS = {
    "precinct": "cadastre_sync.Precinct", "parcel": "cadastre_sync.Parcel",
    "parcel_version": "cadastre_sync.ParcelVersion", "land_use": "cadastre_sync.LandUsePiece",
    "building": "cadastre_sync.Building", "building_version": "cadastre_sync.BuildingVersion",
    "register_unit": "cadastre_sync.RegisterUnit", "owner": "cadastre_sync.Owner",
    "share": "cadastre_sync.OwnershipShare",
}
# Up to this many changed geometries the changed extent is their exact union; beyond it,
# the union of the bounding boxes of the changes per 1 km cell (cheap, and a change that
# large refreshes whole map areas anyway).
EXACT_EXTENT_MAX = 5000
MERGE_TABLES = ("mrg_scope", "mrg_precinct", "mrg_ru", "mrg_owner", "mrg_owner_pk", "mrg_share",
                "mrg_share_changed", "mrg_land_use", "mrg_parcel", "mrg_building", "mrg_changed",
                "mrg_history")


def table_names() -> dict[str, str]:
    names = {short: apps.get_model(label)._meta.db_table for short, label in MODELS.items()}
    names["building_parcels"] = apps.get_model(MODELS["building"]).parcels.through._meta.db_table
    return names


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0  # share rows replaced because a register unit's ownership changed

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v or k != "removed"}


@dataclass
class MergeResult:
    counts: dict[str, Counts] = field(default_factory=dict)
    extent_ewkb: bytes | None = None


class Merger:
    def __init__(self, unit_id: int, rights: dict[str, str]) -> None:
        self.tables = table_names()
        self.params = {"unit_id": unit_id, "right_codes": list(rights),
                       "right_values": list(rights.values()), "exact_max": EXACT_EXTENT_MAX}
        self.result = MergeResult()

    def sql(self, statement: str) -> int:
        with connection.cursor() as cur:
            cur.execute(statement.format(**self.tables), self.params)
            return cur.rowcount

    def rows(self, statement: str) -> list[tuple]:
        with connection.cursor() as cur:
            cur.execute(statement.format(**self.tables), self.params)
            return cur.fetchall()

    def script(self, statements: list[str]) -> list[int]:
        return [self.sql(s) for s in statements]

    def counted(self, kind: str, statement: str) -> Counts:
        """Counts by action from a `SELECT action, count(*)` statement."""
        counts = self.result.counts.setdefault(kind, Counts())
        for action, n in self.rows(statement):
            if action != "rejected":  # counted from the report, with the archived versions
                setattr(counts, action, n)
        return counts

    def run(self) -> MergeResult:
        # One merge per unit at a time: a second import of the same unit waits here
        # (until the first commits) instead of failing on the unique current ids.
        self.sql("SELECT pg_advisory_xact_lock(hashtext('cadastre_sync.merge'), %(unit_id)s::int)")
        for name in MERGE_TABLES:
            self.sql(f"DROP TABLE IF EXISTS pg_temp.{name}")
        self.script(q.SCOPE)
        self.precincts()
        self.register_units()
        self.owners_and_shares()
        self.parcels()
        self.buildings()
        self.result.extent_ewkb = self.rows(q.EXTENT)[0][0]
        return self.result

    def precincts(self) -> None:
        self.script(q.PRECINCT_PREPARE)
        _, created, updated = self.script(q.PRECINCT_WRITE)
        total = self.rows("SELECT count(*) FROM mrg_precinct")[0][0]
        self.result.counts["precinct"] = Counts(created=created, updated=updated,
                                                unchanged=total - created - updated)

    def register_units(self) -> None:
        self.script(q.RU_PREPARE)
        _, created, updated, _ = self.script(q.RU_WRITE)
        retired = self.sql(q.RU_RETIRE)
        total = self.rows("SELECT count(*) FROM mrg_ru")[0][0]
        self.result.counts["register_unit"] = Counts(created, updated, retired,
                                                     total - created - updated)

    def owners_and_shares(self) -> None:
        self.script(q.OWNER_PREPARE)
        created, updated, _ = self.script(q.OWNER_WRITE)
        total = self.rows("SELECT count(*) FROM mrg_owner")[0][0]
        self.result.counts["owner"] = Counts(created=created, updated=updated,
                                             unchanged=total - created - updated)
        self.script(q.SHARE_PREPARE)
        removed, created = self.script(q.SHARE_WRITE)
        unchanged = self.rows(q.SHARE_UNCHANGED)[0][0]
        self.result.counts["share"] = Counts(created=created, removed=removed, unchanged=unchanged)

    def parcels(self) -> None:
        self.script(q.PARCEL_PREPARE)
        self.script(q.PARCEL_WRITE)
        counts = self.counted("parcel", "SELECT action, count(*) FROM mrg_parcel GROUP BY action")
        counts.retired = self.sql(q.PARCEL_RETIRE)
        self.script(q.PARCEL_AFTER)

    def buildings(self) -> None:
        self.script(q.BUILDING_PREPARE)
        self.script(q.BUILDING_WRITE)
        counts = self.counted("building",
                              "SELECT action, count(*) FROM mrg_building GROUP BY action")
        counts.retired = self.sql(q.BUILDING_RETIRE)
        self.script(q.BUILDING_AFTER)


def merge(unit_id: int, rights: dict[str, str]) -> MergeResult:
    return Merger(unit_id, rights).run()


def drop_merge_tables() -> None:
    with connection.cursor() as cur:
        for name in MERGE_TABLES:
            cur.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")


# A county's file, imported by its powiat, is merged gmina by gmina: each gmina's slice of
# the checked staging tables (its ids start with its TERYT code) goes into that gmina, so a
# parcel is stored once, in the gmina it lies in, and the owners a gmina sees are those of
# its own register units. Slices in dependency order; `subject` rows are the owners (and
# the spouses of the couples) named by the slice's shares.
_SLICES = (
    ("stg_parcel", "parcel_id LIKE %(prefix)s"),
    ("stg_parcel_ru", "seq IN (SELECT seq FROM stg_parcel)"),
    ("stg_land_use", "parcel_seq IN (SELECT seq FROM stg_parcel)"),
    ("stg_precinct", "precinct_code LIKE %(prefix)s"),
    ("stg_building", "building_id LIKE %(prefix)s"),
    ("stg_building_parcels", "seq IN (SELECT seq FROM stg_building)"),
    ("stg_register_unit", "register_id LIKE %(prefix)s "
                          "OR register_id IN (SELECT register_id FROM stg_parcel_ru)"),
    ("stg_share", "register_id IN (SELECT register_id FROM stg_register_unit)"),
    ("stg_subject", "left(coalesce(nullif(s.local_id, ''), s.gml_id), 100) IN ("
                    "SELECT subject FROM stg_share UNION "
                    "SELECT unnest(m.members) FROM county_stg_subject m WHERE m.kind = "
                    "'marriage' AND left(coalesce(nullif(m.local_id, ''), m.gml_id), 100) IN "
                    "(SELECT subject FROM stg_share))"),
)


def merge_by_gmina(gminy: list[tuple[int, str]], rights: dict[str, str]
                   ) -> list[tuple[int, MergeResult]]:
    """Merge a county file's staging into each of `gminy` ((unit id, TERYT) pairs): the
    gmina's slice only. The caller's transaction makes it all or nothing, and a rollback
    also undoes the renaming of the staging tables done here."""
    results = []
    with connection.cursor() as cur:
        for name, _condition in _SLICES:
            cur.execute(f"ALTER TABLE pg_temp.{name} RENAME TO county_{name}")
        for unit_id, teryt in gminy:
            prefix = teryt.replace("_", "\\_") + ".%"
            for name, condition in _SLICES:
                cur.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
                cur.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM county_{name} s "  # noqa: S608 - names and conditions from _SLICES
                            f"WHERE {condition}", {"prefix": prefix})
            results.append((unit_id, merge(unit_id, rights)))
        for name, _condition in _SLICES:
            cur.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
            cur.execute(f"ALTER TABLE pg_temp.county_{name} RENAME TO {name}")
    return results
