"""Reconciliation as set-based SQL: each step one statement over the whole unit.

Working tables (rec_*) are temporary in an incremental run; a full run makes them unlogged
in a schema of its own (reconcile.py). The rule tables (land use -> tax class, building
class -> rate, conversion factors of the unit's district in force in the tax year, rates of
the year) are loaded first from rules.py and the database, so every statement below joins
data, never branches on codes. The findings of this run collect in rec_found; FINDINGS_MERGE writes
them into the findings table in one transaction (new, persisting, resolved, suppressed).
Values always travel as parameters.
"""
import re

from .rules import TAX_EXEMPT_ON_FARM

TEMP_TABLES = ("rec_ofu", "rec_ozu", "rec_farm", "rec_farm_declared", "rec_factor", "rec_rate",
               "rec_kst", "rec_right", "rec_parcel", "rec_taxed",
               "rec_gone", "rec_succ", "rec_land", "rec_building", "rec_owner", "rec_taxpayer",
               "rec_unpaired", "rec_match", "rec_found", "rec_change", "rec_scope_ru",
               "rec_scope_farm", "rec_scope_account", "rec_scope_changed_b", "rec_scope_seed",
               "rec_scope_parcel", "rec_scope_building", "rec_scope_context")

# Amount of tax of one side ({s}: e the cadastre's, d the register's) of a class row with
# `{s}_area` (ha), `{s}_conv` (conversion ha) and the rate {r} (0 where the side has none).
# Agricultural land of a farm pays per conversion hectare, other agricultural land per
# hectare: rows carry `{s}_farm` and join the rate of their kind (AGRICULTURAL_RATE).
AMOUNT = ("CASE WHEN {r}.key IS NULL THEN 0 ELSE COALESCE(CASE {r}.basis "
          "WHEN 'm2' THEN x.{s}_area * 10000 * {r}.rate WHEN 'ha' THEN x.{s}_area * {r}.rate "
          "WHEN 'conv' THEN x.{s}_conv * {r}.rate ELSE 0 END, 0) END")

AGRICULTURAL_RATE = ("CASE WHEN x.tax_class = 'agricultural' AND NOT x.{s}_farm "
                     "THEN 'agricultural_other' ELSE x.tax_class END")

# A holding's agricultural land (pieces `l`) and whether it makes a farm.
_AGRICULTURAL_LAND = """
JOIN rec_ofu o ON o.ofu = l.ofu AND o.tax_class = 'agricultural'
LEFT JOIN rec_ozu u ON u.ozu = l.ozu
LEFT JOIN rec_factor f ON f.land_group = COALESCE(u.land_group, o.land_group)
                      AND f.soil_class = l.ozk
"""
_FARM = ("sum(l.area_ha) > %(farm_threshold)s "
         "OR sum(l.area_ha * COALESCE(f.factor, %(fallback_factor)s)) > %(farm_threshold)s")

RULES = (
    "CREATE TEMP TABLE rec_ofu AS SELECT * FROM unnest(%(ofu)s::text[], %(ofu_class)s::text[], "
    "%(ofu_group)s::text[]) AS t(ofu, tax_class, land_group)",
    "CREATE TEMP TABLE rec_ozu AS SELECT * FROM unnest(%(ozu)s::text[], %(ozu_group)s::text[]) "
    "AS t(ozu, land_group)",
    # Factors of the unit's district, plus the aliases (orchards: III as IIIa, IV as IVa).
    "CREATE TEMP TABLE rec_factor AS "
    "WITH f AS (SELECT land_group, soil_class, factor FROM cadastre_sync_conversionfactor "
    "WHERE district = %(district)s AND valid_from <= %(tax_day)s "
    "AND (valid_to IS NULL OR valid_to >= %(tax_day)s)) "
    "SELECT land_group, soil_class, factor FROM f UNION ALL "
    "SELECT a.land_group, a.alias, f.factor FROM unnest(%(alias_group)s::text[], "
    "%(alias_from)s::text[], %(alias_to)s::text[]) AS a(land_group, alias, soil_class) "
    "JOIN f ON f.land_group = a.land_group AND f.soil_class = a.soil_class",
    "CREATE TEMP TABLE rec_rate AS SELECT * FROM unnest(%(rate_key)s::text[], "
    "%(rate_value)s::numeric[], %(rate_basis)s::text[]) AS t(key, rate, basis)",
    "CREATE TEMP TABLE rec_kst AS SELECT * FROM unnest(%(kst)s::text[], %(kst_rate)s::text[]) "
    "AS t(kst, rate_key)",
    "CREATE TEMP TABLE rec_right AS SELECT * FROM unnest(%(right)s::text[], "
    "%(right_rank)s::int[]) AS t(code, rank)",
    "ANALYZE rec_ofu", "ANALYZE rec_ozu", "ANALYZE rec_factor", "ANALYZE rec_rate",
    "ANALYZE rec_kst", "ANALYZE rec_right",
)

PARCELS = (
    """
CREATE TEMP TABLE rec_parcel AS
SELECT p.id, p.parcel_id, p.registered_area_ha AS area, p.register_unit_id,
       COALESCE(ru."group" = ANY(%(exempt_groups)s::int[]), false) AS exempt,
       COALESCE(p.register_unit_id, -p.id) AS holding  -- see rec_farm
FROM cadastre_sync_parcel p
LEFT JOIN cadastre_sync_registerunit ru ON ru.id = p.register_unit_id
WHERE p.unit_id = %(unit_id)s AND p.retired_at IS NULL AND @IN_CONTEXT(p.parcel_id)@
""",
    "CREATE UNIQUE INDEX ON rec_parcel (parcel_id)",
    "CREATE UNIQUE INDEX ON rec_parcel (id)",
    "ANALYZE rec_parcel",
    # (The farms and the taxed ids grouped by sorting: hashing a million groups costs more.)
    "SET enable_hashagg = off",
    # A farm (agricultural tax act art. 2 ust. 1): agricultural land held together over the
    # threshold in hectares or conversion hectares. The cadastre's holding is the register
    # unit (a parcel without one: itself, by its id negated); exempt classes count, as land
    # of art. 1 does. Over every current parcel of the holdings read (an incremental run
    # does not read all parcels of its register units).
    """
CREATE TEMP TABLE rec_farm AS
SELECT p.holding, """ + _FARM + """ AS farm
FROM cadastre_sync_landusepiece l
JOIN @HOLDING_PARCELS()@ p ON p.id = l.parcel_id
""" + _AGRICULTURAL_LAND + """
GROUP BY p.holding
""",
    "CREATE UNIQUE INDEX ON rec_farm (holding)",
    "CREATE TEMP TABLE rec_taxed AS SELECT DISTINCT parcel_ref FROM cadastre_sync_taxobject "
    "WHERE unit_id = %(unit_id)s AND parcel_ref <> '' AND @IN_CONTEXT(parcel_ref)@",
    # (Not indexed: every use of it is a join or a hashed set; the index took longer to
    # build than all of them.)
    "RESET enable_hashagg",
    "ANALYZE rec_taxed",
    """
CREATE TEMP TABLE rec_found (category text, key text, parcel_ref text, building_ref text,
                             geom geometry(MultiPolygon, 2180), estimate numeric,
                             severity text, evidence jsonb)
""",
)

# The cadastre's and the register's land side by side, per parcel (or taxed parcel id)
# and tax class, in one pass: the land-use pieces of every current parcel and the
# declared land objects, grouped together. Each side's area, conversion hectares and tax
# (0 where that side has no such class); a side whose class has no rate of the year is
# left out, as if it had no such land.

