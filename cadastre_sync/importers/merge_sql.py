"""The statements of the merge (merge.py runs them in order, in one transaction).

`stg_*` are the checked staging tables, `mrg_*` this merge's working tables, both
temporary. Times staged without a zone are Polish local time.

Whether a row already exists is decided in a working table *before* inserting:
an `INSERT ... WHERE NOT EXISTS (same table)` rescans the rows it has just added
whenever the planner, misled by an empty table's statistics, picks a nested loop,
and grows with the square of the file.
"""
# ruff: noqa: S608 - SQL is built from our own table and column names only; values
# always travel as query parameters.

from .checks import object_key

LOCAL = "AT TIME ZONE 'Europe/Warsaw'"
CURRENT = "s.version_end IS NULL AND s.object_end IS NULL"
ACCEPTED = "NOT s.rejected"  # objects refused one by one (lenient import) are left out

# Precincts the file covers: only there may objects be retired.
SCOPE = [
    "CREATE TEMP TABLE mrg_scope AS SELECT split_part(parcel_id, '.', 2) AS number "
    "FROM stg_parcel UNION SELECT right(precinct_code, 4) FROM stg_precinct",
    "CREATE TEMP TABLE mrg_changed (geom geometry)",
]

PRECINCT_PREPARE = [
    "CREATE TEMP TABLE mrg_precinct AS SELECT n.number, sp.name, sp.geom, p.id AS pk "
    "FROM mrg_scope n "
    "LEFT JOIN LATERAL (SELECT name, geom FROM stg_precinct WHERE right(precinct_code, 4) = "
    "n.number AND NOT rejected ORDER BY seq DESC LIMIT 1) sp ON true "
    "LEFT JOIN {precinct} p ON p.unit_id = %(unit_id)s AND p.number = n.number",
]
# A precinct's outline and name are drawn on the map: a new, renamed or redrawn precinct
# adds its old and its new outline to the changed area (before the UPDATE overwrites it).
PRECINCT_CHANGES = """
    m.pk IS NULL OR (nullif(m.name, '') IS NOT NULL AND m.name <> p.name)
    OR (m.geom IS NOT NULL AND (p.geom IS NULL OR NOT p.geom = m.geom))"""
PRECINCT_WRITE = [
    f"""INSERT INTO mrg_changed (geom)
       SELECT g.geom FROM mrg_precinct m LEFT JOIN {{precinct}} p ON p.id = m.pk
       CROSS JOIN LATERAL (VALUES (p.geom), (m.geom)) AS g (geom)
       WHERE g.geom IS NOT NULL AND ({PRECINCT_CHANGES})""",
    """INSERT INTO {precinct} (unit_id, number, name, geom)
       SELECT %(unit_id)s, m.number, coalesce(nullif(m.name, ''), 'Obręb ' || m.number), m.geom
       FROM mrg_precinct m WHERE m.pk IS NULL""",
    f"""UPDATE {{precinct}} p SET name = coalesce(nullif(m.name, ''), p.name),
                                geom = coalesce(m.geom, p.geom)
       FROM mrg_precinct m WHERE p.id = m.pk AND ({PRECINCT_CHANGES})""",
]

