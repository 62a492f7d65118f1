"""Links between staged features, resolved in SQL whatever order they came in.

A 2021 export links to one version by gml:id, a 2015 export to the object by its
IIP id; both resolve to the object: a parcel's IIP identifier (its parcel id where the
file gives none), a register unit's or an owner's id. Links that lead nowhere in the
file are reported and left empty.
"""
# ruff: noqa: S608 - SQL is built from our own table and column names only; values
# always travel as query parameters.

from django.utils.translation import gettext_noop as N_

from ..errors import WARNING
from .base import Report
from .checks import Check, current, object_key, report_rows, run_sql

# Every key a link may use -> what it names. A 2021 link names one version by gml:id, a
# 2015 link names the object by its IIP id; both resolve to the object's natural key,
# preferring the current version when several share an IIP id.
KEYS_SQL = f"""
DROP TABLE IF EXISTS pg_temp.stg_key;
CREATE TEMP TABLE stg_key AS
SELECT DISTINCT ON (key, kind) key, kind, target FROM (
    SELECT gml_id AS key, 'parcel' AS kind, {object_key('parcel_id')} AS target,
           {current()} AS cur FROM stg_parcel
    UNION ALL SELECT iip, 'parcel', {object_key('parcel_id')}, {current()} FROM stg_parcel
    UNION ALL SELECT gml_id, 'register_unit', register_id, {current()} FROM stg_register_unit
    UNION ALL SELECT iip, 'register_unit', register_id, {current()} FROM stg_register_unit
    UNION ALL SELECT gml_id, 'subject', left(coalesce(nullif(local_id, ''), gml_id), 100),
                     version_end IS NULL FROM stg_subject
    UNION ALL SELECT iip, 'subject', left(coalesce(nullif(local_id, ''), gml_id), 100),
                     version_end IS NULL FROM stg_subject
    UNION ALL SELECT gml_id, 'land_use', seq::text, true FROM stg_land_use
    UNION ALL SELECT iip, 'land_use', seq::text, true FROM stg_land_use
) k WHERE key <> '' ORDER BY key, kind, cur DESC;
CREATE INDEX ON stg_key (key, kind);
ANALYZE stg_key;
"""
RESOLVE_SQL = [
    # Narrow link tables instead of new columns: no rewrite of the wide staged tables.
    "DROP TABLE IF EXISTS pg_temp.stg_parcel_ru",
    "CREATE TEMP TABLE stg_parcel_ru AS SELECT p.seq, k.target AS register_id "
    "FROM stg_parcel p JOIN stg_key k ON k.key = p.jrg_ref AND k.kind = 'register_unit'",
    "CREATE UNIQUE INDEX ON stg_parcel_ru (seq)",
    # Pieces a reader could not number with their parcel: linked by gml:id or IIP id.
    "UPDATE stg_land_use l SET parcel_seq = p.seq FROM stg_parcel p "
    "WHERE l.parcel_seq IS NULL AND l.parcel_ref <> '' AND p.gml_id = l.parcel_ref",
    "UPDATE stg_land_use l SET parcel_seq = r.seq "
    "FROM (SELECT seq, unnest(land_use_refs) AS ref FROM stg_parcel) r "
    "JOIN stg_key k ON k.key = r.ref AND k.kind = 'land_use' "
    "WHERE l.parcel_seq IS NULL AND l.seq = k.target::bigint",
    "DROP TABLE IF EXISTS pg_temp.stg_building_parcels",
    "CREATE TEMP TABLE stg_building_parcels AS SELECT b.seq, "
    "array_agg(DISTINCT k.target) AS parcel_ids FROM stg_building b, unnest(b.parcel_refs) r "
    "JOIN stg_key k ON k.key = r AND k.kind = 'parcel' GROUP BY b.seq",
    "CREATE UNIQUE INDEX ON stg_building_parcels (seq)",
    "ALTER TABLE stg_share ADD COLUMN register_id text, ADD COLUMN subject text",
    "UPDATE stg_share s SET register_id = k.target FROM stg_key k "
    "WHERE k.key = s.jrg_ref AND k.kind = 'register_unit'",
    "UPDATE stg_share s SET subject = k.target FROM stg_key k "
    "WHERE k.key = s.subject_ref AND k.kind = 'subject'",
    "ALTER TABLE stg_subject ADD COLUMN members text[]",
    "UPDATE stg_subject s SET members = ARRAY(SELECT k.target FROM unnest(s.member_refs) "
    "WITH ORDINALITY r(ref, n) JOIN stg_key k ON k.key = r.ref AND k.kind = 'subject' "
    "ORDER BY r.n) WHERE s.kind = 'marriage'",
]