LAND = (
    # The register's side of the farm test: an account's declared agricultural land.
    """
CREATE TEMP TABLE rec_farm_declared AS
SELECT t.account_id,
       sum(t.area_ha) > %(farm_threshold)s
       OR sum(t.area_ha * COALESCE(f.factor, %(fallback_factor)s)) > %(farm_threshold)s AS farm
FROM cadastre_sync_taxobject t
LEFT JOIN rec_ofu o ON o.ofu = t.land_use
LEFT JOIN rec_factor f ON f.land_group = o.land_group AND f.soil_class = t.soil_class
WHERE t.unit_id = %(unit_id)s AND t.kind = 'agricultural' AND @IN_CONTEXT_ACCOUNTS(t.account_id)@
GROUP BY t.account_id
""",
    # The cadastre's side: what each parcel carries, per tax class (a parcel without
    # land-use pieces counts as other land over its registered area). Br, Lzr and S pieces
    # take the factors of their soil use (OZU); agricultural pieces of the exempt classes
    # are left out, as exempt land is. The register's side: what is declared per parcel id
    # and class (land, agricultural, forest), agricultural land of the exempt classes left
    # out too; its farm is the account's.
    """
CREATE TEMP TABLE rec_land AS
SELECT x.parcel_id, x.tax_class,
       CASE WHEN re.key IS NULL THEN 0 ELSE x.e_area END AS e_area,
       CASE WHEN rd.key IS NULL THEN 0 ELSE x.d_area END AS d_area,
       CASE WHEN re.key IS NULL THEN 0 ELSE x.e_conv END AS e_conv,
       CASE WHEN rd.key IS NULL THEN 0 ELSE x.d_conv END AS d_conv,
       @AMOUNT_E@ AS e_tax, @AMOUNT_D@ AS d_tax
FROM (
    SELECT parcel_id, tax_class, bool_or(side) AS has_e, bool_or(NOT side) AS has_d,
           -- Areas (4 decimals) and conversion hectares (4 + the factor's 2) summed as
           -- whole numbers of their last digit: the same sums as numeric ones (and the same
           -- number of decimals), at a fraction of the cost per group.
           COALESCE((sum((area * 10000)::bigint) FILTER (WHERE side) / 10000.0)
                    ::numeric(20, 4), 0) AS e_area,
           COALESCE((sum((area * 10000)::bigint) FILTER (WHERE NOT side) / 10000.0)
                    ::numeric(20, 4), 0) AS d_area,
           COALESCE((sum((conv * 1000000)::bigint) FILTER (WHERE side) / 1000000.0)
                    ::numeric(20, 6), 0) AS e_conv,
           COALESCE((sum((conv * 1000000)::bigint) FILTER (WHERE NOT side) / 1000000.0)
                    ::numeric(20, 6), 0) AS d_conv,
           COALESCE(bool_or(farm) FILTER (WHERE side), false) AS e_farm,
           COALESCE(bool_or(farm) FILTER (WHERE NOT side), false) AS d_farm
    FROM (
        SELECT true AS side, p.parcel_id, COALESCE(o.tax_class, 'land_other') AS tax_class,
               COALESCE(l.area_ha, p.area) AS area,
               COALESCE(l.area_ha * COALESCE(f.factor, %(fallback_factor)s), 0) AS conv,
               fm.farm
        FROM rec_parcel p
        LEFT JOIN cadastre_sync_landusepiece l ON l.parcel_id = p.id
        LEFT JOIN rec_ofu o ON o.ofu = l.ofu
        LEFT JOIN rec_ozu u ON u.ozu = l.ozu
        LEFT JOIN rec_factor f ON f.land_group = COALESCE(u.land_group, o.land_group)
                              AND f.soil_class = l.ozk
        LEFT JOIN rec_farm fm ON fm.holding = p.holding AND o.tax_class = 'agricultural'
        WHERE l.id IS NULL
           OR o.tax_class <> 'exempt'
              AND NOT (o.tax_class = 'agricultural' AND l.ozk = ANY(%(exempt_classes)s::text[]))
        UNION ALL
        SELECT false, t.parcel_ref,
               CASE t.kind WHEN 'land' THEN 'land_' || t.category ELSE t.kind END,
               t.area_ha, t.area_ha * COALESCE(f.factor, %(fallback_factor)s), fd.farm
        FROM cadastre_sync_taxobject t
        LEFT JOIN rec_ofu o ON o.ofu = t.land_use
        LEFT JOIN rec_factor f ON f.land_group = o.land_group AND f.soil_class = t.soil_class
        LEFT JOIN rec_farm_declared fd ON fd.account_id = t.account_id
        WHERE t.unit_id = %(unit_id)s AND t.kind <> 'building' AND @IN_CONTEXT(t.parcel_ref)@
          AND NOT (t.kind = 'agricultural' AND t.soil_class = ANY(%(exempt_classes)s::text[]))
    ) u
    GROUP BY parcel_id, tax_class
) x
LEFT JOIN rec_rate re ON x.has_e AND re.key = @RATE_E@
LEFT JOIN rec_rate rd ON x.has_d AND rd.key = @RATE_D@
WHERE re.key IS NOT NULL OR rd.key IS NOT NULL
""".replace("@AMOUNT_E@", AMOUNT.format(r="re", s="e"))
   .replace("@AMOUNT_D@", AMOUNT.format(r="rd", s="d"))
   .replace("@RATE_E@", AGRICULTURAL_RATE.format(s="e"))
   .replace("@RATE_D@", AGRICULTURAL_RATE.format(s="d")),
    # (Not indexed: each use is a hashed pass; the index took longer to build.)
    "ANALYZE rec_land",
)

# Taxed parcel ids that are not current: retired (the latest record of the id) or never
# known to the cadastre (no geometry); and the current parcels now covering the ground of
# each retired one (its successors), with their own expected tax (0 when exempt).
SUCCESSION = (
    """
CREATE TEMP TABLE rec_gone AS
SELECT t.parcel_ref, old.geom, old.retired_at, ST_Area(old.geom)::numeric AS area_m2
FROM rec_taxed t
LEFT JOIN LATERAL (
    SELECT x.geom, x.retired_at FROM cadastre_sync_parcel x
    WHERE x.parcel_id = t.parcel_ref ORDER BY x.retired_at DESC LIMIT 1) old ON true
WHERE NOT EXISTS (SELECT 1 FROM cadastre_sync_parcel c
                  WHERE c.parcel_id = t.parcel_ref AND c.retired_at IS NULL)
""",
    "ANALYZE rec_gone",
    """
CREATE TEMP TABLE rec_succ AS
WITH s AS MATERIALIZED (
    SELECT r.parcel_ref AS retired_ref, c.id AS parcel_pk, c.parcel_id, s.shared_m2,
           ST_Area(c.geom)::numeric AS area_m2,
           c.parcel_id IN (SELECT parcel_ref FROM rec_taxed) AS taxed
    FROM rec_gone r
    JOIN cadastre_sync_parcel c ON c.retired_at IS NULL AND c.geom && r.geom
    CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(c.geom, r.geom))::numeric AS shared_m2) s
    WHERE s.shared_m2 >= %(successor_min_m2)s
), t AS (
    -- (The successors' land picked from all parcels' by one hashed pass.)
    SELECT e.parcel_id, sum(e.e_tax) AS tax
    FROM rec_land e JOIN rec_parcel p ON p.parcel_id = e.parcel_id AND NOT p.exempt
    WHERE e.parcel_id IN (SELECT parcel_id FROM s)
    GROUP BY e.parcel_id
)
SELECT s.*, COALESCE(t.tax, 0) AS tax FROM s LEFT JOIN t ON t.parcel_id = s.parcel_id
""",
    "CREATE INDEX ON rec_succ (parcel_pk)",
    "ANALYZE rec_succ",
)