RU_PREPARE = [
    f"""CREATE TEMP TABLE mrg_ru AS
        SELECT n.register_id, n.grp, r.id AS pk, r."group" AS old_grp, r.retired_at
        FROM (SELECT DISTINCT ON (register_id) register_id, grp FROM stg_register_unit s
              WHERE {CURRENT} AND {ACCEPTED} ORDER BY register_id, seq DESC) n
        LEFT JOIN {{register_unit}} r ON r.unit_id = %(unit_id)s
                                     AND r.register_id = n.register_id""",
    "CREATE INDEX ON mrg_ru (register_id)",
]
RU_WRITE = [
    "ANALYZE {precinct}",
    """INSERT INTO {register_unit} (unit_id, register_id, "group", retired_at)
       SELECT %(unit_id)s, register_id, grp, NULL FROM mrg_ru WHERE pk IS NULL""",
    """UPDATE {register_unit} r SET "group" = m.grp, retired_at = NULL FROM mrg_ru m
       WHERE r.id = m.pk AND (m.old_grp <> m.grp OR m.retired_at IS NOT NULL)""",
    "ANALYZE {register_unit}",
]
# Only when the file carries register units at all: an export without ownership data
# must not retire every register unit.
RU_RETIRE = """
    UPDATE {register_unit} r SET retired_at = now()
    WHERE r.unit_id = %(unit_id)s AND r.retired_at IS NULL
      AND EXISTS (SELECT 1 FROM stg_register_unit)
      AND split_part(r.register_id, '.', 2) IN (SELECT number FROM mrg_scope)
      AND NOT EXISTS (SELECT 1 FROM mrg_ru m WHERE m.register_id = r.register_id)"""

OWNER_PREPARE = [
    """CREATE TEMP TABLE mrg_owner AS
       SELECT DISTINCT ON (key) left(coalesce(nullif(local_id, ''), gml_id), 100) AS key,
              kind, coalesce(first_name, '') AS first_name,
              coalesce(second_name, '') AS second_name, coalesce(surname, '') AS surname,
              coalesce(pesel, '') AS pesel, coalesce(name, '') AS name,
              coalesce(regon, '') AS regon
       FROM stg_subject WHERE version_end IS NULL AND kind IN ('person', 'institution')
         AND NOT rejected
       ORDER BY key, seq DESC""",
    "ALTER TABLE mrg_owner ADD COLUMN pk bigint",
    """UPDATE mrg_owner m SET pk = o.pk FROM (
           SELECT egib_local_id, min(id) AS pk FROM {owner}
           WHERE unit_id = %(unit_id)s AND egib_local_id <> '' GROUP BY egib_local_id) o
       WHERE o.egib_local_id = m.key""",
]
_OWNER_FIELDS = "kind, first_name, second_name, surname, pesel, name, regon"
OWNER_WRITE = [
    f"""INSERT INTO {{owner}} (unit_id, {_OWNER_FIELDS}, address, egib_local_id)
        SELECT %(unit_id)s, {_OWNER_FIELDS}, '', key FROM mrg_owner m WHERE m.pk IS NULL""",
    f"""UPDATE {{owner}} o SET ({_OWNER_FIELDS}) = (m.kind, m.first_name, m.second_name,
                                                    m.surname, m.pesel, m.name, m.regon)
        FROM mrg_owner m WHERE o.id = m.pk
          AND (o.kind, o.first_name, o.second_name, o.surname, o.pesel, o.name, o.regon)
              IS DISTINCT FROM (m.kind, m.first_name, m.second_name, m.surname, m.pesel,
                                m.name, m.regon)""",
    "ANALYZE {owner}",
]

_SHARE_SIG = ("string_agg(concat_ws(':', {o}, {s}, \"right\", numerator, denominator), ';' "
              "ORDER BY {o}, {s}, numerator, denominator, \"right\")")
