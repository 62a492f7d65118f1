"""A tax roll for the demo gmina, derived from its cadastre, with discrepancies injected.

Every register unit of a taxed group becomes an account held by its owners (spouses as
spouses), its parcels' land-use pieces the land, agricultural and forest objects, its
buildings the building objects with a plausible usable floor area. Then, drawn from a
hash of the seed and the row (the same seed, the same roll), a few in a hundred drift
as they do in real registers: parcels never taxed, smaller declared areas, business
land declared as other land, a poorer soil class, buildings never declared or declared
too small, only one spouse taxed, an old owner still taxed, objects on parcels that no
longer exist. A first reconciliation run then fills the findings. Set-based SQL.
"""
from django.db import connection, transaction

from cadastre_sync.models import AccountHolder, TaxAccount, TaxObject, Taxpayer, TaxSettings
from cadastre_sync.tax import rules
from cadastre_sync.tax.reconcile import reconcile
from core.models import AdministrativeUnit

from . import indexes, keys
from .run import Run

DEMO_YEAR = 2025
# Injected drift, per hundred draws of each kind (see the module's docstring).
DRIFT = {"untaxed": 1, "smaller_area": 2, "business_as_other": 3, "poorer_soil": 3,
         "building_undeclared": 3, "floor_too_small": 2, "one_spouse": 4, "old_owner": 1,
         "gone_parcel": 1}

DELETE = (
    "DELETE FROM cadastre_sync_findingevent WHERE finding_id IN "
    "(SELECT id FROM cadastre_sync_taxfinding WHERE unit_id = %(unit_id)s)",
    "DELETE FROM cadastre_sync_taxfinding WHERE unit_id = %(unit_id)s",
    "DELETE FROM cadastre_sync_reconciliationrun WHERE unit_id = %(unit_id)s",
    "DELETE FROM cadastre_sync_taxobject WHERE unit_id = %(unit_id)s",
    "DELETE FROM cadastre_sync_accountholder WHERE account_id IN "
    "(SELECT id FROM cadastre_sync_taxaccount WHERE unit_id = %(unit_id)s)",
    "DELETE FROM cadastre_sync_taxaccount WHERE unit_id = %(unit_id)s",
    "DELETE FROM cadastre_sync_taxpayer WHERE unit_id = %(unit_id)s",
)

# Refilled (or emptied) by the roll: analysed before its first reconciliation.
ANALYZED = ("cadastre_sync_taxpayer", "cadastre_sync_taxaccount", "cadastre_sync_accountholder",
            "cadastre_sync_taxobject", "cadastre_sync_taxfinding",
            "cadastre_sync_reconciliationrun")

