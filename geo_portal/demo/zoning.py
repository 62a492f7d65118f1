"""The general plan (plan ogólny) over the whole unit and a local plan (MPZP) downtown.

General plan zones are the tiles of a jittered lattice clipped to the unit boundary:
they cover the unit without gaps or overlaps and cut across parcels, as zones drawn
on a base map at 1:10 000 do. Each takes its symbol from the block under it. The
local plan zones follow the blocks and roads of the central precincts.
"""
import json

from .layout import Layout
from .run import Run

# General plan zones by the block type under them (farm strips sometimes give SZ).
GENERAL_SYMBOL_OF_BLOCK = {1: "SJ", 2: "SW", 3: "SU", 4: "SP", 5: "SN", 11: "SR", 12: "SO",
                           13: "SO"}

# symbol: Polish designation, (intensity, built-up %, height m, biologically active %) ranges.
GENERAL_ZONES = {
    "SW": ("strefa wielofunkcyjna z zabudową mieszkaniową wielorodzinną",
           (1.2, 2.8), (40, 60), (18, 30), (20, 30)),
    "SJ": ("strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną",
           (0.4, 0.9), (30, 45), (9, 12), (40, 55)),
    "SU": ("strefa usługowa", (0.8, 2.0), (50, 70), (12, 20), (15, 25)),
    "SP": ("strefa gospodarcza", (0.6, 1.8), (50, 70), (15, 25), (10, 20)),
    "SN": ("strefa zieleni i rekreacji", (0.02, 0.1), (2, 5), (6, 9), (80, 95)),
    "SR": ("strefa produkcji rolniczej", (0.1, 0.4), (10, 30), (10, 15), (50, 70)),
    "SO": ("strefa otwartych terenów", (0.01, 0.05), (1, 3), (5, 8), (90, 98)),
    "SZ": ("strefa zabudowy zagrodowej", (0.3, 0.7), (25, 40), (9, 12), (40, 60)),
}

LOCAL_ZONES = {
    "MN": ("teren zabudowy mieszkaniowej jednorodzinnej", (0.3, 0.6), (30, 40), (9, 11), (40, 50)),
    "MW": ("teren zabudowy mieszkaniowej wielorodzinnej", (1.2, 2.2), (35, 50), (16, 22), (25, 35)),
    "U": ("teren zabudowy usługowej", (0.8, 1.6), (50, 60), (12, 16), (20, 25)),
    "P": ("teren obiektów produkcyjnych, składów i magazynów", (0.6, 1.5), (50, 70), (15, 20),
          (10, 20)),
    "ZP": ("teren zieleni urządzonej", (0.0, 0.05), (0, 5), (6, 8), (85, 95)),
    "KD": ("teren drogi publicznej – ulica dojazdowa", None, None, None, None),
}

PROVISIONS = (
    "Dla terenu oznaczonego symbolem {label} ustala się: 1) przeznaczenie: {designation}; "
    "2) maksymalna intensywność zabudowy: {intensity}; 3) maksymalny udział powierzchni "
    "zabudowy: {built} %; 4) maksymalna wysokość zabudowy: {height} m; 5) minimalny udział "
    "powierzchni biologicznie czynnej: {bio} %."
)
ROAD_PROVISIONS = ("Dla terenu oznaczonego symbolem {label} ustala się przeznaczenie: "
                   "{designation}; szerokość w liniach rozgraniczających zgodnie z rysunkiem "
                   "planu.")


def zone_rules_load(run: Run) -> None:
    rows = [("G", s, d, *i, *b, *h, *a) for s, (d, i, b, h, a) in GENERAL_ZONES.items()]
    rows += [("L", s, d, *(i or (None, None)), *(b or (None, None)), *(h or (None, None)),
              *(a or (None, None))) for s, (d, i, b, h, a) in LOCAL_ZONES.items()]
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_zrule")
    run.sql("CREATE TEMP TABLE demo_zrule (plan text, symbol text, designation text, "
            "i_lo float8, i_hi float8, b_lo float8, b_hi float8, h_lo float8, h_hi float8, "
            "a_lo float8, a_hi float8) ON COMMIT DROP")
    run.load("demo_zrule", ["text", "text", "text", *["float8"] * 8], rows)