# A current, taxable parcel that no tax object names. Ground still taxed under a retired
# parcel it came from is that retired parcel's finding (PARCEL_NOT_CURRENT), so it is not
# counted twice: only the rest is estimated here, and a parcel covered within the area
# tolerance by taxed retired parcels is no finding of its own.
PARCEL_UNTAXED = """
INSERT INTO rec_found
WITH p AS MATERIALIZED (
    SELECT p.* FROM rec_parcel p
    WHERE NOT p.exempt AND NOT EXISTS (SELECT 1 FROM rec_taxed t WHERE t.parcel_ref = p.parcel_id)
), e AS (
    -- What the cadastre says the parcel carries, built only for the untaxed parcels (whose
    -- land is only the cadastre's side).
    SELECT l.parcel_id, sum(l.e_tax) AS tax, sum(l.e_area) AS area,
           jsonb_object_agg(l.tax_class, jsonb_build_object(
               'area_ha', round(l.e_area, 4), 'conversion_ha', round(l.e_conv, 4),
               'tax', round(l.e_tax, 2))) AS classes
    FROM rec_land l WHERE l.parcel_id IN (SELECT parcel_id FROM p)
    GROUP BY l.parcel_id
)
SELECT 'parcel_untaxed', p.parcel_id, p.parcel_id, '',
       (SELECT g.geom FROM cadastre_sync_parcel g WHERE g.id = p.id),
       CASE WHEN cv.parcel_pk IS NULL THEN e.tax
            ELSE e.tax * GREATEST(1 - cv.covered_m2 / NULLIF(cv.area_m2, 0), 0)
       END, NULL,
       jsonb_build_object('registered_area_ha', p.area, 'expected', e.classes)
       || CASE WHEN cv.parcel_pk IS NULL THEN '{}'::jsonb
               ELSE jsonb_build_object('taxed_as_retired', cv.list) END
FROM p JOIN e ON e.parcel_id = p.parcel_id
LEFT JOIN (SELECT parcel_pk, sum(shared_m2) AS covered_m2, max(area_m2) AS area_m2,
                  jsonb_agg(jsonb_build_object('parcel_id', retired_ref,
                                               'shared_m2', round(shared_m2, 1))
                            ORDER BY retired_ref) AS list
           FROM rec_succ GROUP BY parcel_pk) cv ON cv.parcel_pk = p.id
WHERE e.area > 0
  AND (cv.parcel_pk IS NULL OR (cv.area_m2 - cv.covered_m2) / 10000
                               > GREATEST(%(tol_ha)s, %(tol_share)s * p.area))
"""

# Tax objects naming a parcel that is not current: retired (with the current parcels
# now covering its ground) or never known to the cadastre. The estimate is what the
# untaxed successors owe for the ground they took from it, by the cadastre, less the tax
# declared on the retired parcel for that same ground (shared with them by area): the
# ground is taxed, under the old id, so only the difference is money. Ground that went
# to successors taxed on their own is left at 0 (perhaps taxed twice: the officer says).
PARCEL_NOT_CURRENT = """
INSERT INTO rec_found
SELECT CASE WHEN r.geom IS NULL THEN 'unknown_parcel' ELSE 'retired_parcel' END,
       r.parcel_ref, r.parcel_ref, '', r.geom,
       COALESCE(succ.tax - COALESCE(d.tax, 0) * succ.untaxed_m2 / NULLIF(r.area_m2, 0), 0),
       NULL,
       jsonb_build_object('objects', objs.list, 'retired_at', r.retired_at,
                          'successors', COALESCE(succ.list, '[]'::jsonb),
                          'declared_tax', round(COALESCE(d.tax, 0), 2))
FROM rec_gone r
CROSS JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('id', o.id, 'kind', o.kind, 'account', a.number,
                                        'area_ha', o.area_ha, 'floor_area_m2', o.floor_area_m2)
                     ORDER BY o.id) AS list
    FROM cadastre_sync_taxobject o JOIN cadastre_sync_taxaccount a ON a.id = o.account_id
    WHERE o.unit_id = %(unit_id)s AND o.parcel_ref = r.parcel_ref) objs
LEFT JOIN (SELECT y.parcel_id AS parcel_ref, sum(y.d_tax) AS tax FROM rec_land y
           WHERE y.parcel_id IN (SELECT parcel_ref FROM rec_gone)
           GROUP BY y.parcel_id) d ON d.parcel_ref = r.parcel_ref
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object(
               'parcel_id', s.parcel_id, 'shared_m2', round(s.shared_m2, 1), 'taxed', s.taxed)
               || CASE WHEN s.taxed THEN '{}'::jsonb ELSE jsonb_build_object(
                      'tax', round(s.tax * s.shared_m2 / NULLIF(s.area_m2, 0), 2)) END
           ORDER BY s.parcel_id) AS list,
           sum(s.tax * s.shared_m2 / NULLIF(s.area_m2, 0)) FILTER (WHERE NOT s.taxed) AS tax,
           COALESCE(sum(s.shared_m2) FILTER (WHERE NOT s.taxed), 0) AS untaxed_m2
    FROM rec_succ s WHERE s.retired_ref = r.parcel_ref) succ ON true
"""

# A taxed parcel whose declared land differs from the cadastre: in kind (tax class, or
# soil classes giving other conversion hectares) or in area beyond the tolerance.
LAND_DIFFERENCE = """
INSERT INTO rec_found
WITH g AS (
    SELECT l.parcel_id, sum(l.e_area) AS e_area, sum(l.d_area) AS d_area,
           sum(l.e_conv) FILTER (WHERE l.tax_class = 'agricultural') AS e_conv,
           sum(l.d_conv) FILTER (WHERE l.tax_class = 'agricultural') AS d_conv,
           sum(l.e_tax) AS e_tax, sum(l.d_tax) AS d_tax,
           max(abs(l.e_area - l.d_area)) AS class_diff
    FROM rec_land l
    -- Summed only for the taxed parcels with a class whose sides differ, or with nothing
    -- (or less) declared in one: where every class agrees, the sums agree and some
    -- declared area is above 0, so no test below can hold. (An untaxed parcel is a
    -- finding of its own.)
    WHERE l.parcel_id IN (SELECT c.parcel_id FROM rec_land c
                          WHERE (c.e_area <> c.d_area OR c.d_area <= 0
                                 OR c.tax_class = 'agricultural' AND c.e_conv <> c.d_conv)
                            AND c.parcel_id IN (SELECT parcel_ref FROM rec_taxed))
    GROUP BY l.parcel_id
), differ AS (
    SELECT g.*, p.id AS parcel_pk, p.area, c.tolerance
    FROM g JOIN rec_parcel p ON p.parcel_id = g.parcel_id
    CROSS JOIN LATERAL (SELECT GREATEST(%(tol_ha)s, %(tol_share)s * p.area) AS tolerance) c
    WHERE NOT p.exempt AND (
        g.d_area = 0 OR abs(g.e_area - g.d_area) > c.tolerance OR g.class_diff > c.tolerance
        OR abs(COALESCE(g.e_conv, 0) - COALESCE(g.d_conv, 0)) > %(conv_tol)s)
), e AS (
    -- The evidence (land by tax class on each side) only for the parcels that differ.
    SELECT l.parcel_id,
           COALESCE(jsonb_object_agg(l.tax_class, jsonb_build_object(
               'area_ha', round(l.e_area, 4), 'conversion_ha', round(l.e_conv, 4)))
               FILTER (WHERE l.e_area > 0), '{}') AS expected,
           COALESCE(jsonb_object_agg(l.tax_class, jsonb_build_object(
               'area_ha', round(l.d_area, 4), 'conversion_ha', round(l.d_conv, 4)))
               FILTER (WHERE l.d_area > 0), '{}') AS declared
    FROM rec_land l WHERE l.parcel_id IN (SELECT parcel_id FROM differ)
    GROUP BY l.parcel_id
)
SELECT CASE WHEN g.d_area = 0 OR abs(g.e_area - g.d_area) > g.tolerance
            THEN 'area_difference' ELSE 'land_use_difference' END,
       g.parcel_id, g.parcel_id, '',
       (SELECT x.geom FROM cadastre_sync_parcel x WHERE x.id = g.parcel_pk),
       g.e_tax - g.d_tax, NULL,
       jsonb_build_object('registered_area_ha', g.area, 'tolerance_ha', round(g.tolerance, 4),
                          'expected', e.expected, 'declared', e.declared,
                          'expected_area_ha', round(g.e_area, 4), 'declared_area_ha', g.d_area,
                          'expected_conversion_ha', round(g.e_conv, 4),
                          'declared_conversion_ha', round(g.d_conv, 4))
FROM differ g JOIN e ON e.parcel_id = g.parcel_id
"""

