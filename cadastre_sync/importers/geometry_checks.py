"""Geometry of the staged rows, in the database: bounds, transformation, validity.

Coordinates are checked against the extent of Poland in the file's own CRS (a
swapped axis order lands outside it), transformed to EPSG:2180, tested with
ST_IsValid and repaired with ST_MakeValid, or rejected under --strict; with a
recorded unit boundary, objects far outside it are rejected too.
"""
# ruff: noqa: S608 - SQL is built from our own table and column names only; values
# always travel as query parameters.

from django.utils.translation import gettext_noop as N_

from ..errors import ERROR, WARNING
from .base import Report
from .checks import Check, report_rows, run_sql

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
# GEOS's validity reasons (ST_IsValidDetail), marked for translation.
GEOS_REASONS = (
    N_("Self-intersection"), N_("Ring Self-intersection"), N_("Too few points in geometry "
    "component"), N_("Hole lies outside shell"), N_("Nested holes"),
    N_("Interior is disconnected"), N_("Nested shells"), N_("Duplicate Rings"),
    N_("Invalid Coordinate"), N_("Ring is not closed"), N_("Repeated Point"),
)
# A unit's parcels may stick out of its recorded boundary by this much (metres).
BOUNDARY_MARGIN_M = 1000

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
            N_("coordinates (EPSG:%(srid)s, first point %(point)s) lie outside Poland in "
               "their coordinate system; is the axis order swapped (EGiB GML writes "
               "northing first)?"),
            f"SELECT s.line, s.gml_id, s.{ident}, ST_SRID(s.geom_in) AS srid, "
            f"{_FIRST_POINT.format(g='s.geom_in')} AS point FROM stg_{kind} s JOIN stg_bounds b "
            f"ON b.srid = ST_SRID(s.geom_in) WHERE {source_outside}"),
        "unknown_crs": Check(
            kind, "unknown_crs", ERROR,
            N_("EPSG:%(srid)s is not a coordinate system PostGIS knows"),
            f"SELECT line, gml_id, {ident}, ST_SRID(geom_in) AS srid FROM stg_{kind} s "
            f"WHERE geom_in IS NOT NULL AND NOT EXISTS (SELECT 1 FROM spatial_ref_sys r "
            f"WHERE r.srid = ST_SRID(s.geom_in))"),
        # Other CRSs (e.g. EPSG:4326 GeoJSON) are checked once in EPSG:2180.
        "outside_2180": Check(
            kind, "outside_poland", ERROR,
            N_("the geometry lies outside Poland once transformed to EPSG:2180 (first point "
               "%(point)s)"),
            f"SELECT s.line, s.gml_id, s.{ident}, {_FIRST_POINT.format(g='s.geom')} AS point "
            f"FROM stg_{kind} s JOIN stg_bounds b ON b.srid = 2180 "
            f"WHERE s.geom IS NOT NULL AND ({_OUTSIDE.format(g='s.geom')})"),
        "invalid": Check(
            kind, "invalid_geometry", ERROR if strict else WARNING,
            N_("invalid geometry (rejected under --strict): %(reason)s at %(point)s")
            if strict else
            N_("invalid geometry (repaired with ST_MakeValid): %(reason)s at %(point)s"),
            f"SELECT line, gml_id, {ident}, (d).reason, ST_AsText((d).location, 2) AS point "
            f"FROM (SELECT line, gml_id, {ident}, ST_IsValidDetail(geom) AS d FROM stg_{kind} "
            f"WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)) v",
            translate=("reason",)),
        "empty": Check(
            kind, "empty_geometry", ERROR, N_("nothing is left of the geometry after repair"),
            f"SELECT line, gml_id, {ident} FROM stg_{kind} "
            f"WHERE geom IS NOT NULL AND ST_IsEmpty(geom)"),
        "outside_unit": Check(
            kind, "outside_unit", ERROR,
            N_("lies outside the unit's boundary (more than %(margin)s m); is the axis order "
               "swapped?"),
            f"SELECT s.line, s.gml_id, s.{ident}, {BOUNDARY_MARGIN_M} AS margin "
            f"FROM stg_{kind} s, "
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
    run_sql(BOUNDS_SQL[0])
    run_sql(BOUNDS_SQL[1], _bounds_params())
    for kind, ident in SPATIAL.items():
        checks = geometry_checks(kind, ident, strict)
        report_rows(report, checks["outside"])
        report_rows(report, checks["unknown_crs"])
        run_sql(f"ALTER TABLE stg_{kind} ADD COLUMN geom geometry(MultiPolygon, 2180)")
        run_sql(_transform(kind))
        report_rows(report, checks["outside_2180"])
        report_rows(report, checks["invalid"])
        if not strict:
            run_sql(_repair(kind))
            report_rows(report, checks["empty"])
        if boundary_wkb:
            report_rows(report, checks["outside_unit"], {"b": boundary_wkb})
    # Formats without a registered area (an OGR file with no area field): the drawn one.
    run_sql("UPDATE stg_parcel SET area_ha = round((ST_Area(geom) / 10000)::numeric, 4) "
         "WHERE area_ha IS NULL AND geom IS NOT NULL")