def _text(template: str) -> str:
    """A provisions template as an SQL expression over label, designation and the values."""
    parts = template.replace("{", "\x00{").replace("}", "}\x00").split("\x00")
    sql = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            # Polish decimal comma in the numbers.
            sql.append(f"replace(z.{part[1:-1]}::text, '.', ',')")
        elif part:
            sql.append("'" + part.replace("'", "''").replace("%", "%%") + "'")
    return " || ".join(sql)


# Inserts a plan and returns its id; the geometry is filled in once the zones exist.
PLAN_SQL = """
INSERT INTO {plan} (unit_id, kind, identifier, name, resolution_number, resolution_date,
                    legal_status, valid_from, text_url, scale_denominator, geom)
VALUES (%(unit_id)s, %(kind)s, %(identifier)s, %(name)s, %(resolution)s, %(resolved)s,
        'obowiązujący', %(valid_from)s, '', %(scale)s, NULL)
RETURNING id
"""

# The resolution adopting the plan, as its formal document (APP DokumentFormalny), so that
# the plan's APP file names the act it binds by (dokumentUchwalajacy).
DOCUMENT_SQL = """
INSERT INTO {plan_document} (plan_id, local_id, role, title, short_name, number, issuer, date,
                             date_type, in_force_from, detail_reference, official_journal,
                             links)
VALUES (%(plan_id)s, replace(%(resolution)s, '/', '.'), 'uchwala',
        'Uchwała nr ' || %(resolution)s || ' z dnia '
        || to_char(%(resolved)s::date, 'DD.MM.YYYY') || ' r. w sprawie uchwalenia: '
        || %(name)s, '', %(resolution)s, %(council)s, %(resolved)s, 'creation',
        %(valid_from)s, '', '', '[]')
"""


def _adopting_resolution_insert(run: Run, plan_id: int, unit_name: str, plan: dict) -> None:
    run.sql(DOCUMENT_SQL, {**plan, "plan_id": plan_id, "council": f"rada gminy {unit_name}"})


# Parameters drawn inside each symbol's ranges: intensity to 0.05, shares to 5 %, height
# to 0.5 m; the provisions text repeats them.
ZONE_INSERT_SQL = """
INSERT INTO {zone} (plan_id, local_id, label, symbol, designation, provisions, max_intensity,
                    max_built_up_share, max_height_m, min_biologically_active_share, profiles,
                    geom)
SELECT %(plan_id)s, z.label, z.label, z.symbol, z.designation, {provisions},
       z.intensity, z.built, z.height, z.bio,
       COALESCE(%(profiles)s::jsonb -> z.symbol, '[]'::jsonb), z.geom
FROM (
    SELECT q.*, row_number() OVER (PARTITION BY q.symbol ORDER BY q.ord) || q.symbol AS label,
           round(round((r.i_lo + (r.i_hi - r.i_lo) * pg_temp.demo_rnd(%(key)s, 90, q.ord))
                       ::numeric * 20) / 20, 2) AS intensity,
           round((r.b_lo + (r.b_hi - r.b_lo) * pg_temp.demo_rnd(%(key)s, 91, q.ord))::numeric
                 / 5) * 5 AS built,
           round(round((r.h_lo + (r.h_hi - r.h_lo) * pg_temp.demo_rnd(%(key)s, 92, q.ord))
                       ::numeric * 2) / 2, 1) AS height,
           round((r.a_lo + (r.a_hi - r.a_lo) * pg_temp.demo_rnd(%(key)s, 93, q.ord))::numeric
                 / 5) * 5 AS bio,
           r.designation
    FROM demo_zone q JOIN demo_zrule r ON r.plan = %(plan)s AND r.symbol = q.symbol
) z
ORDER BY z.ord
"""


