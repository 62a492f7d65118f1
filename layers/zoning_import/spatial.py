"""Geometry checks in PostGIS: validity, overlaps, gaps inside the plan boundary, overflow.

The plans and zones read are loaded into two temporary tables of the current
transaction, transformed to EPSG:2180 there; every check is one set-based query
over them, and the writer (write.py) inserts the zones from the same tables.
"""
from dataclasses import dataclass, field

from .parsed import ParsedArea, ParsedPlan, ParsedZone
from .problems import Problem, zoning_problem

SRID = 2180
# Pieces smaller than this (m²) are slivers of digitising: neither a gap nor an overlap.
SLIVER_M2 = 1.0
# Zones within this distance (m) of a gap are named as its neighbours.
NEIGHBOUR_M = 0.01

_CREATE = """
DROP TABLE IF EXISTS pg_temp.zoning_stage_zone, pg_temp.zoning_stage_plan,
    pg_temp.zoning_stage_area;
CREATE TEMP TABLE zoning_stage_plan (
    plan int PRIMARY KEY, src geometry, geom geometry, fixed geometry) ON COMMIT DROP;
CREATE TEMP TABLE zoning_stage_zone (
    n int PRIMARY KEY, plan int NOT NULL, src geometry NOT NULL, geom geometry,
    fixed geometry) ON COMMIT DROP;
CREATE TEMP TABLE zoning_stage_area (
    n int PRIMARY KEY, plan int NOT NULL, src geometry NOT NULL, geom geometry) ON COMMIT DROP;
"""
_INSERT_AREA = ("INSERT INTO zoning_stage_area (n, plan, src) VALUES "
                "(%s, %s, ST_SetSRID(ST_GeomFromWKB(%s), %s))")
_INSERT_PLAN = ("INSERT INTO zoning_stage_plan (plan, src) VALUES "
                "(%s, ST_SetSRID(ST_GeomFromWKB(%s), %s))")
_INSERT_ZONE = ("INSERT INTO zoning_stage_zone (n, plan, src) VALUES "
                "(%s, %s, ST_SetSRID(ST_GeomFromWKB(%s), %s))")
# `fixed` is what the topology checks read: an invalid zone (reported on its own) is
# repaired there, so one bad ring does not hide or fake a gap or an overlap.
_TRANSFORM = """
UPDATE zoning_stage_zone SET geom = ST_Transform(src, %(srid)s);
-- An area is written as drawn, repaired where its rings are invalid.
UPDATE zoning_stage_area SET geom = ST_Transform(src, %(srid)s);
UPDATE zoning_stage_area SET geom = ST_CollectionExtract(ST_MakeValid(geom), 3)
    WHERE NOT ST_IsValid(geom);
UPDATE zoning_stage_zone SET fixed = CASE WHEN ST_IsValid(geom) THEN geom
    ELSE ST_CollectionExtract(ST_MakeValid(geom), 3) END;
UPDATE zoning_stage_plan SET geom = ST_Transform(src, %(srid)s) WHERE src IS NOT NULL;
UPDATE zoning_stage_plan SET fixed = CASE WHEN ST_IsValid(geom) THEN geom
    ELSE ST_CollectionExtract(ST_MakeValid(geom), 3) END WHERE geom IS NOT NULL;
CREATE INDEX ON zoning_stage_zone USING gist (fixed);
ANALYZE zoning_stage_zone;
"""


@dataclass
class Staged:
    """What is in the temporary tables: plan i is plans[i], zone n is zones[n]."""

    plans: list[ParsedPlan]
    zones: list[tuple[int, ParsedZone]]  # (plan index, zone)
    areas: list[tuple[int, ParsedArea]] = field(default_factory=list)  # (plan index, area)


def stage_load(cursor, plans: list[ParsedPlan]) -> Staged:
    cursor.execute(_CREATE)
    staged = Staged(plans=plans, zones=[])
    plan_rows, zone_rows = [], []
    for i, plan in enumerate(plans):
        if plan.boundary is not None:
            plan_rows.append((i, plan.boundary, plan.srid))
        else:
            cursor.execute("INSERT INTO zoning_stage_plan (plan) VALUES (%s)", [i])
        for zone in plan.zones:
            if zone.geometry is not None:
                zone_rows.append((len(staged.zones), i, zone.geometry, zone.srid))
                staged.zones.append((i, zone))
        for area in plan.areas:
            cursor.execute(_INSERT_AREA, (len(staged.areas), i, area.geometry, area.srid))
            staged.areas.append((i, area))
    cursor.executemany(_INSERT_PLAN, plan_rows)
    cursor.executemany(_INSERT_ZONE, zone_rows)
    cursor.execute(_TRANSFORM, {"srid": SRID})
    return staged


def spatial_checks(cursor, staged: Staged) -> list[Problem]:
    problems = _validity(cursor, staged)
    problems += _overlaps(cursor, staged)
    problems += _gaps(cursor, staged)
    problems += _outside(cursor, staged)
    return problems


