"""Staged tax records into the register, set-based, inside the caller's transaction.

Upserts change a row only when a value differs (IS DISTINCT FROM), so a re-import of
the same records writes nothing; rows of the unit no longer in the file are deleted,
except those of accounts whose rows were refused (lenient mode keeps what they had).
"""
from django.db import connection

STAGING = (
    "DROP TABLE IF EXISTS pg_temp.stg_tax_holder",
    "DROP TABLE IF EXISTS pg_temp.stg_tax_object",
    "CREATE TEMP TABLE stg_tax_holder (account text, ident_key text, kind text, pesel text, "
    "regon text, nip text, first_name text, surname text, name text, role text, line int) "
    "ON COMMIT DROP",
    "CREATE TEMP TABLE stg_tax_object (account text, object_key text, kind text, "
    "parcel_ref text, building_ref text, category text, land_use text, soil_class text, "
    "area_ha numeric, floor_area_m2 numeric, line int) ON COMMIT DROP",
)

ACCOUNTS = """
INSERT INTO cadastre_sync_taxaccount (unit_id, number)
SELECT DISTINCT %(unit_id)s, account FROM (
    SELECT account FROM stg_tax_holder UNION SELECT account FROM stg_tax_object) a
ON CONFLICT (unit_id, number) DO NOTHING
"""

TAXPAYERS = """
WITH up AS (
    INSERT INTO cadastre_sync_taxpayer AS t (unit_id, ident_key, kind, pesel, regon, nip,
                                             first_name, surname, name)
    SELECT DISTINCT ON (ident_key) %(unit_id)s, ident_key, kind, pesel, regon, nip,
           first_name, surname, name
    FROM stg_tax_holder ORDER BY ident_key, line
    ON CONFLICT (unit_id, ident_key) DO UPDATE SET
        kind = EXCLUDED.kind, pesel = EXCLUDED.pesel, regon = EXCLUDED.regon,
        nip = EXCLUDED.nip, first_name = EXCLUDED.first_name, surname = EXCLUDED.surname,
        name = EXCLUDED.name
    WHERE (t.kind, t.pesel, t.regon, t.nip, t.first_name, t.surname, t.name)
          IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.pesel, EXCLUDED.regon, EXCLUDED.nip,
                            EXCLUDED.first_name, EXCLUDED.surname, EXCLUDED.name)
    RETURNING (xmax = 0) AS created)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up
"""

HOLDERS_DELETE = """
DELETE FROM cadastre_sync_accountholder h
USING cadastre_sync_taxaccount a, cadastre_sync_taxpayer t
WHERE h.account_id = a.id AND h.taxpayer_id = t.id AND a.unit_id = %(unit_id)s
  AND a.number <> ALL(%(refused)s)
  AND NOT EXISTS (SELECT 1 FROM stg_tax_holder s
                  WHERE s.account = a.number AND s.ident_key = t.ident_key)
"""

HOLDERS = """
WITH up AS (
    INSERT INTO cadastre_sync_accountholder AS h (account_id, taxpayer_id, role)
    SELECT a.id, t.id, s.role
    FROM stg_tax_holder s
    JOIN cadastre_sync_taxaccount a ON a.unit_id = %(unit_id)s AND a.number = s.account
    JOIN cadastre_sync_taxpayer t ON t.unit_id = %(unit_id)s AND t.ident_key = s.ident_key
    ON CONFLICT (account_id, taxpayer_id) DO UPDATE SET role = EXCLUDED.role
    WHERE h.role IS DISTINCT FROM EXCLUDED.role
    RETURNING (xmax = 0) AS created)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up
"""

OBJECTS_DELETE = """
DELETE FROM cadastre_sync_taxobject o
USING cadastre_sync_taxaccount a
WHERE o.account_id = a.id AND o.unit_id = %(unit_id)s AND a.number <> ALL(%(refused)s)
  AND NOT EXISTS (SELECT 1 FROM stg_tax_object s
                  WHERE s.account = a.number AND s.object_key = o.object_key)
"""

