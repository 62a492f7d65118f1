"""Buildings on built-up lots and farm strips, their parcel links and address points.

A building stands in a band at a setback from the street front (the bottom edge
of a bottom-row lot, the top edge of a top-row lot) and inside the narrower of the
lot's widths at the band's two ends, with side margins, so it lies within its
lot. A second, smaller building (a garage, a barn) may stand behind the first.
"""
from .blocks import BUILDING_RULES, FARM
from .functions import name_arrays
from .run import Run


def rules_load(run: Run) -> None:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_brule")
    run.sql("CREATE TEMP TABLE demo_brule (code int PRIMARY KEY, p float8, set_lo float8, "
            "set_hi float8, d_lo float8, d_hi float8, w_lo float8, w_hi float8, st_lo int, "
            "st_hi int, basement float8, kst text, p2 float8, kst2 text, d2_lo float8, "
            "d2_hi float8, w2_lo float8, w2_hi float8) ON COMMIT DROP")
    rows = [(r.code, r.probability, *r.setback, *r.depth, *r.width, *r.storeys, r.basement,
             r.kst, r.second[0], r.second[1] or r.kst, *r.second[2], *r.second[3])
            for r in BUILDING_RULES]
    types = ["int", *["float8"] * 7, "int", "int", "float8", "text", "float8", "text",
             *["float8"] * 4]
    run.load("demo_brule", types, rows)


# Each LATERAL step computes a few scalars once per lot (OFFSET 0 keeps the planner from
# inlining them again wherever they are used).
BUILDING_SQL = """
CREATE TEMP TABLE demo_bld ON COMMIT DROP AS
SELECT nextval(%(seq_building)s::regclass) AS pk, l.pk AS lot_pk, l.lotkey, l.cell, l.slot,
       l.kind, l.part, l.number, l.ord, v.no,
       ceil(z.bx * 100) / 100 AS bx0, floor((z.bx + z.bw) * 100) / 100 AS bx1,
       ceil((l.y0 + f.fa * f.h) * 100) / 100 AS by0, floor((l.y0 + f.fb * f.h) * 100) / 100 AS by1,
       split_part(v.kst_list, ',', 1 + floor(pg_temp.demo_rnd(%(key)s, 78, l.lotkey * 4 + v.no)
           * array_length(string_to_array(v.kst_list, ','), 1))::int) AS kst,
       CASE WHEN v.no = 1 THEN pg_temp.demo_int(%(key)s, 79, l.lotkey, b.st_lo, b.st_hi)
            ELSE 1 END AS storeys,
       CASE WHEN v.no = 1 THEN (pg_temp.demo_rnd(%(key)s, 80, l.lotkey) < b.basement)::int
            ELSE 0 END AS below
FROM demo_lot l
JOIN demo_brule b ON b.code = CASE WHEN l.farm THEN %(farm)s ELSE l.btype END
CROSS JOIN LATERAL (
    SELECT b.set_lo + (b.set_hi - b.set_lo) * pg_temp.demo_rnd(%(key)s, 71, l.lotkey) AS setback,
           b.d_lo + (b.d_hi - b.d_lo) * pg_temp.demo_rnd(%(key)s, 72, l.lotkey) AS d1,
           b.w_lo + (b.w_hi - b.w_lo) * pg_temp.demo_rnd(%(key)s, 73, l.lotkey) AS w1,
           pg_temp.demo_rnd(%(key)s, 74, l.lotkey) < b.p2 AS has2,
           b.d2_lo + (b.d2_hi - b.d2_lo) * pg_temp.demo_rnd(%(key)s, 75, l.lotkey) AS d2,
           b.w2_lo + (b.w2_hi - b.w2_lo) * pg_temp.demo_rnd(%(key)s, 76, l.lotkey) AS w2
    OFFSET 0
) d
CROSS JOIN LATERAL (VALUES
    (1, d.setback, d.setback + d.d1, d.w1, 0.7 * b.w_lo, b.kst),
    (2, d.setback + d.d1 + 3, d.setback + d.d1 + 3 + d.d2, d.w2, 0.7 * b.w2_lo, b.kst2)
) v(no, oa, ob, w, w_min, kst_list)
CROSS JOIN LATERAL (
    SELECT h, least(v.ob, h - 1.5) AS ob,
           CASE WHEN l.part = 3 THEN 1 - least(v.ob, h - 1.5) / h ELSE v.oa / h END AS fa,
           CASE WHEN l.part = 3 THEN 1 - v.oa / h ELSE least(v.ob, h - 1.5) / h END AS fb
    FROM (SELECT l.y1 - l.y0 AS h) hh
    OFFSET 0
) f
CROSS JOIN LATERAL (
    SELECT greatest(pg_temp.demo_lerp(l.xb0, l.xt0, f.fa),
                    pg_temp.demo_lerp(l.xb0, l.xt0, f.fb)) + 1.5 AS xl,
           least(pg_temp.demo_lerp(l.xb1, l.xt1, f.fa),
                 pg_temp.demo_lerp(l.xb1, l.xt1, f.fb)) - 1.5 AS xr
    OFFSET 0
) x
CROSS JOIN LATERAL (
    SELECT least(x.xr - x.xl, v.w) AS bw,
           x.xl + (x.xr - x.xl - least(x.xr - x.xl, v.w))
                  * pg_temp.demo_rnd(%(key)s, 77, l.lotkey * 4 + v.no) AS bx
    OFFSET 0
) z
WHERE (l.farm OR l.btype BETWEEN 1 AND 4)
  AND pg_temp.demo_rnd(%(key)s, 70, l.lotkey) < b.p
  AND (v.no = 1 OR d.has2) AND f.ob - v.oa >= 5 AND z.bw >= v.w_min
"""