_VALIDITY = """
SELECT 'zone', z.n, d.reason, ST_X(p.at), ST_Y(p.at)
FROM zoning_stage_zone z CROSS JOIN LATERAL ST_IsValidDetail(z.src) d
CROSS JOIN LATERAL (
    SELECT ST_Transform(ST_SetSRID(d.location, ST_SRID(z.src)), %(srid)s) AS at) p
WHERE NOT d.valid
UNION ALL
SELECT 'plan', s.plan, d.reason, ST_X(p.at), ST_Y(p.at)
FROM zoning_stage_plan s CROSS JOIN LATERAL ST_IsValidDetail(s.src) d
CROSS JOIN LATERAL (
    SELECT ST_Transform(ST_SetSRID(d.location, ST_SRID(s.src)), %(srid)s) AS at) p
WHERE s.src IS NOT NULL AND NOT d.valid
ORDER BY 1, 2
"""


def _validity(cursor, staged: Staged) -> list[Problem]:
    cursor.execute(_VALIDITY, {"srid": SRID})
    problems = []
    for what, n, reason, x, y in cursor.fetchall():
        code = "self_intersection" if "self-intersection" in reason.lower() else \
            "invalid_geometry"
        detail = {"reason": reason.split("[")[0], "at": _at(x, y)}
        if what == "zone":
            problems.append(_zone_problem(code, staged.zones[n][1], **detail))
        else:
            plan = staged.plans[n]
            problems.append(zoning_problem(code, file=plan.file, line=plan.line, detail=detail))
    return problems


_OVERLAPS = """
SELECT a.n, b.n, ST_Area(x.i), ST_X(p.at), ST_Y(p.at)
FROM zoning_stage_zone a
JOIN zoning_stage_zone b ON b.plan = a.plan AND b.n > a.n AND b.fixed && a.fixed
CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(a.fixed, b.fixed), 3) AS i) x
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(x.i) AS at) p
WHERE ST_Relate(a.fixed, b.fixed, '2********') AND ST_Area(x.i) >= %(sliver)s
ORDER BY a.n, b.n
"""


def _overlaps(cursor, staged: Staged) -> list[Problem]:
    cursor.execute(_OVERLAPS, {"sliver": SLIVER_M2})
    problems = []
    for a, b, area, x, y in cursor.fetchall():
        first, second = staged.zones[a][1], staged.zones[b][1]
        problems.append(zoning_problem("zone_overlap", file=second.file, line=second.line,
                                zones=(first.local_id, second.local_id),
                                detail={"area": _area(area), "at": _at(x, y)}))
    return problems


_GAPS = """
WITH cover AS (
    SELECT plan, ST_Union(fixed) AS g FROM zoning_stage_zone GROUP BY plan
)
SELECT s.plan, ST_Area(d.geom), ST_X(p.at), ST_Y(p.at),
       (SELECT array_agg(z.n ORDER BY z.n) FROM zoning_stage_zone z
        WHERE z.plan = s.plan AND ST_DWithin(z.fixed, d.geom, %(near)s))
FROM zoning_stage_plan s JOIN cover c ON c.plan = s.plan
CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(s.fixed, c.g), 3)) d
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(d.geom) AS at) p
WHERE s.fixed IS NOT NULL AND ST_Area(d.geom) >= %(sliver)s
ORDER BY 1, 2 DESC
"""


def _gaps(cursor, staged: Staged) -> list[Problem]:
    cursor.execute(_GAPS, {"sliver": SLIVER_M2, "near": NEIGHBOUR_M})
    problems = []
    for plan, area, x, y, neighbours in cursor.fetchall():
        zones = tuple(staged.zones[n][1].local_id for n in neighbours or ())
        problems.append(zoning_problem("zone_gap", file=_zone_file(staged, plan), zones=zones,
                                detail={"area": _area(area), "at": _at(x, y)}))
    return problems


_OUTSIDE = """
SELECT z.n, ST_Area(x.o), ST_X(p.at), ST_Y(p.at)
FROM zoning_stage_zone z JOIN zoning_stage_plan s ON s.plan = z.plan
CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Difference(z.fixed, s.fixed), 3) AS o) x
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(x.o) AS at) p
WHERE s.fixed IS NOT NULL AND NOT ST_CoveredBy(z.fixed, s.fixed)
  AND ST_Area(x.o) >= %(sliver)s
ORDER BY z.n
"""


def _outside(cursor, staged: Staged) -> list[Problem]:
    cursor.execute(_OUTSIDE, {"sliver": SLIVER_M2})
    return [_zone_problem("zone_outside_plan", staged.zones[n][1], area=_area(area),
                          at=_at(x, y))
            for n, area, x, y in cursor.fetchall()]


def _zone_file(staged: Staged, plan: int) -> str:
    files = [zone.file for i, zone in staged.zones if i == plan]
    return files[0] if files else staged.plans[plan].file


def _zone_problem(code: str, zone: ParsedZone, **detail) -> Problem:
    return zoning_problem(code, file=zone.file, line=zone.line, zones=(zone.local_id,),
                          detail=detail)


def _area(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ")


def _at(x: float | None, y: float | None) -> str:
    if x is None or y is None:
        return "–"
    return f"x={x:.2f} y={y:.2f} (EPSG:{SRID})"
