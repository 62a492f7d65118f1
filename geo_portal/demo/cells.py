"""From the layout to lots: slots, street grid, cells and lot geometry as temp tables.

demo_slot   one row per planned slot (precinct), from layout.plan()
demo_axis   the street grid: per slot column (axis 0) or row (axis 1) of each kind,
            offsets lo < mid < hi, where lo..mid is the road and mid..hi the block
demo_cell   block + bottom road + left road, cut so the lots add up to exactly N
demo_lot    one row per parcel: corners of its quadrilateral, number, areas, keys
"""
from .blocks import BLOCK_MIX, BLOCK_TYPES, FARM_SHARE, ROAD
from .layout import Layout
from .run import Run


def slots_load(run: Run, layout: Layout) -> int:
    slots = layout.slots
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_slot")
    run.sql("CREATE TEMP TABLE demo_slot (slot int PRIMARY KEY, gx int, gy int, kind int, "
            "x0 float8, y0 float8, number text, name text, rho float8) ON COMMIT DROP")
    return run.sql(
        "INSERT INTO demo_slot SELECT * FROM unnest(%(i)s::int[], %(gx)s::int[], %(gy)s::int[], "
        "%(kind)s::int[], %(x0)s::float8[], %(y0)s::float8[], %(num)s::text[], %(name)s::text[], "
        "%(rho)s::float8[])",
        {"i": [s.index for s in slots], "gx": [s.gx for s in slots], "gy": [s.gy for s in slots],
         "kind": [s.kind for s in slots], "x0": [s.x0 for s in slots],
         "y0": [s.y0 for s in slots], "num": [f"{s.index + 1:04d}" for s in slots],
         "name": [s.name for s in slots],
         "rho": [((s.index + 0.5) / layout.urban_slots) ** 0.5 for s in slots]},
    )


def block_tables_load(run: Run) -> None:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_btype, pg_temp.demo_mix")
    run.sql("CREATE TEMP TABLE demo_btype (code int PRIMARY KEY, kind int, symbol text, "
            "lot_width float8, rows int) ON COMMIT DROP")
    run.sql("INSERT INTO demo_btype SELECT * FROM unnest(%(c)s::int[], %(k)s::int[], "
            "%(s)s::text[], %(w)s::float8[], %(r)s::int[])",
            {"c": [b.code for b in BLOCK_TYPES], "k": [b.kind for b in BLOCK_TYPES],
             "s": [b.symbol for b in BLOCK_TYPES], "w": [b.lot_width for b in BLOCK_TYPES],
             "r": [b.rows for b in BLOCK_TYPES]})
    rows = []
    for (kind, band), shares in BLOCK_MIX.items():
        low = 0.0
        for code, share in shares.items():
            rows.append((kind, band, code, low, low + share))
            low += share
        rows[-1] = (*rows[-1][:4], 2.0)  # the last type takes what rounding left over
    run.sql("CREATE TEMP TABLE demo_mix (kind int, band int, btype int, p_lo float8, "
            "p_hi float8) ON COMMIT DROP")
    run.sql("INSERT INTO demo_mix SELECT * FROM unnest(%(a)s::int[], %(b)s::int[], %(c)s::int[], "
            "%(d)s::float8[], %(e)s::float8[])",
            {k: [r[i] for r in rows] for i, k in enumerate("abcde")})


AXIS_SQL = """
CREATE TEMP TABLE demo_axis ON COMMIT DROP AS
WITH lines AS (
    SELECT DISTINCT 0 AS axis, kind, gx AS g FROM demo_slot
    UNION SELECT DISTINCT 1, kind, gy FROM demo_slot
), parts AS (
    SELECT l.axis, l.kind, l.g, i.idx, n.n,
           pg_temp.demo_rnd(%(key)s, 1, l.axis * 4 + l.kind, l.g, i.idx) AS rw,
           pg_temp.demo_rnd(%(key)s, 2, l.axis * 4 + l.kind, l.g, i.idx) AS rr,
           pg_temp.demo_rnd(%(key)s, 3, l.axis * 4 + l.kind, l.g, i.idx) AS rm
    FROM lines l
    CROSS JOIN LATERAL (SELECT CASE WHEN l.kind = 1 AND l.axis = 0 THEN %(n_ux)s
                                    WHEN l.kind = 1 THEN %(n_uy)s
                                    WHEN l.axis = 0 THEN %(n_rx)s ELSE %(n_ry)s END AS n) n
    CROSS JOIN LATERAL generate_series(0, n.n - 1) i(idx)
), weighted AS (
    SELECT *,
           CASE WHEN kind = 1 AND axis = 0 THEN 0.8 + 0.4 * rw
                WHEN kind = 1 THEN 0.88 + 0.24 * rw ELSE 0.75 + 0.5 * rw END AS w,
           round(2 * CASE WHEN kind = 2 THEN 4 + 3 * rr
                          WHEN rm < 0.2 THEN 20 + 8 * rr ELSE 10 + 6 * rr END) / 2 AS road
    FROM parts
), edges AS (
    SELECT *, CASE WHEN idx = n - 1 THEN %(slot_m)s::float8
                   ELSE pg_temp.demo_cm(%(slot_m)s * sum(w) OVER upto / sum(w) OVER line)
              END AS hi
    FROM weighted
    WINDOW line AS (PARTITION BY axis, kind, g),
           upto AS (PARTITION BY axis, kind, g ORDER BY idx)
), bounded AS (
    SELECT *, coalesce(lag(hi) OVER (PARTITION BY axis, kind, g ORDER BY idx), 0) AS lo
    FROM edges
)
SELECT axis, kind, g, idx, n, lo, pg_temp.demo_cm(lo + road) AS mid, hi FROM bounded
"""