ROLL = (
    # A draw in [0, 100) for (salt, row id): the same seed gives the same roll.
    """
CREATE OR REPLACE FUNCTION pg_temp.demo_tax_draw(seed text, salt text, id bigint)
RETURNS int LANGUAGE sql IMMUTABLE AS $$
    SELECT abs(hashtext(seed || ':' || salt || ':' || id)) %% 100
$$
""",
    """
CREATE TEMP TABLE demo_tax_ru ON COMMIT DROP AS
SELECT ru.id, ru.register_id, 'PN/' || ru.register_id AS account,
       pg_temp.demo_tax_draw(%(seed)s, 'spouse', ru.id) < %(one_spouse)s AS one_spouse,
       pg_temp.demo_tax_draw(%(seed)s, 'owner', ru.id) < %(old_owner)s AS old_owner,
       pg_temp.demo_tax_draw(%(seed)s, 'gone', ru.id) < %(gone_parcel)s AS gone_parcel
FROM cadastre_sync_registerunit ru
WHERE ru.unit_id = %(unit_id)s AND ru."group" <> ALL(%(exempt)s)
  AND EXISTS (SELECT 1 FROM cadastre_sync_parcel p
              WHERE p.register_unit_id = ru.id AND p.retired_at IS NULL)
""",
    # Holders: each share's owner, and the spouse of a joint share (unless dropped).
    """
CREATE TEMP TABLE demo_tax_holder ON COMMIT DROP AS
SELECT DISTINCT ON (r.id, o.id) r.id AS ru_id, r.account, o.id AS owner_id,
       CASE WHEN x.is_spouse THEN 'spouse' WHEN s.numerator < s.denominator THEN 'co_owner'
            ELSE 'owner' END AS role,
       CASE WHEN o.pesel <> '' THEN 'P:' || o.pesel WHEN o.regon <> ''
            THEN 'R:' || left(o.regon, 9) ELSE 'X:owner:' || o.id END AS ident_key
FROM demo_tax_ru r
JOIN cadastre_sync_ownershipshare s ON s.register_unit_id = r.id
CROSS JOIN LATERAL (VALUES (s.owner_id, false), (s.spouse_id, true)) AS x(member, is_spouse)
JOIN cadastre_sync_owner o ON o.id = x.member
WHERE NOT (x.is_spouse AND r.one_spouse) AND NOT r.old_owner
ORDER BY r.id, o.id, x.is_spouse
""",
    """
INSERT INTO cadastre_sync_taxpayer (unit_id, ident_key, kind, pesel, regon, nip, first_name,
                                    surname, name)
SELECT DISTINCT ON (h.ident_key) %(unit_id)s, h.ident_key, o.kind, o.pesel, o.regon, '',
       o.first_name, o.surname, o.name
FROM demo_tax_holder h JOIN cadastre_sync_owner o ON o.id = h.owner_id
ORDER BY h.ident_key, o.id
""",
    # The previous owner, still taxed after a sale the tax office never heard of.
    """
INSERT INTO cadastre_sync_taxpayer (unit_id, ident_key, kind, pesel, regon, nip, first_name,
                                    surname, name)
SELECT %(unit_id)s, 'X:previous:' || r.id, 'person', '', '', '', 'Zbigniew',
       (ARRAY['Kaczmarek', 'Zieliński', 'Wróbel', 'Dudek', 'Pawlak'])[1 + r.id %% 5], ''
FROM demo_tax_ru r WHERE r.old_owner
""",
    """
INSERT INTO cadastre_sync_taxaccount (unit_id, number)
SELECT %(unit_id)s, account FROM demo_tax_ru
""",
    """
INSERT INTO cadastre_sync_accountholder (account_id, taxpayer_id, role)
SELECT a.id, t.id, h.role FROM (
    SELECT account, ident_key, role FROM demo_tax_holder
    UNION ALL SELECT account, 'X:previous:' || id, 'owner' FROM demo_tax_ru WHERE old_owner
) h
JOIN cadastre_sync_taxaccount a ON a.unit_id = %(unit_id)s AND a.number = h.account
JOIN cadastre_sync_taxpayer t ON t.unit_id = %(unit_id)s AND t.ident_key = h.ident_key
ON CONFLICT (account_id, taxpayer_id) DO NOTHING
""",
    # Land, agricultural and forest objects from the land-use pieces, with the drift.
    """
INSERT INTO cadastre_sync_taxobject (unit_id, account_id, object_key, kind, parcel_ref,
    building_ref, category, land_use, soil_class, area_ha, floor_area_m2, source_line)
SELECT %(unit_id)s, a.id,
       concat_ws('|', o.kind, o.parcel_id, '', o.category, o.land_use, o.soil_class),
       o.kind, o.parcel_id, '', o.category, o.land_use, o.soil_class, o.area, NULL, NULL
FROM (
    SELECT r.account, p.parcel_id,
           CASE c.tax_class WHEN 'agricultural' THEN 'agricultural' WHEN 'forest' THEN 'forest'
                ELSE 'land' END AS kind,
           CASE WHEN c.tax_class = 'land_business' AND d.business_as_other THEN 'other'
                WHEN c.tax_class LIKE 'land_%%' THEN substr(c.tax_class, 6) ELSE '' END
               AS category,
           CASE WHEN c.tax_class = 'agricultural' THEN l.ofu ELSE '' END AS land_use,
           CASE WHEN c.tax_class <> 'agricultural' THEN ''
                WHEN d.poorer_soil AND l.ozk <> '' AND l.ozk <> 'VI' THEN 'VI'
                ELSE l.ozk END AS soil_class,
           round(sum(l.area_ha) * CASE WHEN d.smaller_area THEN 0.8 ELSE 1 END, 4) AS area
    FROM demo_tax_ru r
    JOIN cadastre_sync_parcel p ON p.register_unit_id = r.id AND p.retired_at IS NULL
    JOIN cadastre_sync_landusepiece l ON l.parcel_id = p.id
    JOIN unnest(%(ofu)s::text[], %(ofu_class)s::text[]) AS c(ofu, tax_class) ON c.ofu = l.ofu
    CROSS JOIN LATERAL (SELECT
        pg_temp.demo_tax_draw(%(seed)s, 'untaxed', p.id) < %(untaxed)s AS untaxed,
        pg_temp.demo_tax_draw(%(seed)s, 'area', p.id) < %(smaller_area)s AS smaller_area,
        pg_temp.demo_tax_draw(%(seed)s, 'business', p.id) < %(business_as_other)s
            AS business_as_other,
        pg_temp.demo_tax_draw(%(seed)s, 'soil', p.id) < %(poorer_soil)s AS poorer_soil) d
    WHERE c.tax_class <> 'exempt' AND NOT d.untaxed
    GROUP BY 1, 2, 3, 4, 5, 6, d.smaller_area
) o JOIN cadastre_sync_taxaccount a ON a.unit_id = %(unit_id)s AND a.number = o.account
ON CONFLICT (unit_id, account_id, object_key) DO NOTHING
""",
    # Buildings: usable floor area from footprint x storeys x the unit's usable share.
    """
INSERT INTO cadastre_sync_taxobject (unit_id, account_id, object_key, kind, parcel_ref,
    building_ref, category, land_use, soil_class, area_ha, floor_area_m2, source_line)
SELECT %(unit_id)s, a.id, concat_ws('|', 'building', '', b.building_id, k.category, '', ''),
       'building', '', b.building_id, k.category, '', '', NULL,
       round(COALESCE(b.built_up_area_m2, ST_Area(b.geom)::numeric)
             * GREATEST(b.storeys_above, 1) * %(usable_share)s
             * CASE WHEN pg_temp.demo_tax_draw(%(seed)s, 'floor', b.id)
                         < %(floor_too_small)s THEN 0.5 ELSE 1 END, 2), NULL
FROM cadastre_sync_building b
JOIN unnest(%(kst)s::text[], %(kst_category)s::text[]) AS k(kst, category)
  ON k.kst = b.kst_class
CROSS JOIN LATERAL (SELECT p.register_unit_id FROM cadastre_sync_building_parcels bp
                    JOIN cadastre_sync_parcel p ON p.id = bp.parcel_id
                    WHERE bp.building_id = b.id ORDER BY p.id LIMIT 1) first_parcel
JOIN demo_tax_ru r ON r.id = first_parcel.register_unit_id
JOIN cadastre_sync_taxaccount a ON a.unit_id = %(unit_id)s AND a.number = r.account
WHERE b.unit_id = %(unit_id)s AND b.retired_at IS NULL
  AND pg_temp.demo_tax_draw(%(seed)s, 'building', b.id) >= %(building_undeclared)s
ON CONFLICT (unit_id, account_id, object_key) DO NOTHING
""",
    # Objects left on parcels that were merged or renumbered long ago.
    """
INSERT INTO cadastre_sync_taxobject (unit_id, account_id, object_key, kind, parcel_ref,
    building_ref, category, land_use, soil_class, area_ha, floor_area_m2, source_line)
SELECT %(unit_id)s, a.id, concat_ws('|', 'land', ref, '', 'other', '', ''), 'land', ref, '',
       'other', '', '', 0.0500, NULL, NULL
FROM demo_tax_ru r
JOIN cadastre_sync_taxaccount a ON a.unit_id = %(unit_id)s AND a.number = r.account
CROSS JOIN LATERAL (SELECT %(teryt)s || '.' || split_part(r.register_id, '.', 2)
                           || '.' || (90000 + r.id %% 9000)::text AS ref) g
WHERE r.gone_parcel
""",
)

