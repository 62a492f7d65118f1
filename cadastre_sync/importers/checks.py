"""Set-based checks of the staged rows, in SQL, before anything is merged.

Geometry is made ready here: coordinates are checked against the extent of Poland
in the file's own CRS (a swapped axis order lands far outside it), transformed to
EPSG:2180, tested with ST_IsValid and repaired with ST_MakeValid (or rejected
under --strict). Links are resolved to natural keys (parcel id, register unit id,
owner id), whatever order the features came in. Each check reports the file line
and gml:id kept with the staged row.
"""
# ruff: noqa: S608 - SQL is built from our own table and column names only; values
# always travel as query parameters.

from dataclasses import dataclass

from django.db import connection

from ..errors import ERROR, WARNING
from .base import Report
from .values import DEFAULT_AREA_TOLERANCE_HA

# Extent of Poland in each cadastre CRS, easting/northing (xmin, ymin, xmax, ymax), with a
# margin. PL-2000 zone k (EPSG:2171+k) is 3° wide around 3k° E: eastings k·10⁶ + 500 km
# ± 110 km at 49° N, allowed ± 135 km since a powiat straddling a zone edge keeps one zone;
# northings of 49.0°-54.9° N. Swapped axes land outside these in zones 6-8 always; in
# zone 5 and PL-1992 the ranges overlap in part, and the unit's boundary (when recorded)
# catches the rest.
POLAND_BOUNDS = {
    2176: (5_365_000, 5_400_000, 5_635_000, 6_100_000),
    2177: (6_365_000, 5_400_000, 6_635_000, 6_100_000),
    2178: (7_365_000, 5_400_000, 7_635_000, 6_100_000),
    2179: (8_365_000, 5_400_000, 8_635_000, 6_100_000),
    2180: (100_000, 100_000, 900_000, 800_000),
}
# Tables with geometry: staged kind -> the column naming the object in messages.
SPATIAL = {"parcel": "parcel_id", "building": "building_id", "precinct": "precinct_code"}
# A unit's parcels may stick out of its recorded boundary by this much (metres).
BOUNDARY_MARGIN_M = 1000

@dataclass(frozen=True)
class Check:
    kind: str
    code: str
    severity: str
    message: str  # formatted with the row's object_id and detail
    sql: str  # selects line, gml_id, object_id, detail