def link_checks() -> list[Check]:
    """Links that lead nowhere in the file: reported, the link left empty."""
    return [
        Check("parcel", "unresolved_link", WARNING,
              N_("JRG2 link “%(ref)s” leads to no register unit in this file"),
              f"SELECT line, gml_id, parcel_id, jrg_ref AS ref FROM stg_parcel p "
              f"WHERE {current('p')} AND jrg_ref <> '' "
              f"AND NOT EXISTS (SELECT 1 FROM stg_parcel_ru r WHERE r.seq = p.seq)"),
        Check("parcel", "unresolved_link", WARNING,
              N_("land-use link “%(ref)s” leads to no EGB_Klasouzytek in this file"),
              f"SELECT p.line, p.gml_id, p.parcel_id, r.ref FROM stg_parcel p, "
              f"unnest(p.land_use_refs) r(ref) WHERE {current('p')} AND NOT EXISTS "
              f"(SELECT 1 FROM stg_key k WHERE k.key = r.ref AND k.kind = 'land_use')"),
        Check("building", "unresolved_link", WARNING,
              N_("%(n)s of its dzialkaZabudowana links lead to no parcel in this file"),
              f"SELECT b.line, b.gml_id, b.building_id, cardinality(b.parcel_refs) - "
              f"coalesce(cardinality(l.parcel_ids), 0) AS n FROM stg_building b "
              f"LEFT JOIN stg_building_parcels l ON l.seq = b.seq WHERE {current('b')} "
              f"AND cardinality(b.parcel_refs) > coalesce(cardinality(l.parcel_ids), 0)"),
        Check("share", "unresolved_link", WARNING,
              N_("the share links to register unit “%(ref)s”, which is not in this file; "
                 "the share is not imported"),
              "SELECT line, gml_id, '', jrg_ref AS ref FROM stg_share "
              "WHERE version_end IS NULL AND register_id IS NULL AND subject IS NOT NULL"),
        Check("share", "unresolved_link", WARNING,
              N_("the share links to owner “%(ref)s”, who is not in this file; the share is "
                 "not imported"),
              "SELECT line, gml_id, '', subject_ref AS ref FROM stg_share "
              "WHERE version_end IS NULL AND register_id IS NOT NULL AND subject IS NULL"),
        Check("share", "unresolved_link", WARNING,
              N_("the share links to register unit “%(register)s” and owner “%(owner)s”, "
                 "neither of them in this file; the share is not imported"),
              "SELECT line, gml_id, '', jrg_ref AS register, subject_ref AS owner "
              "FROM stg_share WHERE version_end IS NULL AND register_id IS NULL "
              "AND subject IS NULL"),
        Check("subject", "unresolved_link", WARNING,
              N_("a married couple whose two persons are not both in this file; "
                 "its shares are not imported"),
              "SELECT line, gml_id, '' FROM stg_subject "
              "WHERE kind = 'marriage' AND cardinality(members) <> 2"),
    ]


def resolve_links(report: Report) -> None:
    run_sql(KEYS_SQL)
    for statement in RESOLVE_SQL:
        run_sql(statement)
    # The merge joins on the resolved keys; without fresh statistics on these temporary
    # tables the planner picks nested loops that grow with the square of the file.
    for kind in ("parcel", "land_use", "building", "register_unit", "subject", "share"):
        run_sql(f"ANALYZE stg_{kind}")
    for check in link_checks():
        report_rows(report, check)