BUILDING_INSERT_SQL = """
INSERT INTO {building} (id, egib_namespace, egib_local_id, egib_version, object_start,
                        version_start, imported_at, updated_at, building_id, geom, kst_class,
                        storeys_above, storeys_below, built_up_area_m2, unit_id)
SELECT b.pk, %(namespace)s, pg_temp.demo_uuid(%(key)s, 81, b.lotkey * 4 + b.no),
       to_char(t.started AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'), t.started, t.started,
       now(), now(), %(teryt)s || '.' || s.number || '.' || b.number || '.' || b.no || '_BUD',
       ST_Multi(ST_MakeEnvelope(b.bx0, b.by0, b.bx1, b.by1, 2180)), b.kst, b.storeys, b.below,
       round(((b.bx1 - b.bx0) * (b.by1 - b.by0))::numeric, 2), %(unit_id)s
FROM demo_bld b
JOIN demo_slot s USING (slot)
CROSS JOIN LATERAL (
    SELECT timestamptz '1960-01-01 00:00:00+00' + make_interval(
               secs => floor(pg_temp.demo_rnd(%(key)s, 82, b.lotkey * 4 + b.no) * 2.0e9)) AS started
) t
"""


def buildings_insert(run: Run) -> int:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_bld")
    run.sql(BUILDING_SQL, {"farm": FARM})
    count = run.sql(BUILDING_INSERT_SQL)
    run.sql("INSERT INTO {building_parcels} (building_id, parcel_id) "
            "SELECT pk, lot_pk FROM demo_bld")
    return count


# Town addresses: street sidx is the global row of horizontal roads; a bottom-row lot faces
# the road of its own cell row (odd numbers), a top-row lot the next one (even numbers).
# Street names are a permutation of the list (97 is prime to its length), with a roman
# numeral once it runs out.
ADDRESS_SQL = """
INSERT INTO {address} (unit_id, parcel_id, building_id, locality, street, house_number,
                       postcode, point)
SELECT %(unit_id)s, a.lot_pk, a.pk, a.locality, a.street, a.house::text, a.postcode,
       ST_SetSRID(ST_MakePoint((a.bx0 + a.bx1) / 2, (a.by0 + a.by1) / 2), 2180)
FROM (
    SELECT t.*, %(locality)s AS locality,
           (%(streets)s::text[])[1 + (t.sidx * 97 + %(street_off)s) %% %(n_streets)s]
           || CASE WHEN t.sidx >= %(n_streets)s
                   THEN ' ' || trim(to_char(t.sidx / %(n_streets)s + 1, 'RN')) ELSE '' END
             AS street,
           2 * row_number() OVER (PARTITION BY t.sidx, t.part = 3 ORDER BY t.bx0)
             - (t.part <> 3)::int AS house,
           %(pc_prefix)s || '-' || lpad((%(pc_base)s * 100 + t.sidx %% 30)::text, 3, '0')
             AS postcode
    FROM (SELECT b.*, (s.gy + %(radius)s) * %(n_uy)s + b.cell / 64 %% 64
                      + (b.part = 3)::int AS sidx
          FROM demo_bld b JOIN demo_slot s USING (slot)
          WHERE b.no = 1 AND b.kind = 1) t
    UNION ALL
    SELECT b.*, 0 AS sidx, s.name, '',
           row_number() OVER (PARTITION BY b.slot ORDER BY b.ord),
           %(pc_prefix)s || '-' || lpad((%(pc_base)s * 100 + 50 + b.slot %% 40)::text, 3, '0')
    FROM demo_bld b JOIN demo_slot s USING (slot)
    WHERE b.no = 1 AND b.kind = 2
) a
"""


def addresses_insert(run: Run, locality: str, postcode: tuple[str, int]) -> int:
    streets = name_arrays()["streets"]
    return run.sql(ADDRESS_SQL, {
        "locality": locality, "streets": streets, "n_streets": len(streets),
        "pc_prefix": postcode[0], "pc_base": postcode[1],
        "street_off": run.params["key"] % len(streets),
    })