SHARE_PREPARE = [
    """CREATE TEMP TABLE mrg_owner_pk AS SELECT egib_local_id AS key, min(id) AS pk
       FROM {owner} WHERE unit_id = %(unit_id)s
         AND egib_local_id IN (SELECT key FROM mrg_owner UNION
                               SELECT unnest(members) FROM stg_subject WHERE kind = 'marriage')
       GROUP BY egib_local_id""",
    "ANALYZE mrg_owner_pk",
    # A married couple's share: the first person is the owner, the second the spouse.
    """CREATE TEMP TABLE mrg_share AS
       SELECT ru.id AS ru_pk, o.pk AS owner_pk, sp.pk AS spouse_pk, rc.value AS "right",
              s.numerator, s.denominator
       FROM stg_share s
       JOIN (SELECT DISTINCT ON (k) left(coalesce(nullif(local_id, ''), gml_id), 100) AS k,
                    kind, members
             FROM stg_subject WHERE version_end IS NULL ORDER BY k, seq DESC) subj
         ON subj.k = s.subject
       JOIN unnest(%(right_codes)s::text[], %(right_values)s::text[]) AS rc(code, value)
         ON rc.code = coalesce(s.right_code, '')
       JOIN {register_unit} ru ON ru.unit_id = %(unit_id)s AND ru.register_id = s.register_id
       JOIN mrg_owner_pk o
         ON o.key = CASE WHEN subj.kind = 'marriage' THEN subj.members[1] ELSE subj.k END
       LEFT JOIN mrg_owner_pk sp ON subj.kind = 'marriage' AND sp.key = subj.members[2]
       WHERE s.version_end IS NULL AND NOT s.rejected AND s.numerator BETWEEN 1 AND s.denominator
         AND (subj.kind IN ('person', 'institution')
              OR (subj.kind = 'marriage' AND cardinality(subj.members) = 2))""",
    f"""CREATE TEMP TABLE mrg_share_changed AS
        WITH new AS (SELECT ru_pk, {_SHARE_SIG.format(o='owner_pk', s='spouse_pk')} AS sig
                     FROM mrg_share GROUP BY ru_pk),
             old AS (SELECT register_unit_id AS ru_pk,
                            {_SHARE_SIG.format(o='owner_id', s='spouse_id')} AS sig
                     FROM {{share}} WHERE register_unit_id IN (SELECT ru_pk FROM new)
                     GROUP BY register_unit_id)
        SELECT new.ru_pk FROM new LEFT JOIN old USING (ru_pk)
        WHERE old.sig IS DISTINCT FROM new.sig""",
]
SHARE_WRITE = [
    "DELETE FROM {share} WHERE register_unit_id IN (SELECT ru_pk FROM mrg_share_changed)",
    """INSERT INTO {share} (register_unit_id, owner_id, spouse_id, "right", numerator,
                           denominator)
       SELECT ru_pk, owner_pk, spouse_pk, "right", numerator, denominator FROM mrg_share
       WHERE ru_pk IN (SELECT ru_pk FROM mrg_share_changed)""",
]
SHARE_UNCHANGED = ("SELECT count(*) FROM mrg_share "
                   "WHERE ru_pk NOT IN (SELECT ru_pk FROM mrg_share_changed)")

def identify(kind: str, ident: str) -> list[str]:
    """Find each staged current object among the stored ones (mrg_<kind>.pk), then number
    the new ones.

    The object is its IIP identifier (namespace + local id) where the file gives one: a
    renumbered parcel is the same parcel. The business id (parcel id, building id) decides
    only where the file or the stored row has no IIP identifier (2015 exports, SWDE, OGR
    files, or data first loaded from one). A stored object is claimed once: another
    staged row with its business id becomes a new object. New objects get their ids from
    the table's sequence here, so no statement looks them up again by a business id.
    """
    table, m = "{" + kind + "}", f"mrg_{kind}"  # `{parcel}`: filled with the model's table
    return [
        f"CREATE INDEX ON {m} (pk)",
        f"""UPDATE {m} m SET pk = o.id FROM {table} o
            WHERE m.ns <> '' AND m.local_id <> '' AND o.unit_id = %(unit_id)s
              AND o.retired_at IS NULL AND o.egib_local_id = m.local_id
              AND o.egib_namespace = m.ns""",
        f"""UPDATE {m} m SET pk = o.id FROM {table} o
            WHERE m.pk IS NULL AND o.{ident} = m.{ident} AND o.unit_id = %(unit_id)s
              AND o.retired_at IS NULL
              AND (m.ns = '' OR m.local_id = '' OR o.egib_namespace = ''
                   OR o.egib_local_id = '')
              AND NOT EXISTS (SELECT 1 FROM {m} c WHERE c.pk = o.id)""",
        f"""UPDATE {m} m SET pk = NULL WHERE m.pk IS NOT NULL
            AND EXISTS (SELECT 1 FROM {m} c WHERE c.pk = m.pk AND c.seq < m.seq)""",
        f"""UPDATE {m} SET action = 'created',
                          pk = nextval(pg_get_serial_sequence('{table}', 'id'))
            WHERE pk IS NULL AND action IS NULL""",
        f"CREATE INDEX ON {m} (obj_key)",
        f"ANALYZE {m}",
    ]


