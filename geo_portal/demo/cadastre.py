"""Precincts, the unit boundary, parcels and their land-use class pieces."""
from .blocks import LAND_USE_CLASSES
from .run import Run

PRECINCT_SQL = """
CREATE TEMP TABLE demo_prec ON COMMIT DROP AS
SELECT nextval(%(seq_precinct)s::regclass) AS pk, s.slot, s.number, s.name, s.x0, s.y0,
       c.cells = c.per_slot AS full_slot
FROM demo_slot s
JOIN (SELECT slot, count(*) AS cells, max(per_slot) AS per_slot FROM demo_cell GROUP BY slot) c
  USING (slot)
ORDER BY s.slot;

INSERT INTO {precinct} (id, unit_id, number, name, geom)
SELECT p.pk, %(unit_id)s, p.number, p.name,
       CASE WHEN p.full_slot
            THEN ST_Multi(ST_MakeEnvelope(p.x0, p.y0, p.x0 + %(slot_m)s, p.y0 + %(slot_m)s, 2180))
            ELSE (SELECT ST_Multi(ST_Union(ST_MakeEnvelope(c.x_lo, c.y_lo, c.x_hi, c.y_hi, 2180)))
                  FROM demo_cell c WHERE c.slot = p.slot) END
FROM demo_prec p ORDER BY p.slot
"""


def precincts_insert(run: Run) -> int:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_prec")
    return run.sql(PRECINCT_SQL)


def boundary_update(run: Run) -> int:
    return run.sql(
        "UPDATE {unit} SET boundary = (SELECT ST_Multi(ST_Union(geom)) FROM {precinct} "
        "WHERE unit_id = %(unit_id)s) WHERE id = %(unit_id)s"
    )


PARCEL_SQL = """
INSERT INTO {parcel} (id, egib_namespace, egib_local_id, egib_version, object_start,
                      version_start, imported_at, updated_at, parcel_id, number, geom,
                      registered_area_ha, area_accuracy_ha, land_register_number, unit_id,
                      precinct_id, register_unit_id)
SELECT l.pk, %(namespace)s, pg_temp.demo_uuid(%(key)s, 30, l.lotkey),
       to_char(t.version_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
       t.object_start, t.version_start, now(), now(),
       %(teryt)s || '.' || p.number || '.' || l.number, l.number,
       pg_temp.demo_quad(l.xb0, l.xb1, l.xt0, l.xt1, l.y0, l.y1), l.reg_ha,
       CASE WHEN l.kind = 1 THEN 0.0001 ELSE 0.0010 END, r.kw, %(unit_id)s, p.pk, r.pk
FROM demo_lot l
JOIN demo_prec p ON p.slot = l.slot
JOIN demo_ru r ON r.ru_key = l.ru_key
CROSS JOIN LATERAL (
    SELECT o.object_start, date_trunc('second', o.object_start
           + (timestamptz '2025-06-30 00:00:00+00' - o.object_start)
             * pg_temp.demo_rnd(%(key)s, 32, l.lotkey)) AS version_start
    FROM (SELECT timestamptz '1975-01-01 00:00:00+00' + make_interval(
                     secs => floor(pg_temp.demo_rnd(%(key)s, 31, l.lotkey) * 1.4e9))
                 AS object_start) o
) t
"""


def parcels_insert(run: Run) -> int:
    return run.sql(PARCEL_SQL)


def land_use_classes_load(run: Run) -> None:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_luc")
    run.sql("CREATE TEMP TABLE demo_luc (code int PRIMARY KEY, ofu text, ozu text, ozk text) "
            "ON COMMIT DROP")
    run.sql("INSERT INTO demo_luc SELECT * FROM unnest(%(c)s::int[], %(f)s::text[], "
            "%(u)s::text[], %(k)s::text[])",
            {"c": [r[0] for r in LAND_USE_CLASSES], "f": [r[1] for r in LAND_USE_CLASSES],
             "u": [r[2] for r in LAND_USE_CLASSES], "k": [r[3] for r in LAND_USE_CLASSES]})