BUILDINGS = (
    """
CREATE TEMP TABLE rec_building AS
SELECT b.id, b.building_id, b.kst_class, x.rate_key, r.rate,
       COALESCE(b.built_up_area_m2, ST_Area(b.geom)::numeric) * GREATEST(b.storeys_above, 1)
           * %(usable_share)s AS est_floor,
       b.storeys_above, COALESCE(b.built_up_area_m2, round(ST_Area(b.geom)::numeric, 2))
           AS footprint,
       ps.parcels, COALESCE(ps.all_exempt, false) AS all_exempt
FROM cadastre_sync_building b
LEFT JOIN rec_kst k ON k.kst = b.kst_class  -- a class the table does not know: the fallback
-- Each building's current parcels, grouped in one pass (not looked up building by building).
LEFT JOIN (
    SELECT bp.building_id, array_agg(p.parcel_id ORDER BY p.parcel_id) AS parcels,
           bool_and(p.exempt) AS all_exempt, COALESCE(bool_or(fm.farm), false) AS on_farm
    FROM cadastre_sync_building_parcels bp JOIN rec_parcel p ON p.id = bp.parcel_id
    LEFT JOIN rec_farm fm ON fm.holding = p.holding
    WHERE @IN_BUILDING_PKS(bp.building_id)@
    GROUP BY bp.building_id) ps ON ps.building_id = b.id
-- A class exempt only on a farm's land: exempt there, elsewhere the fallback rate.
CROSS JOIN LATERAL (
    SELECT CASE WHEN k.rate_key = '@EXEMPT_ON_FARM@'
                THEN CASE WHEN ps.on_farm THEN 'exempt' ELSE %(kst_fallback)s END
                ELSE COALESCE(k.rate_key, %(kst_fallback)s) END AS rate_key) x
LEFT JOIN rec_rate r ON r.key = x.rate_key
WHERE b.unit_id = %(unit_id)s AND b.retired_at IS NULL AND @IN_BUILDINGS(b.building_id)@
""".replace("@EXEMPT_ON_FARM@", TAX_EXEMPT_ON_FARM),
    # Not unique: exports may give every building one placeholder id (the objects are
    # their IIP identifiers).
    "CREATE INDEX ON rec_building (building_id)",
    "ANALYZE rec_building",
)

# A taxable cadastre building that no tax object declares, by its id or by its parcel.
BUILDING_UNDECLARED = """
INSERT INTO rec_found
SELECT 'building_undeclared', b.building_id, COALESCE(b.parcels[1], ''), b.building_id,
       (SELECT g.geom FROM cadastre_sync_building g WHERE g.id = b.id),
       round(b.est_floor * b.rate, 2), NULL,
       jsonb_build_object('parcels', b.parcels, 'footprint_m2', b.footprint,
                          'storeys', b.storeys_above, 'estimated_floor_area_m2',
                          round(b.est_floor, 2), 'rate', b.rate_key, 'kst_class', b.kst_class)
FROM rec_building b
WHERE b.rate_key <> 'exempt' AND NOT b.all_exempt
  AND NOT EXISTS (SELECT 1 FROM cadastre_sync_taxobject t
                  WHERE t.unit_id = %(unit_id)s AND t.kind = 'building'
                    AND t.building_ref = b.building_id)
  -- on a parcel (of its parcels) where buildings are declared by the parcel only
  AND b.id NOT IN (SELECT bp.building_id FROM cadastre_sync_building_parcels bp
                   JOIN rec_parcel p ON p.id = bp.parcel_id
                   JOIN cadastre_sync_taxobject t ON t.parcel_ref = p.parcel_id
                   WHERE t.unit_id = %(unit_id)s AND t.kind = 'building'
                     AND t.building_ref = '')
"""

# Declared usable floor area far from footprint x storeys x usable share: per building
# declared by id, and per parcel for buildings declared by parcel only.
FLOOR_AREA = """
INSERT INTO rec_found
WITH by_parcel AS (
    SELECT t.parcel_ref, sum(t.floor_area_m2) AS declared,
           (array_agg(r.rate ORDER BY t.floor_area_m2 DESC))[1] AS rate
    FROM cadastre_sync_taxobject t
    JOIN rec_rate r ON r.key = 'building_' || t.category
    WHERE t.unit_id = %(unit_id)s AND t.kind = 'building' AND t.building_ref = ''
      AND @IN_CONTEXT(t.parcel_ref)@
    GROUP BY t.parcel_ref
)
SELECT 'floor_area_difference', g.key, g.parcel_ref, g.building_ref,
       CASE WHEN g.building_pk IS NOT NULL
            THEN (SELECT x.geom FROM cadastre_sync_building x WHERE x.id = g.building_pk)
            ELSE (SELECT x.geom FROM cadastre_sync_parcel x WHERE x.id = g.parcel_pk) END,
       round((g.est - g.declared) * g.rate, 2), NULL,
       jsonb_build_object('declared_floor_area_m2', g.declared,
                          'estimated_floor_area_m2', round(g.est, 2),
                          'buildings', g.buildings, 'tolerance_share', %(floor_tol)s)
FROM (
    SELECT 'B:' || b.building_id AS key, COALESCE(b.parcels[1], '') AS parcel_ref,
           b.building_id AS building_ref, b.id AS building_pk, NULL::bigint AS parcel_pk,
           b.est_floor AS est, d.declared, d.rate,
           to_jsonb(ARRAY[b.building_id]) AS buildings
    FROM (SELECT t.building_ref, sum(t.floor_area_m2) AS declared,
                 (array_agg(r.rate ORDER BY t.floor_area_m2 DESC))[1] AS rate
          FROM cadastre_sync_taxobject t
          JOIN rec_rate r ON r.key = 'building_' || t.category
          WHERE t.unit_id = %(unit_id)s AND t.kind = 'building' AND t.building_ref <> ''
            AND @IN_BUILDINGS(t.building_ref)@
          GROUP BY t.building_ref) d
    JOIN rec_building b ON b.building_id = d.building_ref
    UNION ALL
    SELECT 'P:' || p.parcel_id, p.parcel_id, '', NULL, p.id, COALESCE(est.floor, 0),
           d.declared, d.rate, COALESCE(est.buildings, '[]')
    FROM by_parcel d
    JOIN rec_parcel p ON p.parcel_id = d.parcel_ref
    -- The buildings on those parcels not declared by their own id (a building's parcels
    -- are its links to the current parcels).
    LEFT JOIN (
        SELECT bp.parcel_id AS parcel_pk, sum(b.est_floor) AS floor,
               jsonb_agg(b.building_id ORDER BY b.building_id) AS buildings
        FROM cadastre_sync_building_parcels bp
        JOIN rec_building b ON b.id = bp.building_id
        WHERE bp.parcel_id IN (SELECT p.id FROM by_parcel d
                               JOIN rec_parcel p ON p.parcel_id = d.parcel_ref)
          AND b.rate_key <> 'exempt'
          AND NOT EXISTS (SELECT 1 FROM cadastre_sync_taxobject t
                          WHERE t.unit_id = %(unit_id)s AND t.kind = 'building'
                            AND t.building_ref = b.building_id)
        GROUP BY bp.parcel_id) est ON est.parcel_pk = p.id
) g
WHERE abs(g.est - g.declared) > %(floor_tol)s * g.est
"""