_LAND_USE_SIG = ("(SELECT string_agg(t, ';' ORDER BY t) FROM (SELECT concat_ws('/', {a}.ofu, "
                 "coalesce({a}.ozu, ''), coalesce({a}.ozk, ''), round({a}.area_ha, 4)) AS t "
                 "FROM {table} {a} WHERE {a}.{key} = {value}) x)")
PARCEL_PREPARE = [
    # Each staged parcel's land-use pieces, once: as a comparable text and as JSON.
    """CREATE TEMP TABLE mrg_land_use AS
       SELECT parcel_seq, string_agg(t, ';' ORDER BY t) AS sig,
              jsonb_agg(jsonb_build_object('ofu', ofu, 'ozu', ozu, 'ozk', ozk, 'area_ha', area)
                        ORDER BY seq) AS pieces
       FROM (SELECT parcel_seq, seq, ofu, coalesce(ozu, '') AS ozu, coalesce(ozk, '') AS ozk,
                    round(area_ha, 4) AS area,
                    concat_ws('/', ofu, coalesce(ozu, ''), coalesce(ozk, ''),
                              round(area_ha, 4)) AS t
             FROM stg_land_use WHERE parcel_seq IS NOT NULL AND NOT rejected) l
       GROUP BY parcel_seq""",
    "CREATE UNIQUE INDEX ON mrg_land_use (parcel_seq)",
    "ANALYZE mrg_land_use",
    f"""CREATE TEMP TABLE mrg_parcel AS
        SELECT s.seq, s.parcel_id, regexp_replace(s.parcel_id, '^[^.]*[.][^.]*[.]', '') AS number,
               coalesce(s.ns, '') AS ns, coalesce(s.local_id, '') AS local_id,
               coalesce(s.version_id, '') AS version_id,
               s.object_start {LOCAL} AS object_start, s.version_start {LOCAL} AS version_start,
               round(s.area_ha, 4) AS area_ha, round(s.accuracy_ha, 4) AS accuracy_ha,
               coalesce(s.kw, '') AS kw, pr.id AS precinct_pk, ru.id AS ru_pk,
               lu.sig AS land_use, {object_key("parcel_id", "s")} AS obj_key, NULL::bigint AS pk,
               CASE WHEN s.rejected THEN 'rejected' END AS action
        FROM stg_parcel s
        LEFT JOIN mrg_land_use lu ON lu.parcel_seq = s.seq
        JOIN {{precinct}} pr ON pr.unit_id = %(unit_id)s
                            AND pr.number = split_part(s.parcel_id, '.', 2)
        LEFT JOIN stg_parcel_ru sr ON sr.seq = s.seq
        LEFT JOIN {{register_unit}} ru ON ru.unit_id = %(unit_id)s
                                      AND ru.register_id = sr.register_id
        WHERE {CURRENT}""",
    *identify("parcel", "parcel_id"),
]
_PARCEL_SAME = f"""
    p.parcel_id = m.parcel_id
    AND p.egib_namespace = m.ns AND p.egib_local_id = m.local_id AND p.egib_version = m.version_id
    AND p.object_start IS NOT DISTINCT FROM m.object_start
    AND p.version_start IS NOT DISTINCT FROM m.version_start
    AND p.number = m.number AND p.precinct_id = m.precinct_pk AND p.geom = s.geom
    AND p.registered_area_ha = m.area_ha AND p.area_accuracy_ha IS NOT DISTINCT FROM m.accuracy_ha
    AND p.land_register_number = m.kw AND p.register_unit_id IS NOT DISTINCT FROM m.ru_pk
    AND {_LAND_USE_SIG.format(a='u', table='{land_use}', key='parcel_id', value='p.id')}
        IS NOT DISTINCT FROM m.land_use"""