# The demo general plan's zones' basic functional profile (APP profilPodstawowy): the land
# use class (KPT code list of the ministry) a zone of each kind is mainly for. Generated
# data: one class each, where a real plan lists those its resolution sets.
KPT = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-"
DEMO_PROFILES = {
    "SW": ("MW", "teren zabudowy mieszkaniowej wielorodzinnej"),
    "SJ": ("MN", "teren zabudowy mieszkaniowej jednorodzinnej"),
    "SZ": ("RZM", "teren zabudowy zagrodowej"), "SU": ("U", "teren usług"),
    "SH": ("H", "teren handlu wielkopowierzchniowego"), "SP": ("P", "teren produkcji"),
    "SR": ("RZW", "teren wielkotowarowej produkcji rolnej"),
    "SI": ("I", "teren infrastruktury technicznej"), "SN": ("ZP", "teren zieleni urządzonej"),
    "SC": ("C", "teren cmentarza"), "SG": ("G", "teren górnictwa i wydobycia"),
    "SO": ("RN", "teren rolnictwa z zakazem zabudowy"), "SK": ("K", "teren komunikacji"),
}


def _zones_insert(run: Run, plan_id: int, plan: str, template: str, road_template: str) -> int:
    provisions = (f"CASE WHEN z.intensity IS NULL THEN {_text(road_template)} "
                  f"ELSE {_text(template)} END")
    profiles = {symbol: [{"kind": "profilPodstawowy", "href": KPT + code, "title": title}]
                for symbol, (code, title) in DEMO_PROFILES.items()} if plan == "G" else {}
    count = run.sql(ZONE_INSERT_SQL.replace("{provisions}", provisions),
                    {"plan_id": plan_id, "plan": plan,
                     "profiles": json.dumps(profiles, ensure_ascii=False)})
    run.sql("UPDATE {plan} SET geom = (SELECT ST_Multi(ST_Union(geom)) FROM {zone} "
            "WHERE plan_id = %(plan_id)s) WHERE id = %(plan_id)s", {"plan_id": plan_id})
    return count


# Lattice vertices jittered by up to a fifth of the spacing; tiles clipped to the unit.
# MATERIALIZED: computed once each, not inlined into every expression that uses them.
GENERAL_TILES_SQL = """
CREATE TEMP TABLE demo_zone ON COMMIT DROP AS
WITH box AS (
    SELECT boundary AS b, ST_XMin(boundary) - %(zone_m)s * (0.3 + 0.4 * %(jx)s) AS ox,
           ST_YMin(boundary) - %(zone_m)s * (0.3 + 0.4 * %(jy)s) AS oy,
           ceil((ST_XMax(boundary) - ST_XMin(boundary)) / %(zone_m)s)::int + 2 AS ni,
           ceil((ST_YMax(boundary) - ST_YMin(boundary)) / %(zone_m)s)::int + 2 AS nj
    FROM {unit} WHERE id = %(unit_id)s
), vertex AS MATERIALIZED (
    SELECT i, j,
           pg_temp.demo_cm(box.ox + %(zone_m)s
                           * (i + 0.4 * (pg_temp.demo_rnd(%(key)s, 94, i, j) - 0.5))) AS x,
           pg_temp.demo_cm(box.oy + %(zone_m)s
                           * (j + 0.4 * (pg_temp.demo_rnd(%(key)s, 95, i, j) - 0.5))) AS y
    FROM box, generate_series(0, box.ni) i, generate_series(0, box.nj) j
), tile AS MATERIALIZED (
    SELECT a.i, a.j, ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[
               ST_MakePoint(a.x, a.y), ST_MakePoint(b.x, b.y), ST_MakePoint(c.x, c.y),
               ST_MakePoint(d.x, d.y), ST_MakePoint(a.x, a.y)])), 2180) AS g
    FROM vertex a
    JOIN vertex b ON b.i = a.i + 1 AND b.j = a.j
    JOIN vertex c ON c.i = a.i + 1 AND c.j = a.j + 1
    JOIN vertex d ON d.i = a.i AND d.j = a.j + 1
), clipped AS MATERIALIZED (
    SELECT t.i, t.j, CASE WHEN ST_CoveredBy(t.g, box.b) THEN ST_Multi(t.g)
                          ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(t.g, box.b), 3))
                     END AS geom
    FROM tile t, box WHERE ST_Intersects(t.g, box.b)
), located AS MATERIALIZED (
    SELECT c.*, ST_X(p.pt) AS px, ST_Y(p.pt) AS py
    FROM clipped c CROSS JOIN LATERAL (SELECT ST_PointOnSurface(c.geom) AS pt) p
    WHERE NOT ST_IsEmpty(c.geom)
)
SELECT row_number() OVER (ORDER BY l.j, l.i) AS ord, l.geom,
       CASE WHEN cell.btype = 11 AND pg_temp.demo_rnd(%(key)s, 96, l.i, l.j) < 0.15 THEN 'SZ'
            ELSE coalesce((%(symbols)s::text[])[cell.btype + 1],
                          CASE WHEN s.kind = 1 THEN 'SJ' ELSE 'SR' END) END AS symbol
FROM located l
LEFT JOIN demo_slot s ON s.gx = floor((l.px - %(origin_x)s) / %(slot_m)s)::int
     AND s.gy = floor((l.py - %(origin_y)s) / %(slot_m)s)::int
LEFT JOIN demo_axis ax ON ax.axis = 0 AND ax.kind = s.kind AND ax.g = s.gx
     AND l.px - s.x0 >= ax.lo AND l.px - s.x0 < ax.hi
LEFT JOIN demo_axis ay ON ay.axis = 1 AND ay.kind = s.kind AND ay.g = s.gy
     AND l.py - s.y0 >= ay.lo AND l.py - s.y0 < ay.hi
LEFT JOIN demo_cell cell ON cell.slot = s.slot AND cell.ri = ay.idx AND cell.ci = ax.idx
"""