# Building tax objects naming a building id that is not current: retired (with the
# current buildings now standing on its footprint) or never known to the cadastre.
BUILDING_NOT_CURRENT = """
INSERT INTO rec_found
WITH d AS (
    SELECT t.building_ref, min(NULLIF(t.parcel_ref, '')) AS parcel_ref,
           jsonb_agg(jsonb_build_object('id', t.id, 'kind', t.kind, 'account', a.number,
                                        'category', t.category,
                                        'floor_area_m2', t.floor_area_m2) ORDER BY t.id) AS list
    FROM cadastre_sync_taxobject t JOIN cadastre_sync_taxaccount a ON a.id = t.account_id
    WHERE t.unit_id = %(unit_id)s AND t.kind = 'building' AND t.building_ref <> ''
      AND @IN_BUILDINGS(t.building_ref)@
      AND NOT EXISTS (SELECT 1 FROM cadastre_sync_building c
                      WHERE c.building_id = t.building_ref AND c.retired_at IS NULL)
    GROUP BY t.building_ref
), old AS (
    SELECT DISTINCT ON (b.building_id) b.building_id, b.id, b.geom, b.retired_at
    FROM cadastre_sync_building b JOIN d ON d.building_ref = b.building_id
    ORDER BY b.building_id, b.retired_at DESC
)
SELECT CASE WHEN old.id IS NULL THEN 'unknown_building' ELSE 'retired_building' END,
       d.building_ref, COALESCE(op.parcel_id, d.parcel_ref, ''), d.building_ref, old.geom, 0,
       NULL, jsonb_build_object('objects', d.list, 'building_retired_at', old.retired_at,
                                'buildings_now', COALESCE(cur.list, '[]'::jsonb))
FROM d
LEFT JOIN old ON old.building_id = d.building_ref
LEFT JOIN LATERAL (
    SELECT min(p.parcel_id) AS parcel_id FROM cadastre_sync_building_parcels bp
    JOIN cadastre_sync_parcel p ON p.id = bp.parcel_id WHERE bp.building_id = old.id) op ON true
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object(
               'building_id', c.building_id,
               'declared', EXISTS (SELECT 1 FROM cadastre_sync_taxobject z
                                   WHERE z.unit_id = %(unit_id)s AND z.kind = 'building'
                                     AND z.building_ref = c.building_id))
           ORDER BY c.building_id) AS list
    FROM cadastre_sync_building c
    WHERE c.retired_at IS NULL AND c.geom && old.geom AND ST_Intersects(c.geom, old.geom)) cur
    ON true
"""

# Names compared folded: without case, Polish diacritics, punctuation or extra spaces
# (lower() alone folds only ASCII under the C collation, so capitals are translated too).
NAME_KEY = ("btrim(regexp_replace(lower(translate({}, 'ąćęłńóśźżĄĆĘŁŃÓŚŹŻäöüéÄÖÜÉ', "
            "'acelnoszzACELNOSZZaoueAOUE')), '[^a-z0-9]+', ' ', 'g'))")
# Names are kept as written and folded (NAME_KEY) only for the pairs that need them: most
# owners and taxpayers carry an identifier, and folding 1.5 million names each run costs
# more than the whole matching.
_OWNER_NAME = "CASE WHEN o.kind = 'person' THEN o.first_name || ' ' || o.surname ELSE o.name END"
_TAXPAYER_NAME = ("CASE WHEN t.kind = 'person' THEN t.first_name || ' ' || t.surname "
                  "ELSE t.name END")

OWNERS = (
    # Who should be taxed for each taxed parcel, each with the spouse they hold a joint
    # share with: the holders of the register unit's shares of the first rank by right
    # (the perpetual usufructuary or trust manager rather than the State or gmina owner).
    """
-- Distinct pairs first, the person's identifiers and name (given by the id) joined after.
CREATE TEMP TABLE rec_owner AS
SELECT x.parcel_id, o.id AS owner_id, NULLIF(o.pesel, '') AS pesel,
       NULLIF(left(o.regon, 9), '') AS regon, """ + _OWNER_NAME + """ AS name,
       x.partner, x."right"
FROM (
    SELECT DISTINCT p.parcel_id, m.member, m.partner, s."right"
    FROM rec_parcel p
    JOIN rec_taxed tx ON tx.parcel_ref = p.parcel_id
    JOIN cadastre_sync_ownershipshare s ON s.register_unit_id = p.register_unit_id
    LEFT JOIN rec_right r ON r.code = s."right"
    CROSS JOIN LATERAL (VALUES (s.owner_id, s.spouse_id), (s.spouse_id, s.owner_id))
        AS m(member, partner)
    WHERE NOT p.exempt AND m.member IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM cadastre_sync_ownershipshare s2
                      JOIN rec_right r2 ON r2.code = s2."right"
                      WHERE s2.register_unit_id = s.register_unit_id
                        AND r2.rank < COALESCE(r.rank, 32767))  -- an unknown right: last
) x
JOIN cadastre_sync_owner o ON o.id = x.member
""",  # noqa: S608 - composed from constants of this module
    """
CREATE TEMP TABLE rec_taxpayer AS
SELECT x.parcel_id, t.id AS taxpayer_id, NULLIF(t.pesel, '') AS pesel,
       NULLIF(left(t.regon, 9), '') AS regon, """ + _TAXPAYER_NAME + """ AS name
FROM (
    SELECT DISTINCT ob.parcel_ref AS parcel_id, h.taxpayer_id
    FROM cadastre_sync_taxobject ob
    JOIN cadastre_sync_accountholder h ON h.account_id = ob.account_id
    JOIN rec_parcel p ON p.parcel_id = ob.parcel_ref AND NOT p.exempt
    WHERE ob.unit_id = %(unit_id)s AND @IN_CONTEXT(ob.parcel_ref)@
) x
JOIN cadastre_sync_taxpayer t ON t.id = x.taxpayer_id
""",  # noqa: S608 - composed from constants of this module
    # No indexes on these three: building them costs more than the joins they would serve.
    "ANALYZE rec_owner", "ANALYZE rec_taxpayer",
)