_PARCEL_ATTRIBUTES = """jsonb_build_object(
    'parcel_id', p.parcel_id, 'number', p.number, 'precinct_id', p.precinct_id,
    'egib_namespace', p.egib_namespace, 'egib_local_id', p.egib_local_id,
    'object_start', p.object_start, 'area_accuracy_ha', p.area_accuracy_ha,
    'land_register_number', p.land_register_number, 'register_unit_id', p.register_unit_id,
    'land_use', (SELECT coalesce(jsonb_agg(jsonb_build_object('ofu', u.ofu, 'ozu', u.ozu,
                 'ozk', u.ozk, 'area_ha', u.area_ha) ORDER BY u.id), '[]'::jsonb)
                 FROM {land_use} u WHERE u.parcel_id = p.id))"""
PARCEL_WRITE = [
    f"""UPDATE mrg_parcel m SET action = CASE WHEN {_PARCEL_SAME} THEN 'unchanged'
                                              ELSE 'updated' END
        FROM {{parcel}} p, stg_parcel s
        WHERE p.id = m.pk AND s.seq = m.seq AND m.action IS NULL""",
    # The previous state goes to history before the row changes.
    f"""INSERT INTO {{parcel_version}} (parcel_id, egib_version, version_start, version_end,
                                       geom, attributes, registered_area_ha, archived_at)
        SELECT p.id, p.egib_version, p.version_start, coalesce(m.version_start, now()), p.geom,
               {_PARCEL_ATTRIBUTES}, p.registered_area_ha, now()
        FROM {{parcel}} p JOIN mrg_parcel m ON m.pk = p.id WHERE m.action = 'updated'""",
    """INSERT INTO mrg_changed (geom) SELECT p.geom FROM {parcel} p
       JOIN mrg_parcel m ON m.pk = p.id WHERE m.action = 'updated'""",
    """UPDATE {parcel} p SET parcel_id = m.parcel_id,
              egib_namespace = m.ns, egib_local_id = m.local_id,
              egib_version = m.version_id, object_start = m.object_start,
              version_start = m.version_start, number = m.number, precinct_id = m.precinct_pk,
              geom = s.geom, registered_area_ha = m.area_ha, area_accuracy_ha = m.accuracy_ha,
              land_register_number = m.kw, register_unit_id = m.ru_pk, updated_at = now()
       FROM mrg_parcel m JOIN stg_parcel s ON s.seq = m.seq
       WHERE m.pk = p.id AND m.action = 'updated'""",
    """INSERT INTO {parcel} (id, egib_namespace, egib_local_id, egib_version, object_start,
              version_start, imported_at, updated_at, retired_at, parcel_id, number, geom,
              registered_area_ha, area_accuracy_ha, land_register_number, unit_id, precinct_id,
              register_unit_id)
       SELECT m.pk, m.ns, m.local_id, m.version_id, m.object_start, m.version_start, now(), now(),
              NULL, m.parcel_id, m.number, s.geom, m.area_ha, m.accuracy_ha, m.kw,
              %(unit_id)s, m.precinct_pk, m.ru_pk
       FROM mrg_parcel m JOIN stg_parcel s ON s.seq = m.seq WHERE m.action = 'created'""",
    "ANALYZE {parcel}",
    """DELETE FROM {land_use} WHERE parcel_id IN (
           SELECT pk FROM mrg_parcel WHERE action = 'updated')""",
    """INSERT INTO {land_use} (parcel_id, ofu, ozu, ozk, area_ha, geom)
       SELECT m.pk, l.ofu, coalesce(l.ozu, ''), coalesce(l.ozk, ''), round(l.area_ha, 4), NULL
       FROM stg_land_use l JOIN mrg_parcel m ON m.seq = l.parcel_seq
       WHERE m.action IN ('created', 'updated') AND NOT l.rejected""",
    "INSERT INTO mrg_changed (geom) SELECT s.geom FROM mrg_parcel m "
    "JOIN stg_parcel s ON s.seq = m.seq WHERE m.action IN ('created', 'updated')",
]
# A staged row `s` of the stored object `{o}`: by IIP identifier, else by business id.
_SAME_OBJECT = ("(({o}.egib_namespace <> '' AND {o}.egib_local_id <> '' "
                "AND s.local_id = {o}.egib_local_id AND s.ns = {o}.egib_namespace) "
                "OR (({o}.egib_namespace = '' OR {o}.egib_local_id = '') "
                "AND s.{ident} = {o}.{ident}))")