def _run(sql: str, params: dict | None = None) -> list[tuple]:
    """Execute; without parameters a string may hold several statements."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _report(report: Report, check: Check, params: dict | None = None) -> None:
    for line, gml_id, object_id, detail in _run(check.sql, params):
        report.add(check.message.format(object_id=object_id or "", detail=detail or ""),
                   code=check.code, severity=check.severity, line=line, gml_id=gml_id or "",
                   object_id=object_id or "", kind=check.kind)


BOUNDS_SQL = [
    "DROP TABLE IF EXISTS pg_temp.stg_bounds",
    "CREATE TEMP TABLE stg_bounds AS SELECT * FROM unnest(%(srid)s::int[], %(x0)s::float8[], "
    "%(y0)s::float8[], %(x1)s::float8[], %(y1)s::float8[]) AS b(srid, x0, y0, x1, y1)",
]
_OUTSIDE = ("ST_XMin({g}) < b.x0 OR ST_YMin({g}) < b.y0 OR ST_XMax({g}) > b.x1 "
            "OR ST_YMax({g}) > b.y1")
_FIRST_POINT = "ST_AsText(ST_PointN(ST_ExteriorRing(ST_GeometryN({g}, 1)), 1), 2)"


def _bounds_params() -> dict:
    keys = ("x0", "y0", "x1", "y1")
    return {"srid": list(POLAND_BOUNDS),
            **{k: [b[i] for b in POLAND_BOUNDS.values()] for i, k in enumerate(keys)}}


def geometry_checks(kind: str, ident: str, strict: bool) -> dict[str, Check]:
    """The checks of one spatial kind, by the step they belong to."""
    source_outside = _OUTSIDE.format(g="s.geom_in")
    return {
        "outside": Check(
            kind, "outside_poland", ERROR,
            "coordinates (EPSG:{detail}) lie outside Poland in their CRS; "
            "is the axis order swapped (EGiB GML writes northing first)?",
            f"SELECT s.line, s.gml_id, s.{ident}, ST_SRID(s.geom_in) || ': ' || "
            f"{_FIRST_POINT.format(g='s.geom_in')} FROM stg_{kind} s JOIN stg_bounds b "
            f"ON b.srid = ST_SRID(s.geom_in) WHERE {source_outside}"),
        "unknown_crs": Check(
            kind, "unknown_crs", ERROR, "EPSG:{detail} is not a coordinate system PostGIS knows",
            f"SELECT line, gml_id, {ident}, ST_SRID(geom_in) FROM stg_{kind} s "
            f"WHERE geom_in IS NOT NULL AND NOT EXISTS (SELECT 1 FROM spatial_ref_sys r "
            f"WHERE r.srid = ST_SRID(s.geom_in))"),
        # Other CRSs (e.g. EPSG:4326 GeoJSON) are checked once in EPSG:2180.
        "outside_2180": Check(
            kind, "outside_poland", ERROR,
            "the geometry lies outside Poland once transformed to EPSG:2180 ({detail})",
            f"SELECT s.line, s.gml_id, s.{ident}, {_FIRST_POINT.format(g='s.geom')} "
            f"FROM stg_{kind} s JOIN stg_bounds b ON b.srid = 2180 "
            f"WHERE s.geom IS NOT NULL AND ({_OUTSIDE.format(g='s.geom')})"),
        "invalid": Check(
            kind, "invalid_geometry", ERROR if strict else WARNING,
            "invalid geometry (" + ("rejected under --strict" if strict
                                    else "repaired with ST_MakeValid") + "): {detail}",
            f"SELECT line, gml_id, {ident}, ST_IsValidReason(geom) FROM stg_{kind} "
            f"WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)"),
        "empty": Check(
            kind, "empty_geometry", ERROR, "nothing is left of the geometry after repair",
            f"SELECT line, gml_id, {ident}, '' FROM stg_{kind} "
            f"WHERE geom IS NOT NULL AND ST_IsEmpty(geom)"),
        "outside_unit": Check(
            kind, "outside_unit", ERROR,
            f"lies outside the unit's boundary (more than {BOUNDARY_MARGIN_M} m); "
            "is the axis order swapped?",
            f"SELECT s.line, s.gml_id, s.{ident}, '' FROM stg_{kind} s, "
            f"(SELECT ST_Buffer(ST_GeomFromWKB(%(b)s, 2180), {BOUNDARY_MARGIN_M}) AS g) u "
            f"WHERE s.geom IS NOT NULL AND NOT ST_Intersects(s.geom, u.g)"),
    }


def _transform(kind: str) -> str:
    """To EPSG:2180, every row whose CRS PostGIS knows and that passed the bounds check."""
    return (f"UPDATE stg_{kind} s SET geom = ST_Multi(ST_Transform(s.geom_in, 2180)) "
            f"WHERE s.geom_in IS NOT NULL "
            f"AND EXISTS (SELECT 1 FROM spatial_ref_sys r WHERE r.srid = ST_SRID(s.geom_in)) "
            f"AND NOT EXISTS (SELECT 1 FROM stg_bounds b WHERE b.srid = ST_SRID(s.geom_in) "
            f"AND ({_OUTSIDE.format(g='s.geom_in')}))")


def _repair(kind: str) -> str:
    # ST_MakeValid may return a collection with lines where a polygon collapsed; keep areas.
    return (f"UPDATE stg_{kind} SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) "
            f"WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)")


def prepare_geometry(report: Report, *, strict: bool, boundary_wkb: bytes | None) -> None:
    """Bounds, transformation, validity (repair) and the unit's boundary, per spatial kind."""
    _run(BOUNDS_SQL[0])
    _run(BOUNDS_SQL[1], _bounds_params())
    for kind, ident in SPATIAL.items():
        checks = geometry_checks(kind, ident, strict)
        _report(report, checks["outside"])
        _report(report, checks["unknown_crs"])
        _run(f"ALTER TABLE stg_{kind} ADD COLUMN geom geometry(MultiPolygon, 2180)")
        _run(_transform(kind))
        _report(report, checks["outside_2180"])
        _report(report, checks["invalid"])
        if not strict:
            _run(_repair(kind))
            _report(report, checks["empty"])
        if boundary_wkb:
            _report(report, checks["outside_unit"], {"b": boundary_wkb})
    # Formats without a registered area (an OGR file with no area field): the drawn one.
    _run("UPDATE stg_parcel SET area_ha = round((ST_Area(geom) / 10000)::numeric, 4) "
         "WHERE area_ha IS NULL AND geom IS NOT NULL")