# Same person: equal identifier; or, where one side has none, equal normalised name (CASE
# keeps that order: names are folded only where no identifier decides).
_SAME = ("CASE WHEN a.pesel = b.pesel OR a.regon = b.regon THEN true "
         "WHEN a.pesel IS NULL AND a.regon IS NULL OR b.pesel IS NULL AND b.regon IS NULL "
         "THEN " + NAME_KEY.format("a.name") + " = " + NAME_KEY.format("b.name") + " "
         "ELSE false END")
_MATCHED_BY = ("CASE WHEN a.pesel = b.pesel OR a.regon = b.regon THEN 'identifier' "
               "ELSE 'name' END")

# The parcels with an owner or a taxpayer left unpaired (told in one pass each, without
# listing the pairs of the many parcels where everyone pairs up); then every (owner,
# taxpayer) pair of those parcels that is the same person, and how it was told.
OWNER_MATCHES = (
    """
CREATE TEMP TABLE rec_unpaired AS
SELECT a.parcel_id FROM rec_owner a
WHERE NOT EXISTS (SELECT 1 FROM rec_taxpayer b WHERE b.parcel_id = a.parcel_id
                                                AND """ + _SAME + """)
UNION
SELECT b.parcel_id FROM rec_taxpayer b
WHERE NOT EXISTS (SELECT 1 FROM rec_owner a WHERE a.parcel_id = b.parcel_id
                                             AND """ + _SAME + """)
""",  # noqa: S608 - composed from constants of this module
    "ANALYZE rec_unpaired",
    """
CREATE TEMP TABLE rec_match AS
SELECT a.parcel_id, a.owner_id, b.taxpayer_id, """ + _MATCHED_BY + """ AS how
FROM rec_owner a JOIN rec_taxpayer b ON b.parcel_id = a.parcel_id
WHERE a.parcel_id IN (SELECT parcel_id FROM rec_unpaired) AND """ + _SAME + """
""",  # noqa: S608 - composed from constants of this module
    "ANALYZE rec_match",
)

# A parcel whose owners and taxpayers do not pair up; the spouse case when the only
# unpaired owners are spouses of paired ones and every taxpayer is paired.
OWNER_MISMATCH = """
INSERT INTO rec_found
WITH om AS (
    -- Only the parcels with someone unpaired get the evidence built (picked by a pass
    -- over the owners and taxpayers against the few such parcels).
    SELECT a.parcel_id, a.owner_id, max(a.partner) AS partner, min(m.how) AS how,
           min(a."right") AS "right"
    FROM rec_owner a
    LEFT JOIN rec_match m ON m.parcel_id = a.parcel_id AND m.owner_id = a.owner_id
    WHERE a.parcel_id IN (SELECT parcel_id FROM rec_unpaired)
    GROUP BY a.parcel_id, a.owner_id
), tm AS (
    SELECT b.parcel_id, b.taxpayer_id, min(m.how) AS how
    FROM rec_taxpayer b
    LEFT JOIN rec_match m ON m.parcel_id = b.parcel_id AND m.taxpayer_id = b.taxpayer_id
    WHERE b.parcel_id IN (SELECT parcel_id FROM rec_unpaired)
    GROUP BY b.parcel_id, b.taxpayer_id
), x AS (
    SELECT om.parcel_id,
           jsonb_agg(jsonb_build_object('id', om.owner_id, 'matched_by', om.how,
                                        'right', om."right")
                     ORDER BY om.owner_id) AS owners,
           count(*) FILTER (WHERE om.how IS NULL) AS unmatched,
           count(*) FILTER (WHERE om.how IS NULL AND sp.how IS NOT NULL) AS spouse_unmatched
    FROM om LEFT JOIN om sp ON sp.parcel_id = om.parcel_id AND sp.owner_id = om.partner
    GROUP BY om.parcel_id
), y AS (
    SELECT parcel_id, jsonb_agg(jsonb_build_object('id', taxpayer_id, 'matched_by', how)
                                ORDER BY taxpayer_id) AS taxpayers,
           count(*) FILTER (WHERE how IS NULL) AS unmatched
    FROM tm GROUP BY parcel_id
)
SELECT 'owner_mismatch', x.parcel_id, x.parcel_id, '',
       (SELECT g.geom FROM cadastre_sync_parcel g WHERE g.id = p.id), 0,
       CASE WHEN y.unmatched = 0 AND x.unmatched = x.spouse_unmatched
            THEN %(spouse_severity)s END,
       jsonb_build_object('owners', x.owners, 'taxpayers', y.taxpayers,
                          'spouse_case', y.unmatched = 0 AND x.unmatched > 0
                                         AND x.unmatched = x.spouse_unmatched)
FROM x JOIN y USING (parcel_id) JOIN rec_parcel p ON p.parcel_id = x.parcel_id
WHERE x.unmatched + y.unmatched > 0
"""

SEVERITY = """
UPDATE rec_found r SET severity = COALESCE(
    r.severity,
    (SELECT f.severity FROM unnest(%(fixed_category)s::text[], %(fixed_severity)s::text[])
         AS f(category, severity) WHERE f.category = r.category),
    CASE WHEN abs(r.estimate) >= %(high_from)s THEN 'high'
         WHEN abs(r.estimate) >= %(medium_from)s THEN 'medium' ELSE 'low' END)
"""

# The run's findings into the findings table (one transaction): counts per outcome.
FINDINGS_MERGE = (
    ("suppressed", """
SELECT count(*) FROM rec_found r JOIN cadastre_sync_taxfinding f
  ON f.unit_id = %(unit_id)s AND f.category = r.category AND f.key = r.key
WHERE f.status = 'dismissed'
"""),
    ("persisting", """
UPDATE cadastre_sync_taxfinding f SET last_run_id = %(run_id)s, severity = r.severity,
       estimate = round(r.estimate, 2), evidence = r.evidence, geom = r.geom,
       parcel_ref = r.parcel_ref, building_ref = r.building_ref
FROM rec_found r
WHERE f.unit_id = %(unit_id)s AND f.category = r.category AND f.key = r.key
  AND f.status = 'open'
"""),
    ("reopened", """
WITH up AS (
    UPDATE cadastre_sync_taxfinding f SET status = 'open', first_run_id = %(run_id)s,
           last_run_id = %(run_id)s, resolved_run_id = NULL, closed_at = NULL,
           closed_by_id = NULL, severity = r.severity, estimate = round(r.estimate, 2),
           evidence = r.evidence, geom = r.geom
    FROM rec_found r
    WHERE f.unit_id = %(unit_id)s AND f.category = r.category AND f.key = r.key
      AND f.status = 'resolved'
    RETURNING f.id)
INSERT INTO cadastre_sync_findingevent (finding_id, at, action, text)
SELECT id, now(), 'reopen', %(reopen_text)s FROM up
"""),
    ("new", """
INSERT INTO cadastre_sync_taxfinding (unit_id, category, key, severity, status, parcel_ref,
    building_ref, geom, evidence, estimate, first_run_id, last_run_id, resolution)
SELECT %(unit_id)s, r.category, r.key, r.severity, 'open', r.parcel_ref, r.building_ref,
       r.geom, r.evidence, round(r.estimate, 2), %(run_id)s, %(run_id)s, ''
FROM rec_found r
-- Every finding of the unit with the same key, whatever its status, is kept as it is.
-- The unit's keys are read once, into a hashed set, before any row is written (an
-- anti-join planned for a findings table without statistics, a unit's first run, scanned
-- the rows the statement had just written for each row it wrote); the unique index is
-- the last word.
WHERE (r.category, r.key) NOT IN (SELECT f.category, f.key FROM cadastre_sync_taxfinding f
                                  WHERE f.unit_id = %(unit_id)s)
ON CONFLICT (unit_id, category, key) DO NOTHING
"""),
    ("resolved", """
UPDATE cadastre_sync_taxfinding f SET status = 'resolved', resolved_run_id = %(run_id)s,
       closed_at = now()
WHERE f.unit_id = %(unit_id)s AND f.status = 'open' AND f.last_run_id <> %(run_id)s
  AND @IN_SCOPE(f)@
"""),
)