# The stored object `o` of the staged row `s`, the other way round.
_STAGED_OBJECT = ("((coalesce(s.ns, '') <> '' AND coalesce(s.local_id, '') <> '' "
                  "AND o.egib_local_id = s.local_id AND o.egib_namespace = s.ns) "
                  "OR ((coalesce(s.ns, '') = '' OR coalesce(s.local_id, '') = '') "
                  "AND o.{ident} = s.{ident}))")
# Retired at the end date the file gives the object, else now.
PARCEL_RETIRE = f"""
    WITH gone AS (
        UPDATE {{parcel}} p SET updated_at = now(), retired_at = coalesce((
            SELECT max(coalesce(s.object_end, s.version_end)) {LOCAL} FROM stg_parcel s
            WHERE {_SAME_OBJECT.format(o="p", ident="parcel_id")}), now())
        WHERE p.unit_id = %(unit_id)s AND p.retired_at IS NULL
          AND p.precinct_id IN (SELECT id FROM {{precinct}} WHERE unit_id = %(unit_id)s
                                AND number IN (SELECT number FROM mrg_scope))
          AND NOT EXISTS (SELECT 1 FROM mrg_parcel m WHERE m.pk = p.id)
        RETURNING p.geom)
    INSERT INTO mrg_changed (geom) SELECT geom FROM gone"""
# Archived versions the file carries join the history, once per version id.
PARCEL_AFTER = [
    f"""CREATE TEMP TABLE mrg_history (parcel_id, egib_version, version_start, version_end,
                                      geom, attributes, registered_area_ha, archived_at) AS
        SELECT p.id, s.version_id, s.version_start {LOCAL},
               coalesce(s.version_end, s.object_end) {LOCAL}, s.geom,
               jsonb_build_object('parcel_id', s.parcel_id,
                   'egib_namespace', coalesce(s.ns, ''), 'egib_local_id', coalesce(s.local_id, ''),
                   'land_register_number', coalesce(s.kw, ''), 'area_accuracy_ha', s.accuracy_ha,
                   'source', 'file', 'land_use', coalesce(lu.pieces, '[]'::jsonb)),
               round(s.area_ha, 4), now()
        FROM stg_parcel s
        LEFT JOIN mrg_land_use lu ON lu.parcel_seq = s.seq
        JOIN LATERAL (SELECT id, egib_version FROM {{parcel}} o
                      WHERE o.unit_id = %(unit_id)s AND {_STAGED_OBJECT.format(ident="parcel_id")}
                      ORDER BY retired_at IS NULL DESC, id DESC LIMIT 1) p ON true
        WHERE NOT ({CURRENT}) AND {ACCEPTED} AND s.geom IS NOT NULL
          AND coalesce(s.version_id, '') <> ''
          AND s.version_id <> p.egib_version
          AND NOT EXISTS (SELECT 1 FROM {{parcel_version}} v
                          WHERE v.parcel_id = p.id AND v.egib_version = s.version_id)""",
    """INSERT INTO {parcel_version} (parcel_id, egib_version, version_start, version_end, geom,
                                    attributes, registered_area_ha, archived_at)
       SELECT * FROM mrg_history""",
    "DROP TABLE mrg_history",
]