def _current(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"{prefix}version_end IS NULL AND {prefix}object_end IS NULL"


_DRAWN_M2 = (f"CASE WHEN ST_SRID(geom_in) IN ({', '.join(map(str, POLAND_BOUNDS))}) "
             f"THEN ST_Area(geom_in) ELSE ST_Area(geom) END")


def record_checks() -> list[Check]:
    """Duplicates and areas: whole-file questions a streaming reader cannot answer."""
    return [
        Check("parcel", "duplicate_parcel", ERROR,
              "the id appears {detail} times as a current version (no end date)",
              f"SELECT min(line), min(gml_id), parcel_id, count(*) FROM stg_parcel "
              f"WHERE {_current()} GROUP BY parcel_id HAVING count(*) > 1"),
        Check("parcel", "duplicate_gml_id", ERROR, "gml:id used by {detail} parcels",
              "SELECT min(line), gml_id, min(parcel_id), count(*) FROM stg_parcel "
              "GROUP BY gml_id HAVING count(*) > 1"),
        Check("building", "duplicate_building", ERROR,
              "the id appears {detail} times as a current version (no end date)",
              f"SELECT min(line), min(gml_id), building_id, count(*) FROM stg_building "
              f"WHERE {_current()} GROUP BY building_id HAVING count(*) > 1"),
        Check("register_unit", "duplicate_register_unit", ERROR,
              "the id appears {detail} times as a current version (no end date)",
              f"SELECT min(line), min(gml_id), register_id, count(*) FROM stg_register_unit "
              f"WHERE {_current()} GROUP BY register_id HAVING count(*) > 1"),
        # The registered area was computed in the file's CRS (a PL-2000 zone or PL-1992):
        # compare with the area there; in any other CRS, with the area in EPSG:2180.
        Check("parcel", "area_mismatch", WARNING,
              "{detail}: the difference exceeds the accuracy the file states "
              "({default} ha where it states none)".replace(
                  "{default}", str(DEFAULT_AREA_TOLERANCE_HA)),
              f"SELECT line, gml_id, parcel_id, round(({_DRAWN_M2} / 10000)::numeric, 4) "
              f"|| ' ha drawn, ' || area_ha || ' ha registered' FROM stg_parcel "
              f"WHERE geom IS NOT NULL AND area_ha IS NOT NULL AND abs({_DRAWN_M2} / 10000 "
              f"- area_ha) > coalesce(accuracy_ha, {DEFAULT_AREA_TOLERANCE_HA})"),
        Check("share", "bad_share", WARNING,
              "share {detail} is not a proper fraction; the share is not imported",
              "SELECT line, gml_id, '', coalesce(numerator::text, '?') || '/' || "
              "coalesce(denominator::text, '?') FROM stg_share WHERE version_end IS NULL "
              "AND NOT coalesce(numerator BETWEEN 1 AND denominator, false)"),
    ]


def ownership_checks() -> list[Check]:
    return [
        Check("share", "unsupported_right", WARNING,
              "the right “{detail}” (rodzajPrawa) is not one the model holds; "
              "the share is not imported",
              "SELECT line, gml_id, '', right_code FROM stg_share WHERE version_end IS NULL "
              "AND coalesce(right_code, '') <> ALL(%(right_codes)s::text[])"),
        Check("share", "unsupported_owner", WARNING,
              "the share is held by a group subject (podmiot grupowy), which the model does not "
              "hold; the share is not imported",
              "SELECT s.line, s.gml_id, '', '' FROM stg_share s JOIN stg_key k "
              "ON k.key = s.subject_ref AND k.kind = 'subject' JOIN stg_subject g "
              "ON left(coalesce(nullif(g.local_id, ''), g.gml_id), 100) = k.target "
              "AND g.kind = 'group' WHERE s.version_end IS NULL"),
    ]


def run_record_checks(report: Report) -> None:
    for check in record_checks():
        _report(report, check)


def run_ownership_checks(report: Report, right_codes: list[str]) -> None:
    for check in ownership_checks():
        _report(report, check, {"right_codes": right_codes})


# Every key a link may use -> what it names. A 2021 link names one version by gml:id, a
# 2015 link names the object by its IIP id; both resolve to the object's natural key,
# preferring the current version when several share an IIP id.
KEYS_SQL = f"""
DROP TABLE IF EXISTS pg_temp.stg_key;
CREATE TEMP TABLE stg_key AS
SELECT DISTINCT ON (key, kind) key, kind, target FROM (
    SELECT gml_id AS key, 'parcel' AS kind, parcel_id AS target, {_current()} AS cur
      FROM stg_parcel
    UNION ALL SELECT iip, 'parcel', parcel_id, {_current()} FROM stg_parcel
    UNION ALL SELECT gml_id, 'register_unit', register_id, {_current()} FROM stg_register_unit
    UNION ALL SELECT iip, 'register_unit', register_id, {_current()} FROM stg_register_unit
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
              "JRG2 link “{detail}” leads to no register unit in this file",
              f"SELECT line, gml_id, parcel_id, jrg_ref FROM stg_parcel p "
              f"WHERE {_current('p')} AND jrg_ref <> '' "
              f"AND NOT EXISTS (SELECT 1 FROM stg_parcel_ru r WHERE r.seq = p.seq)"),
        Check("parcel", "unresolved_link", WARNING,
              "land-use link “{detail}” leads to no EGB_Klasouzytek in this file",
              f"SELECT p.line, p.gml_id, p.parcel_id, r.ref FROM stg_parcel p, "
              f"unnest(p.land_use_refs) r(ref) WHERE {_current('p')} AND NOT EXISTS "
              f"(SELECT 1 FROM stg_key k WHERE k.key = r.ref AND k.kind = 'land_use')"),
        Check("building", "unresolved_link", WARNING,
              "{detail} of its dzialkaZabudowana links lead to no parcel in this file",
              f"SELECT b.line, b.gml_id, b.building_id, cardinality(b.parcel_refs) - "
              f"coalesce(cardinality(l.parcel_ids), 0) FROM stg_building b "
              f"LEFT JOIN stg_building_parcels l ON l.seq = b.seq WHERE {_current('b')} "
              f"AND cardinality(b.parcel_refs) > coalesce(cardinality(l.parcel_ids), 0)"),
        Check("share", "unresolved_link", WARNING,
              "share links to a register unit or owner that is not in this file "
              "({detail}); the share is not imported",
              "SELECT line, gml_id, '', concat_ws(', ', CASE WHEN register_id IS NULL THEN "
              "'register unit “' || jrg_ref || '”' END, CASE WHEN subject IS NULL THEN "
              "'owner “' || subject_ref || '”' END) FROM stg_share "
              "WHERE version_end IS NULL AND (register_id IS NULL OR subject IS NULL)"),
        Check("subject", "unresolved_link", WARNING,
              "a married couple whose two persons are not both in this file; "
              "its shares are not imported",
              "SELECT line, gml_id, '', '' FROM stg_subject "
              "WHERE kind = 'marriage' AND cardinality(members) <> 2"),
    ]


def resolve_links(report: Report) -> None:
    _run(KEYS_SQL)
    for statement in RESOLVE_SQL:
        _run(statement)
    # The merge joins on the resolved keys; without fresh statistics on these temporary
    # tables the planner picks nested loops that grow with the square of the file.
    for kind in ("parcel", "land_use", "building", "register_unit", "subject", "share"):
        _run(f"ANALYZE stg_{kind}")
    for check in link_checks():
        _report(report, check)