# The demo's taxable building classes and their declared category.
_KST_CATEGORY = {kst: key.removeprefix("building_") for kst, key in rules.KST_TAX.items()
                 if key not in (rules.TAX_EXEMPT, rules.TAX_EXEMPT_ON_FARM)}


def demo_tax_roll(*, unit: AdministrativeUnit, seed: int) -> dict:
    """Replace the unit's tax roll with one derived from its cadastre; reconcile once."""
    settings, _created = TaxSettings.objects.get_or_create(
        unit=unit, defaults={"tax_district": 2, "exempt_register_groups": [4]})
    exempt = [int(g) for g in settings.exempt_register_groups or []]
    params = {"unit_id": unit.pk, "teryt": unit.teryt, "seed": str(seed), "exempt": exempt,
              "ofu": list(rules.LAND_USE_TAX),
              "ofu_class": [c for c, _g in rules.LAND_USE_TAX.values()],
              "kst": list(_KST_CATEGORY), "kst_category": list(_KST_CATEGORY.values()),
              "usable_share": settings.usable_floor_share, **DRIFT}
    with transaction.atomic(), connection.cursor() as cur:
        for statement in DELETE:
            cur.execute(statement, params)
        # The deletes' deferred key checks, now: pending, they forbid the index builds of
        # a bulk load into the tables they left empty.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        _roll_insert(Run(cur, {}, lambda line: None), unit, params)
        cur.execute("DROP TABLE IF EXISTS pg_temp.demo_tax_ru, pg_temp.demo_tax_holder")
        # The tables were emptied and refilled: statistics from before would have the first
        # run plan its joins for the old (or no) rows, a million parcels taking minutes.
        for table in ANALYZED:
            cur.execute(f"ANALYZE {table}")
        cur.execute("SELECT count(*) FROM cadastre_sync_taxobject WHERE unit_id = %s",
                    [unit.pk])
        objects = cur.fetchone()[0]
    result = reconcile(unit=unit, year=DEMO_YEAR)
    return {"objects": objects, "findings": result.counts["new"], "run": result.run.pk,
            "seconds": result.seconds}