BUILDING_PREPARE = [
    f"""CREATE TEMP TABLE mrg_building AS
        SELECT s.seq, s.building_id, coalesce(s.ns, '') AS ns,
               coalesce(s.local_id, '') AS local_id, coalesce(s.version_id, '') AS version_id,
               s.object_start {LOCAL} AS object_start, s.version_start {LOCAL} AS version_start,
               s.kst, coalesce(s.above, 1) AS above, coalesce(s.below, 0) AS below,
               round(s.built_up_m2, 2) AS built_up,
               ARRAY(SELECT DISTINCT p.pk FROM mrg_parcel p WHERE p.obj_key = ANY(sp.parcel_ids)
                     AND p.pk IS NOT NULL ORDER BY p.pk) AS parcel_pks,
               {object_key("building_id", "s")} AS obj_key, NULL::bigint AS pk,
               CASE WHEN s.rejected THEN 'rejected' END AS action
        FROM stg_building s
        LEFT JOIN stg_building_parcels sp ON sp.seq = s.seq
        WHERE {CURRENT}""",
    *identify("building", "building_id"),
]
_BUILDING_PARCELS = ("ARRAY(SELECT l.parcel_id FROM {building_parcels} l "
                     "WHERE l.building_id = b.id ORDER BY l.parcel_id)")
_BUILDING_SAME = f"""
    b.building_id = m.building_id
    AND b.egib_namespace = m.ns AND b.egib_local_id = m.local_id AND b.egib_version = m.version_id
    AND b.object_start IS NOT DISTINCT FROM m.object_start
    AND b.version_start IS NOT DISTINCT FROM m.version_start AND b.geom = s.geom
    AND b.kst_class = m.kst AND b.storeys_above = m.above AND b.storeys_below = m.below
    AND b.built_up_area_m2 IS NOT DISTINCT FROM m.built_up
    AND {_BUILDING_PARCELS} = m.parcel_pks"""
BUILDING_WRITE = [
    f"""UPDATE mrg_building m SET action = CASE WHEN {_BUILDING_SAME} THEN 'unchanged'
                                                ELSE 'updated' END
        FROM {{building}} b, stg_building s
        WHERE b.id = m.pk AND s.seq = m.seq AND m.action IS NULL""",
    f"""INSERT INTO {{building_version}} (building_id, egib_version, version_start, version_end,
                                         geom, attributes, archived_at)
        SELECT b.id, b.egib_version, b.version_start, coalesce(m.version_start, now()), b.geom,
               jsonb_build_object('building_id', b.building_id, 'kst_class', b.kst_class,
                   'storeys_above', b.storeys_above, 'storeys_below', b.storeys_below,
                   'built_up_area_m2', b.built_up_area_m2, 'egib_local_id', b.egib_local_id,
                   'parcel_ids', {_BUILDING_PARCELS}), now()
        FROM {{building}} b JOIN mrg_building m ON m.pk = b.id WHERE m.action = 'updated'""",
    """INSERT INTO mrg_changed (geom) SELECT b.geom FROM {building} b
       JOIN mrg_building m ON m.pk = b.id WHERE m.action = 'updated'""",
    """UPDATE {building} b SET building_id = m.building_id,
              egib_namespace = m.ns, egib_local_id = m.local_id,
              egib_version = m.version_id, object_start = m.object_start,
              version_start = m.version_start, geom = s.geom, kst_class = m.kst,
              storeys_above = m.above, storeys_below = m.below, built_up_area_m2 = m.built_up,
              updated_at = now()
       FROM mrg_building m JOIN stg_building s ON s.seq = m.seq
       WHERE m.pk = b.id AND m.action = 'updated'""",
    """INSERT INTO {building} (id, egib_namespace, egib_local_id, egib_version, object_start,
              version_start, imported_at, updated_at, retired_at, unit_id, building_id, geom,
              kst_class, storeys_above, storeys_below, built_up_area_m2)
       SELECT m.pk, m.ns, m.local_id, m.version_id, m.object_start, m.version_start, now(), now(),
              NULL, %(unit_id)s, m.building_id, s.geom, m.kst, m.above, m.below, m.built_up
       FROM mrg_building m JOIN stg_building s ON s.seq = m.seq WHERE m.action = 'created'""",
    "ANALYZE {building}",
    """DELETE FROM {building_parcels} WHERE building_id IN (
           SELECT pk FROM mrg_building WHERE action = 'updated')""",
    """INSERT INTO {building_parcels} (building_id, parcel_id)
       SELECT pk, unnest(parcel_pks) FROM mrg_building WHERE action IN ('created', 'updated')""",
    "INSERT INTO mrg_changed (geom) SELECT s.geom FROM mrg_building m "
    "JOIN stg_building s ON s.seq = m.seq WHERE m.action IN ('created', 'updated')",
]
BUILDING_RETIRE = f"""
    WITH gone AS (
        UPDATE {{building}} b SET updated_at = now(), retired_at = coalesce((
            SELECT max(coalesce(s.object_end, s.version_end)) {LOCAL} FROM stg_building s
            WHERE {_SAME_OBJECT.format(o="b", ident="building_id")}), now())
        WHERE b.unit_id = %(unit_id)s AND b.retired_at IS NULL
          AND EXISTS (SELECT 1 FROM stg_building)
          AND split_part(b.building_id, '.', 2) IN (SELECT number FROM mrg_scope)
          AND NOT EXISTS (SELECT 1 FROM mrg_building m WHERE m.pk = b.id)
        RETURNING b.geom)
    INSERT INTO mrg_changed (geom) SELECT geom FROM gone"""