def axes_create(run: Run) -> int:
    size = run.params["slot_m"]
    counts = {"n_ux": round(size / 200), "n_uy": round(size / 88),
              "n_rx": round(size / 270), "n_ry": round(size / 400)}
    run.params.update(counts)
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_axis")
    return run.sql(AXIS_SQL)


# Cells of every planned slot in fill order; the running total cuts the stream at N
# parcels and the cell where it falls gets fewer lots (then fewer roads).
CELL_SQL = """
CREATE TEMP TABLE demo_cell ON COMMIT DROP AS
WITH base AS (
    SELECT s.slot, s.kind, s.gx, s.gy, s.rho, r.idx AS ri, c.idx AS ci, r.n * c.n AS per_slot,
           s.slot::bigint * 4096 + r.idx * 64 + c.idx AS cell,
           s.x0 + c.lo AS x_lo, s.x0 + c.mid AS x_mid, s.x0 + c.hi AS x_hi,
           s.y0 + r.lo AS y_lo, s.y0 + r.mid AS y_mid, s.y0 + r.hi AS y_hi,
           CASE WHEN s.kind = 2 OR s.rho < 0.4 THEN 0 WHEN s.rho < 0.75 THEN 1 ELSE 2 END AS band
    FROM demo_slot s
    JOIN demo_axis c ON c.axis = 0 AND c.kind = s.kind AND c.g = s.gx
    JOIN demo_axis r ON r.axis = 1 AND r.kind = s.kind AND r.g = s.gy
), typed AS (
    SELECT b.*, t.code AS btype, t.lot_width, t.rows
    FROM base b
    JOIN demo_mix m ON m.kind = b.kind AND m.band = b.band
     AND pg_temp.demo_rnd(%(key)s, 4, b.cell) >= m.p_lo
     AND pg_temp.demo_rnd(%(key)s, 4, b.cell) < m.p_hi
    JOIN demo_btype t ON t.code = m.btype
), sized AS (
    SELECT *, CASE WHEN lot_width > 0 THEN greatest(1, round((x_hi - x_mid)
                       / (lot_width * (0.85 + 0.3 * pg_temp.demo_rnd(%(key)s, 5, cell)))))::int
                   WHEN btype = 13 THEN pg_temp.demo_int(%(key)s, 5, cell, 1, 2)
                   ELSE 1 END AS kb0
    FROM typed
), counted AS (
    SELECT *, CASE WHEN rows = 2 THEN greatest(1, kb0 + pg_temp.demo_int(%(key)s, 6, cell, -1, 1))
                   ELSE 0 END AS kt0
    FROM sized
), running AS (
    SELECT *, 2 + kb0 + kt0 AS n, sum(2 + kb0 + kt0) OVER (ORDER BY slot, ri, ci) AS upto
    FROM counted
), kept AS (
    SELECT *, least(n, %(parcels)s - (upto - n)) AS m FROM running WHERE upto - n < %(parcels)s
), trimmed AS (
    SELECT *, least(m, 2) AS roads,
           CASE WHEN m = n THEN kb0 WHEN kt0 > 0 THEN ceil(greatest(m - 2, 0) / 2.0)::int
                ELSE greatest(m - 2, 0) END AS kb
    FROM kept
)
SELECT slot, kind, gx, gy, rho, ri, ci, per_slot, cell, btype, x_lo, x_mid, x_hi, y_lo, y_mid,
       y_hi, roads::int, kb::int, (CASE WHEN m = n THEN kt0 ELSE greatest(m - 2, 0) - kb END)::int
           AS kt, m::int,
       sum(m) OVER (PARTITION BY slot ORDER BY ri, ci) - m AS before,
       pg_temp.demo_cm(y_mid + (y_hi - y_mid)
                       * (0.44 + 0.12 * pg_temp.demo_rnd(%(key)s, 9, cell))) AS y_split
FROM trimmed
ORDER BY slot, ri, ci
"""


def cells_create(run: Run) -> int:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_cell")
    count = run.sql(CELL_SQL)
    made = run.value("SELECT coalesce(sum(m), 0) FROM demo_cell")
    if made != run.params["parcels"]:
        raise RuntimeError(f"the planned layout holds only {made} parcels")
    run.sql("CREATE INDEX ON demo_cell (slot, ri, ci)")
    return count