OBJECTS = """
WITH up AS (
    INSERT INTO cadastre_sync_taxobject AS o (unit_id, account_id, object_key, kind,
        parcel_ref, building_ref, category, land_use, soil_class, area_ha, floor_area_m2,
        source_line)
    SELECT %(unit_id)s, a.id, s.object_key, s.kind, s.parcel_ref, s.building_ref, s.category,
           s.land_use, s.soil_class, s.area_ha, s.floor_area_m2, s.line
    FROM stg_tax_object s
    JOIN cadastre_sync_taxaccount a ON a.unit_id = %(unit_id)s AND a.number = s.account
    ON CONFLICT (unit_id, account_id, object_key) DO UPDATE SET
        area_ha = EXCLUDED.area_ha, floor_area_m2 = EXCLUDED.floor_area_m2,
        source_line = EXCLUDED.source_line
    WHERE (o.area_ha, o.floor_area_m2) IS DISTINCT FROM (EXCLUDED.area_ha, EXCLUDED.floor_area_m2)
    RETURNING (xmax = 0) AS created)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up
"""

ACCOUNTS_DELETE = """
DELETE FROM cadastre_sync_taxaccount a
WHERE a.unit_id = %(unit_id)s AND a.number <> ALL(%(refused)s)
  AND NOT EXISTS (SELECT 1 FROM cadastre_sync_taxobject o WHERE o.account_id = a.id)
  AND NOT EXISTS (SELECT 1 FROM cadastre_sync_accountholder h WHERE h.account_id = a.id)
"""

TAXPAYERS_DELETE = """
DELETE FROM cadastre_sync_taxpayer t
WHERE t.unit_id = %(unit_id)s
  AND NOT EXISTS (SELECT 1 FROM cadastre_sync_accountholder h WHERE h.taxpayer_id = t.id)
"""


def merge(unit_id: int, refused: list[str]) -> dict:
    params = {"unit_id": unit_id, "refused": refused}
    with connection.cursor() as cur:

        def run(statement: str) -> int:
            cur.execute(statement, params)
            return cur.rowcount

        def pair(statement: str) -> tuple[int, int]:
            cur.execute(statement, params)
            return cur.fetchone()

        accounts_created = run(ACCOUNTS)
        taxpayers = pair(TAXPAYERS)
        # A first import fills empty tables: without fresh statistics the joins below are
        # planned as nested loops over "empty" tables and take minutes instead of seconds.
        cur.execute("ANALYZE cadastre_sync_taxaccount")
        cur.execute("ANALYZE cadastre_sync_taxpayer")
        holders_deleted = run(HOLDERS_DELETE)
        holders = pair(HOLDERS)
        objects_deleted = run(OBJECTS_DELETE)
        objects = pair(OBJECTS)
        accounts_deleted = run(ACCOUNTS_DELETE)
        taxpayers_deleted = run(TAXPAYERS_DELETE)
        # The same for what this import filled: the next import's deletes (an anti-join
        # of the stored objects with the file's) and the next reconciliation are planned
        # from these; stale, a re-import of 165,000 objects ran for many minutes.
        cur.execute("ANALYZE cadastre_sync_accountholder")
        cur.execute("ANALYZE cadastre_sync_taxobject")
        cur.execute("SELECT count(*) FROM stg_tax_object")
        staged_objects = cur.fetchone()[0]
    return {
        "accounts": {"created": accounts_created, "deleted": accounts_deleted},
        "taxpayers": {"created": taxpayers[0], "updated": taxpayers[1],
                      "deleted": taxpayers_deleted},
        "holders": {"created": holders[0], "updated": holders[1], "deleted": holders_deleted},
        "objects": {"created": objects[0], "updated": objects[1], "deleted": objects_deleted,
                    "unchanged": staged_objects - objects[0] - objects[1]},
    }