# Up to three pieces per parcel, cut across its depth at height fractions c1 < c2.
# Built-up lots are one piece, a fifth of the outer houses keep arable land at the back,
# strip fields run through one to three soil classes (a farmyard first on farm strips),
# meadows may end in pasture. Areas: each piece its share of the registered area rounded
# to 1 m², the last piece what is left, so the pieces add up to the registered area.
# OFFSET 0 keeps each LATERAL step computed once per lot instead of inlined at every use.
LAND_USE_SQL = """
INSERT INTO {land_use} (parcel_id, ofu, ozu, ozk, area_ha, geom)
SELECT l.pk, u.ofu, u.ozu, u.ozk, v.area,
       pg_temp.demo_quad(
           pg_temp.demo_lerp(l.xb0, l.xt0, v.fa), pg_temp.demo_lerp(l.xb1, l.xt1, v.fa),
           pg_temp.demo_lerp(l.xb0, l.xt0, v.fb), pg_temp.demo_lerp(l.xb1, l.xt1, v.fb),
           pg_temp.demo_lerp(l.y0, l.y1, v.fa), pg_temp.demo_lerp(l.y0, l.y1, v.fb))
FROM demo_lot l
CROSS JOIN LATERAL (
    SELECT pg_temp.demo_rnd(%(key)s, 20, l.lotkey) AS r1,
           pg_temp.demo_rnd(%(key)s, 21, l.lotkey) AS r2,
           pg_temp.demo_int(%(key)s, 22, l.cell, 0, 4) AS soil,
           pg_temp.demo_int(%(key)s, 23, l.lotkey, -1, 1) AS step1,
           pg_temp.demo_int(%(key)s, 24, l.lotkey, -1, 1) AS step2
    OFFSET 0
) r
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.btype = 1 AND l.rho >= 0.4 AND r.r1 < 0.2
                    THEN CASE WHEN l.part = 3 THEN 0.55 - 0.25 * r.r2 ELSE 0.45 + 0.25 * r.r2 END
                WHEN l.farm THEN 0.08 + 0.06 * r.r2
                WHEN l.btype = 11 AND r.r1 < 0.6 THEN 0.2 + 0.3 * r.r2
                WHEN l.btype = 12 AND r.r1 < 0.5 THEN 0.4 + 0.3 * r.r2 END AS c1,
           CASE WHEN l.btype = 11 AND (l.farm OR r.r1 < 0.3) THEN 0.55 + 0.3 * r.r1 END AS c2,
           CASE WHEN l.btype = 1 AND l.part = 3 AND l.rho >= 0.4 AND r.r1 < 0.2 THEN 12 + r.step1
                WHEN l.btype = 11 AND l.farm THEN 20 + r.soil
                WHEN l.btype = 11 THEN 10 + r.soil
                WHEN l.btype = 12 THEN 30 + 1 + r.step1
                WHEN l.btype = 13 THEN 40 + (r.r1 < 0.3)::int
                ELSE (%(land_use_of_block)s::int[])[l.btype + 1] END AS pc1,
           CASE WHEN l.btype = 1 AND l.rho >= 0.4 AND r.r1 < 0.2
                    THEN CASE WHEN l.part = 3 THEN 1 ELSE 12 + r.step1 END
                WHEN l.btype = 11 THEN 10 + least(5, greatest(0, r.soil + r.step1))
                WHEN l.btype = 12 THEN 33 + (r.r2 < 0.5)::int END AS pc2_any,
           10 + least(5, greatest(0, r.soil + r.step1 + r.step2)) AS pc3_any
    OFFSET 0
) d
CROSS JOIN LATERAL (
    SELECT d.c1, d.c2, d.pc1, CASE WHEN d.c1 IS NOT NULL THEN d.pc2_any END AS pc2,
           CASE WHEN d.c2 IS NOT NULL THEN d.pc3_any END AS pc3,
           round((l.reg_ha::float8 * pg_temp.demo_share(l.xb1 - l.xb0, l.xt1 - l.xt0, 0,
                  coalesce(d.c1, 1)))::numeric, 4) AS a1,
           round((l.reg_ha::float8 * pg_temp.demo_share(l.xb1 - l.xb0, l.xt1 - l.xt0,
                  coalesce(d.c1, 0), coalesce(d.c2, 1)))::numeric, 4) AS a2
    OFFSET 0
) p
CROSS JOIN LATERAL (VALUES
    (0.0::float8, coalesce(p.c1, 1.0), p.pc1, CASE WHEN p.pc2 IS NULL THEN l.reg_ha ELSE p.a1 END),
    (p.c1, coalesce(p.c2, 1.0), p.pc2, CASE WHEN p.pc3 IS NULL THEN l.reg_ha - p.a1 ELSE p.a2 END),
    (p.c2, 1.0, p.pc3, l.reg_ha - p.a1 - p.a2)
) v(fa, fb, code, area)
JOIN demo_luc u ON u.code = v.code
"""


def land_use_insert(run: Run) -> int:
    from .blocks import LAND_USE_OF_BLOCK

    by_block = [LAND_USE_OF_BLOCK.get(code, 0) for code in range(max(LAND_USE_OF_BLOCK) + 1)]
    return run.sql(LAND_USE_SQL, {"land_use_of_block": by_block})