# The roll's tables, the ones its statements write.
ROLL_TABLES = (Taxpayer, TaxAccount, AccountHolder, TaxObject)


def _roll_insert(run: Run, unit: AdministrativeUnit, params: dict) -> None:
    """The roll's statements, written as the cadastre's generator writes (keys.py,
    indexes.py): foreign keys checked set-based after the load when replica mode is
    allowed (the change journal then records the unit as changed in bulk, as its
    trigger does for a statement over many rows), and the non-unique indexes of empty
    tables built once after it. The unique ones stay: ON CONFLICT and the joins by
    account number and taxpayer key use them."""
    tables = [model._meta.db_table for model in ROLL_TABLES]
    run.sql("SET LOCAL jit = off")  # compiling these statements costs more than it saves
    fast_keys = keys.fast_mode_possible(run, tables)
    if fast_keys:
        floors = keys.id_floors(run, tables)
        keys.replica_mode(run, True)
    parcels = run.value("SELECT count(*) FROM cadastre_sync_parcel WHERE unit_id = %(u)s",
                        {"u": unit.pk})
    deferred = (indexes.secondary_indexes_drop(run, tables, keep_unique=True)
                if indexes.deferrable(run, parcels, tables) else [])
    for statement in ROLL:
        run.cursor.execute(statement, params)
    indexes.secondary_indexes_create(run, deferred)
    if fast_keys:
        keys.replica_mode(run, False)
        keys.journal_bulk_change(run, unit.pk)
        keys.foreign_keys_check(run, floors)