# The farms of this run, for the next one's scope: of every holding after a full run, of
# those it read after an incremental one. Only what changed is written.
FARMS_KEEP = (
    """
DELETE FROM cadastre_sync_farmholding s
WHERE s.unit_id = %(unit_id)s AND @IN_CONTEXT_HOLDINGS(s.holding)@
  AND NOT EXISTS (SELECT 1 FROM rec_farm f WHERE f.holding = s.holding AND f.farm)
""",
    """
INSERT INTO cadastre_sync_farmholding (unit_id, holding)
SELECT %(unit_id)s, f.holding FROM rec_farm f
WHERE f.farm AND NOT EXISTS (SELECT 1 FROM cadastre_sync_farmholding s
                             WHERE s.unit_id = %(unit_id)s AND s.holding = f.holding)
""",
)

# Incremental runs. The changes recorded since the last run (ReconciliationChange, written
# by triggers) are read first, and consumed with the merge; an incremental run then
# re-checks only the parcels and buildings whose findings those changes can alter:
# - the parcels changed, and every parcel of a register unit that changed or holds a
#   changed parcel (a farm is the register unit's land; owners are its shares);
# - every parcel and building named by a tax account whose objects or holders changed
#   (a farm on the register's side is the account's land);
# - the parcels of changed buildings and the buildings on re-checked parcels;
# - through shared ground, the taxed retired parcels and their current successors, until
#   no more are added (each one's finding names the others).
# The steps then read only that scope, and the parcels they need to judge it (the other
# parcels of its register units and of its buildings): @IN_...@ markers in the statements
# above, "true" in a full run.
# Which findings a category keys by building id (the rest: by parcel id; the floor area
# one by "B:" building or "P:" parcel).
BUILDING_KEYED = ("building_undeclared", "retired_building", "unknown_building")
_BUILDING_KEYED_SQL = "', '".join(BUILDING_KEYED)

CHANGES_READ = (
    "CREATE TEMP TABLE rec_change AS SELECT id, kind, ref "
    "FROM cadastre_sync_reconciliationchange WHERE unit_id = %(unit_id)s",
)
CHANGES_ANALYZE = "ANALYZE rec_change"

# The ids as one array probed through the primary key: a join would be planned from the
# journal's statistics, which say "empty" whenever it was last analysed between runs, and
# a nested loop over two large sides then takes minutes.
CHANGES_CONSUME = "DELETE FROM cadastre_sync_reconciliationchange WHERE id = ANY(ARRAY(" \
                  "SELECT id FROM rec_change WHERE id IS NOT NULL))"

# Findings an officer closed (resolved or marked not a discrepancy) since the last run
# are re-checked too: one closed while the data still shows it is found again (reopened,
# or counted as not a discrepancy). Added as changes of their parcel or building, which
# the merge does not consume (no id).
CLOSED_SINCE = """
INSERT INTO rec_change (id, kind, ref)
SELECT NULL, CASE WHEN f.category IN ('@BUILDING_KEYED@')
                    OR f.category = 'floor_area_difference' AND f.key LIKE 'B:%%'
                  THEN 'y' ELSE 'x' END,
       CASE WHEN f.category = 'floor_area_difference' THEN substr(f.key, 3) ELSE f.key END
FROM cadastre_sync_taxfinding f
WHERE f.unit_id = %(unit_id)s AND f.status <> 'open'
  AND (f.closed_at IS NULL OR f.closed_at >= %(since)s)
""".replace("@BUILDING_KEYED@", _BUILDING_KEYED_SQL)