def general_plan_insert(run: Run, layout: Layout, unit_name: str) -> int:
    symbols = [GENERAL_SYMBOL_OF_BLOCK.get(code) for code in range(14)]
    first = layout.slots[0]
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_zone")
    run.sql(GENERAL_TILES_SQL, {
        "zone_m": round(layout.slot_m * 0.6), "symbols": symbols,
        "jx": run.params["key"] % 1000 / 1000, "jy": run.params["key"] // 1000 % 1000 / 1000,
        "origin_x": first.x0 - first.gx * layout.slot_m,
        "origin_y": first.y0 - first.gy * layout.slot_m,
    })
    teryt = run.params["teryt"]
    plan = {"kind": "general", "identifier": f"{teryt}-POG", "scale": 10000,
            "name": f"Plan ogólny gminy {unit_name}", "resolution": "LXII/712/2025",
            "resolved": "2025-11-27", "valid_from": "2026-01-12"}
    plan_id = run.value(PLAN_SQL, plan)
    _adopting_resolution_insert(run, plan_id, unit_name, plan)
    return _zones_insert(run, plan_id, "G", PROVISIONS, ROAD_PROVISIONS)


# Local plan: every block of the first few town precincts is one zone, the roads around
# it (the rest of its cell) another.
LOCAL_ZONES_SQL = """
CREATE TEMP TABLE demo_zone ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY c.slot, c.ri, c.ci, z.part) AS ord, z.symbol, z.geom
FROM demo_cell c
JOIN demo_btype t ON t.code = c.btype
CROSS JOIN LATERAL (VALUES
    (0, t.symbol, ST_Multi(ST_MakeEnvelope(c.x_mid, c.y_mid, c.x_hi, c.y_hi, 2180))),
    (1, 'KD', ST_Multi(ST_Difference(ST_MakeEnvelope(c.x_lo, c.y_lo, c.x_hi, c.y_hi, 2180),
                                     ST_MakeEnvelope(c.x_mid, c.y_mid, c.x_hi, c.y_hi, 2180))))
) z(part, symbol, geom)
WHERE c.kind = 1 AND c.slot < %(local_slots)s
"""


def local_plan_insert(run: Run, layout: Layout, district: str, unit_name: str) -> int:
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_zone")
    run.sql(LOCAL_ZONES_SQL, {"local_slots": max(1, min(4, layout.urban_slots // 2))})
    teryt = run.params["teryt"]
    plan = {"kind": "local", "identifier": f"{teryt}-MPZP-0001", "scale": 1000,
            "name": f"Miejscowy plan zagospodarowania przestrzennego „{district}”",
            "resolution": "XXIV/301/2021", "resolved": "2021-06-28", "valid_from": "2021-08-15"}
    plan_id = run.value(PLAN_SQL, plan)
    _adopting_resolution_insert(run, plan_id, unit_name, plan)
    return _zones_insert(run, plan_id, "L", PROVISIONS, ROAD_PROVISIONS)


def plan_identifiers(teryt: str) -> list[str]:
    return [f"{teryt}-POG", f"{teryt}-MPZP-0001"]