BUILDING_AFTER = [
    f"""CREATE TEMP TABLE mrg_history (building_id, egib_version, version_start, version_end,
                                      geom, attributes, archived_at) AS
        SELECT b.id, s.version_id, s.version_start {LOCAL},
               coalesce(s.version_end, s.object_end) {LOCAL}, s.geom,
               jsonb_build_object('building_id', s.building_id, 'kst_class', s.kst,
                   'storeys_above', s.above, 'storeys_below', s.below,
                   'built_up_area_m2', s.built_up_m2, 'source', 'file'), now()
        FROM stg_building s
        JOIN LATERAL (SELECT id, egib_version FROM {{building}} o
                      WHERE o.unit_id = %(unit_id)s
                        AND {_STAGED_OBJECT.format(ident="building_id")}
                      ORDER BY retired_at IS NULL DESC, id DESC LIMIT 1) b ON true
        WHERE NOT ({CURRENT}) AND {ACCEPTED} AND s.geom IS NOT NULL
          AND coalesce(s.version_id, '') <> ''
          AND s.version_id <> b.egib_version
          AND NOT EXISTS (SELECT 1 FROM {{building_version}} v
                          WHERE v.building_id = b.id AND v.egib_version = s.version_id)""",
    """INSERT INTO {building_version} (building_id, egib_version, version_start, version_end,
                                      geom, attributes, archived_at)
       SELECT * FROM mrg_history""",
    "DROP TABLE mrg_history",
]

EXTENT = """
    SELECT CASE
      WHEN (SELECT count(*) FROM mrg_changed) = 0 THEN NULL
      WHEN (SELECT count(*) FROM mrg_changed) <= %(exact_max)s
        THEN (SELECT ST_AsEWKB(ST_Multi(ST_Union(geom))) FROM mrg_changed)
      ELSE (SELECT ST_AsEWKB(ST_Multi(ST_Union(box))) FROM (
              SELECT ST_Envelope(ST_Collect(geom)) AS box FROM mrg_changed
              GROUP BY floor(ST_XMin(geom) / 1000), floor(ST_YMin(geom) / 1000)) c)
    END"""