SCOPE = (
    # A change to a parcel's land (or buildings) concerns the other parcels of its register
    # unit only when it makes the holding a farm or ends it (the rate of all its
    # agricultural land, farm buildings' exemption): compared with the farms of the last run.
    """
CREATE TEMP TABLE rec_scope_farm AS
WITH h AS (
    SELECT DISTINCT p.register_unit_id AS holding FROM rec_change c
    JOIN cadastre_sync_parcel p ON p.id = c.ref::bigint
    WHERE c.kind = 'p' AND p.register_unit_id IS NOT NULL
)
SELECT h.holding FROM h
CROSS JOIN LATERAL (
    SELECT """ + _FARM + """ AS farm
    FROM cadastre_sync_parcel p
    JOIN cadastre_sync_landusepiece l ON l.parcel_id = p.id
    """ + _AGRICULTURAL_LAND + """
    WHERE p.register_unit_id = h.holding AND p.unit_id = %(unit_id)s
      AND p.retired_at IS NULL) now
WHERE COALESCE(now.farm, false) <> EXISTS (
    SELECT 1 FROM cadastre_sync_farmholding s
    WHERE s.unit_id = %(unit_id)s AND s.holding = h.holding)
""",  # noqa: S608 - composed from constants of this module
    """
CREATE TEMP TABLE rec_scope_ru AS
SELECT ref::bigint AS id FROM rec_change WHERE kind = 'r'
UNION SELECT s.register_unit_id FROM rec_change c
      JOIN cadastre_sync_ownershipshare s ON s.owner_id = c.ref::bigint WHERE c.kind = 'o'
UNION SELECT s.register_unit_id FROM rec_change c
      JOIN cadastre_sync_ownershipshare s ON s.spouse_id = c.ref::bigint WHERE c.kind = 'o'
UNION SELECT holding FROM rec_scope_farm
""",
    "ANALYZE rec_scope_ru",
    """
CREATE TEMP TABLE rec_scope_account AS
SELECT ref::bigint AS id FROM rec_change WHERE kind = 'a'
UNION SELECT h.account_id FROM rec_change c
      JOIN cadastre_sync_accountholder h ON h.taxpayer_id = c.ref::bigint WHERE c.kind = 't'
""",
    "ANALYZE rec_scope_account",
    """
CREATE TEMP TABLE rec_scope_changed_b AS
SELECT ref AS building_id FROM rec_change WHERE kind = 'y'
UNION SELECT b.building_id FROM rec_change c
      JOIN cadastre_sync_building b ON b.id = c.ref::bigint WHERE c.kind = 'b'
UNION SELECT t.building_ref FROM rec_scope_account a
      JOIN cadastre_sync_taxobject t ON t.account_id = a.id WHERE t.building_ref <> ''
""",
    "ANALYZE rec_scope_changed_b",
    """
CREATE TEMP TABLE rec_scope_seed AS
SELECT ref AS parcel_id FROM rec_change WHERE kind = 'x'
UNION SELECT p.parcel_id FROM rec_change c
      JOIN cadastre_sync_parcel p ON p.id = c.ref::bigint WHERE c.kind = 'p'
UNION SELECT p.parcel_id FROM rec_scope_ru r
      JOIN cadastre_sync_parcel p ON p.register_unit_id = r.id
UNION SELECT t.parcel_ref FROM rec_scope_account a
      JOIN cadastre_sync_taxobject t ON t.account_id = a.id WHERE t.parcel_ref <> ''
UNION SELECT p.parcel_id FROM rec_scope_changed_b cb
      JOIN cadastre_sync_building b ON b.building_id = cb.building_id
      JOIN cadastre_sync_building_parcels bp ON bp.building_id = b.id
      JOIN cadastre_sync_parcel p ON p.id = bp.parcel_id
""",
    "ANALYZE rec_scope_seed",
    # Shared ground: a current parcel and a taxed parcel id with no current record
    # (retired), both ways, until closed.
    """
CREATE TEMP TABLE rec_scope_parcel AS
WITH RECURSIVE s(parcel_id) AS (
    SELECT parcel_id FROM rec_scope_seed
    UNION
    SELECT n.parcel_id
    FROM s
    JOIN cadastre_sync_parcel a ON a.parcel_id = s.parcel_id
    -- Around a current record the retired ones, around a retired one the current ones.
    CROSS JOIN LATERAL (
        SELECT x.parcel_id, x.geom FROM cadastre_sync_parcel x
        WHERE a.retired_at IS NULL AND x.retired_at IS NOT NULL AND x.geom && a.geom
        UNION ALL
        SELECT x.parcel_id, x.geom FROM cadastre_sync_parcel x
        WHERE a.retired_at IS NOT NULL AND x.retired_at IS NULL AND x.geom && a.geom) n
    WHERE n.parcel_id <> a.parcel_id
      AND NOT EXISTS (SELECT 1 FROM cadastre_sync_parcel z
                      WHERE z.retired_at IS NULL AND z.parcel_id =
                            CASE WHEN a.retired_at IS NULL THEN n.parcel_id ELSE a.parcel_id END)
      AND EXISTS (SELECT 1 FROM cadastre_sync_taxobject t
                  WHERE t.unit_id = %(unit_id)s AND t.parcel_ref =
                        CASE WHEN a.retired_at IS NULL THEN n.parcel_id ELSE a.parcel_id END)
      AND ST_Area(ST_Intersection(n.geom, a.geom)) >= %(successor_min_m2)s
)
SELECT parcel_id FROM s
""",
    "CREATE UNIQUE INDEX ON rec_scope_parcel (parcel_id)",
    """
CREATE TEMP TABLE rec_scope_building AS
SELECT building_id FROM rec_scope_changed_b
-- Buildings on the parcels re-checked, retired records included: a building left on a
-- parcel that was split or removed loses its ground (and a farm's land).
UNION SELECT b.building_id FROM rec_scope_parcel s
      JOIN cadastre_sync_parcel p ON p.parcel_id = s.parcel_id
      JOIN cadastre_sync_building_parcels bp ON bp.parcel_id = p.id
      JOIN cadastre_sync_building b ON b.id = bp.building_id
-- Taxed retired buildings whose old footprint meets a changed building (their finding
-- lists the buildings standing there now).
UNION SELECT o.building_id FROM rec_scope_changed_b cb
      JOIN cadastre_sync_building b ON b.building_id = cb.building_id
      JOIN cadastre_sync_building o ON o.geom && b.geom AND o.retired_at IS NOT NULL
                                   AND ST_Intersects(o.geom, b.geom)
""",
    "CREATE UNIQUE INDEX ON rec_scope_building (building_id)",
    """
CREATE TEMP TABLE rec_scope_context AS
SELECT parcel_id FROM rec_scope_parcel
UNION SELECT p.parcel_id FROM rec_scope_building sb
      JOIN cadastre_sync_building b ON b.building_id = sb.building_id AND b.retired_at IS NULL
      JOIN cadastre_sync_building_parcels bp ON bp.building_id = b.id
      JOIN cadastre_sync_parcel p ON p.id = bp.parcel_id
""",
    "CREATE UNIQUE INDEX ON rec_scope_context (parcel_id)",
    "ANALYZE rec_scope_parcel", "ANALYZE rec_scope_building", "ANALYZE rec_scope_context",
)

SCOPE_SIZE = ("SELECT (SELECT count(*) FROM rec_scope_parcel), "
              "(SELECT count(*) FROM rec_scope_building), "
              "(SELECT count(*) FROM rec_scope_context)")

_IN_SCOPE = (
    "CASE WHEN {a}.category IN ('@BUILDING_KEYED@') "
    "THEN {a}.key IN (SELECT building_id FROM rec_scope_building) "
    "WHEN {a}.category = 'floor_area_difference' AND {a}.key LIKE 'B:%%' "
    "THEN substr({a}.key, 3) IN (SELECT building_id FROM rec_scope_building) "
    "WHEN {a}.category = 'floor_area_difference' "
    "THEN substr({a}.key, 3) IN (SELECT parcel_id FROM rec_scope_parcel) "
    "ELSE {a}.key IN (SELECT parcel_id FROM rec_scope_parcel) END"
).replace("@BUILDING_KEYED@", _BUILDING_KEYED_SQL)

# Findings computed for parcels outside the scope (there only to judge it) are dropped.
FOUND_OUTSIDE_SCOPE = "DELETE FROM rec_found r WHERE NOT (@IN_SCOPE(r)@)"

# The scope's keys as one array, probed through the indexes of the tables read: as a
# semi-join (IN) the planner, which cannot tell how few rows the scope keeps, reads the
# whole tables instead.
_CONTEXT = "ARRAY(SELECT parcel_id FROM rec_scope_context)"
_BUILDINGS = "ARRAY(SELECT building_id FROM rec_scope_building)"
_MARKERS = {
    "IN_CONTEXT": "{0} = ANY(" + _CONTEXT + ")",
    "IN_CONTEXT_ACCOUNTS": (
        "{0} = ANY(ARRAY(SELECT o.account_id FROM cadastre_sync_taxobject o "  # noqa: S608
        "WHERE o.unit_id = %(unit_id)s AND o.parcel_ref = ANY(" + _CONTEXT + ")))"),
    "IN_BUILDINGS": "{0} = ANY(" + _BUILDINGS + ")",
    # (As a semi-join: a building's parcels are grouped, then joined to the buildings,
    # which the planner must not take for a handful.)
    "IN_BUILDING_PKS": "{0} IN (SELECT b.id FROM cadastre_sync_building b "
                       "JOIN rec_scope_building s ON s.building_id = b.building_id)",
    "IN_SCOPE": "",
    # The parcels of the holdings (register units) of the parcels read.
    "HOLDING_PARCELS": "(SELECT x.id, x.register_unit_id AS holding FROM cadastre_sync_parcel x "
                       "WHERE x.unit_id = %(unit_id)s AND x.retired_at IS NULL "
                       "AND x.register_unit_id = ANY(ARRAY("
                       "SELECT register_unit_id FROM rec_parcel)) "
                       "UNION ALL SELECT id, holding FROM rec_parcel "
                       "WHERE register_unit_id IS NULL)",
    "IN_CONTEXT_HOLDINGS": "{0} IN (SELECT holding FROM rec_parcel)",
}
# The same in a full run (every marker not named here: "true").
_FULL = {"HOLDING_PARCELS": "rec_parcel"}


def scoped(statement: str, *, incremental: bool) -> str:
    """`statement` with its scope markers filled: the scope's tables, or "true"."""

    def fill(match: re.Match) -> str:
        name, argument = match.group(1), match.group(2)
        if not incremental:
            return _FULL.get(name, "true")
        if name == "IN_SCOPE":
            return _IN_SCOPE.format(a=argument)
        return _MARKERS[name].format(argument)

    return re.sub(r"@([A-Z_]+)\(([^)]*)\)@", fill, statement)