# One row per parcel: roads first, then the bottom row of lots, then the top row.
# Row lots split the block at jittered points: line ids are per cell, part and edge.
LOT_SQL = """
CREATE TEMP TABLE demo_lot ON COMMIT DROP AS
WITH lot AS (
    SELECT c.cell, c.slot, c.kind, c.rho, p.part, p.i, p.k,
           CASE WHEN p.part < 2 THEN {road} ELSE c.btype END AS btype,
           c.cell * 1024 + p.part * 256 + p.i AS lotkey,
           CASE p.part WHEN 0 THEN c.x_lo WHEN 1 THEN c.x_lo
                ELSE pg_temp.demo_split(%(key)s, c.cell * 8 + p.part * 2, p.i - 1, p.k,
                                        c.x_mid, c.x_hi) END AS xb0,
           CASE p.part WHEN 0 THEN c.x_hi WHEN 1 THEN c.x_mid
                ELSE pg_temp.demo_split(%(key)s, c.cell * 8 + p.part * 2, p.i, p.k,
                                        c.x_mid, c.x_hi) END AS xb1,
           CASE p.part WHEN 0 THEN c.x_lo WHEN 1 THEN c.x_lo
                ELSE pg_temp.demo_split(%(key)s, c.cell * 8 + p.part * 2 + 1, p.i - 1, p.k,
                                        c.x_mid, c.x_hi) END AS xt0,
           CASE p.part WHEN 0 THEN c.x_hi WHEN 1 THEN c.x_mid
                ELSE pg_temp.demo_split(%(key)s, c.cell * 8 + p.part * 2 + 1, p.i, p.k,
                                        c.x_mid, c.x_hi) END AS xt1,
           CASE p.part WHEN 0 THEN c.y_lo WHEN 3 THEN c.y_split ELSE c.y_mid END AS y0,
           CASE p.part WHEN 0 THEN c.y_mid
                WHEN 2 THEN CASE WHEN c.kt > 0 THEN c.y_split ELSE c.y_hi END
                ELSE c.y_hi END AS y1,
           c.before + CASE p.part WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN c.roads + p.i
                                  ELSE c.roads + c.kb + p.i END AS ord
    FROM demo_cell c
    CROSS JOIN LATERAL (
        SELECT 0 AS part, 1 AS i, 1 AS k WHERE c.roads >= 1
        UNION ALL SELECT 1, 1, 1 WHERE c.roads >= 2
        UNION ALL SELECT 2, g, c.kb FROM generate_series(1, c.kb) g
        UNION ALL SELECT 3, g, c.kt FROM generate_series(1, c.kt) g
    ) p
), drawn AS (
    SELECT lot.*, ((xb1 - xb0) + (xt1 - xt0)) / 2 * (y1 - y0) AS area,
           pg_temp.demo_rnd(%(key)s, 10, cell * 4 + part) AS r_row,
           pg_temp.demo_rnd(%(key)s, 11, lotkey) AS r_num,
           pg_temp.demo_rnd(%(key)s, 12, lotkey) AS r_dev,
           pg_temp.demo_rnd(%(key)s, 13, lotkey) AS r_farm,
           pg_temp.demo_int(%(key)s, 14, cell, 1, 3) AS holding
    FROM lot
)
SELECT nextval(%(seq_parcel)s::regclass) AS pk, cell, slot, kind, rho, part, i, k, btype,
       lotkey, xb0, xb1, xt0, xt1, y0, y1, ord,
       CASE WHEN part >= 2 AND k >= 2 AND btype IN (1, 3, 11, 12) AND r_row < 0.15
                THEN (ord - i + 1) || '/' || i
            WHEN r_num < 0.06 THEN ord || '/' || (2 + floor(r_num * 100)::int)
            ELSE ord::text END AS number,
       round((area * (1 + CASE
            WHEN btype = {road} AND r_dev < 0.10 THEN (r_dev / 0.10 - 0.5) * 0.02
            WHEN kind = 2 AND r_dev < 0.30 THEN (r_dev / 0.30 - 0.5) * 0.03
            WHEN r_dev < 0.15 THEN (r_dev / 0.15 - 0.5) * 0.012
            ELSE 0 END) / 10000)::numeric, 4) AS reg_ha,
       btype = 11 AND r_farm < %(farm_share)s AS farm,
       CASE WHEN btype IN ({road}, 5) THEN -(slot::bigint * 4 + 1)
            WHEN btype = 13 THEN -(slot::bigint * 4 + 2)
            WHEN btype IN (11, 12) THEN cell * 1024 + part * 256 + (i - 1) / holding * holding + 1
            ELSE lotkey END AS ru_key
FROM drawn
"""


def lots_create(run: Run) -> int:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_lot")
    run.params["farm_share"] = FARM_SHARE
    count = run.sql(LOT_SQL.replace("{road}", str(ROAD)))
    run.sql("ANALYZE demo_lot")
    return count
