"""Register units (JRG), owners and their shares.

Roads and parks of a precinct form one gmina register unit (group 4), its forests one
State Treasury unit (group 1); every other lot is its own unit, except that strip
fields are held one to three neighbouring strips per farmer. Owners: natural persons
(one, a married couple holding jointly, or two co-owners 1/2 each) with valid PESEL
numbers, or one of a few institutions with valid REGON numbers.
"""
import hashlib

from .blocks import REGISTER_MIX
from .functions import name_arrays
from .names import INSTITUTIONS, KW_COURTS, by_area
from .run import Run

# KW check digit: characters valued 0-9, X=10, A=11 ... Z=33 (no Q, V), weights 1, 3, 7
# repeated over the court code and the eight digits (not confirmed against the court
# rules; demo data only).
KW_VALUES = {c: v for v, c in enumerate("0123456789XABCDEFGHIJKLMNOPRSTUWYZ")}
KW_DIGIT_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)  # positions 5..12 continue 1, 3, 7


def kw_court_sum(court: str) -> int:
    return sum(KW_VALUES[c] * w for c, w in zip(court, (1, 3, 7, 1), strict=True))


def regon(seed_key: int, teryt: str, index: int) -> str:
    """A valid 9-digit REGON (weights 8 9 2 3 4 5 6 7, mod 11, 10 counts as 0)."""
    digest = hashlib.sha256(f"{seed_key}:{teryt}:{index}".encode()).hexdigest()
    body = f"{int(digest[:12], 16) % 10**8:08d}"
    check = sum(int(d) * w for d, w in zip(body, (8, 9, 2, 3, 4, 5, 6, 7), strict=True)) % 11
    return body + str(check % 10)


def register_group_sql(column: str = "o.r_grp", btype: str = "o.btype") -> str:
    """REGISTER_MIX as one CASE expression: the group whose share the draw falls in."""
    branches = []
    for code, shares in REGISTER_MIX.items():
        low, inner = 0.0, []
        for group, share in list(shares.items())[:-1]:
            low += share
            inner.append(f"WHEN {column} < {round(low, 6)!r} THEN {int(group)}")
        inner.append(f"ELSE {int(list(shares)[-1])}")
        branches.append(f"WHEN {int(code)} THEN CASE {' '.join(inner)} END")
    return f"CASE {btype} {' '.join(branches)} END"


def institutions_insert(run: Run, unit_name: str) -> int:
    teryt = run.params["teryt"]
    names = [template.format(unit=unit_name) for _, _, template in INSTITUTIONS]
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_inst")
    run.sql(
        "CREATE TEMP TABLE demo_inst ON COMMIT DROP AS "
        "SELECT nextval(%(seq_owner)s::regclass) AS pk, t.*, "
        "row_number() OVER (PARTITION BY t.grp ORDER BY t.i) - 1 AS nth, "
        "count(*) OVER (PARTITION BY t.grp) AS of_group "
        "FROM unnest(%(code)s::text[], %(grp)s::int[], %(name)s::text[], %(regon)s::text[]) "
        "WITH ORDINALITY AS t(code, grp, name, regon, i)",
        {"code": [c for c, _, _ in INSTITUTIONS], "grp": [g for _, g, _ in INSTITUTIONS],
         "name": names,
         "regon": [regon(run.params["key"], teryt, i) for i in range(len(INSTITUTIONS))]},
    )
    return run.sql(
        "INSERT INTO {owner} (id, unit_id, kind, first_name, second_name, surname, pesel, name, "
        "regon, address, egib_local_id) "
        "SELECT pk, %(unit_id)s, 'institution', '', '', '', '', name, regon, '', "
        "pg_temp.demo_uuid(%(key)s, 50, i) FROM demo_inst ORDER BY i"
    )


# KW numbers run from a per-seed base through the register units in precinct order.
REGISTER_UNIT_SQL = """
CREATE TEMP TABLE demo_ru ON COMMIT DROP AS
WITH g AS (
    SELECT ru_key, min(slot) AS slot, min(ord) AS n, min(btype) AS btype
    FROM demo_lot GROUP BY ru_key
), ordered AS MATERIALIZED (
    SELECT g.*, row_number() OVER (ORDER BY slot, n) AS ord,
           pg_temp.demo_rnd(%(key)s, 40, ru_key) AS r_grp,
           pg_temp.demo_rnd(%(key)s, 41, ru_key) AS r_pat,
           pg_temp.demo_rnd(%(key)s, 42, ru_key) AS r_inst,
           pg_temp.demo_rnd(%(key)s, 43, ru_key) AS r_kw
    FROM g
), grouped AS MATERIALIZED (
    SELECT o.*, CASE WHEN o.ru_key < 0 AND -o.ru_key %% 4 = 1 THEN 4
                     WHEN o.ru_key < 0 THEN 1 ELSE {register_group} END AS grp
    FROM ordered o
), numbered AS MATERIALIZED (
    SELECT *, CASE WHEN grp <> 7 THEN NULL WHEN btype = 2 OR r_pat >= 0.85 THEN 2
                   WHEN r_pat >= 0.5 THEN 1 ELSE 0 END AS pattern,
              %(kw_base)s + ord AS kw_no,
              r_kw < CASE grp WHEN 7 THEN 0.93 WHEN 4 THEN 0.5 ELSE 0.9 END AS has_kw
    FROM grouped
)
SELECT nextval(%(seq_ru)s::regclass) AS pk, n.ru_key, n.slot, n.n, n.ord, n.btype, n.grp,
       n.pattern, i.pk AS inst_pk,
       CASE WHEN n.has_kw THEN %(court)s || '/' || lpad(n.kw_no::text, 8, '0') || '/'
            || ((%(court_sum)s + 3 * (n.kw_no / 10000000 %% 10) + 7 * (n.kw_no / 1000000 %% 10)
                 + (n.kw_no / 100000 %% 10) + 3 * (n.kw_no / 10000 %% 10)
                 + 7 * (n.kw_no / 1000 %% 10) + (n.kw_no / 100 %% 10)
                 + 3 * (n.kw_no / 10 %% 10) + 7 * (n.kw_no %% 10)) %% 10)::text
            ELSE '' END AS kw
FROM numbered n
LEFT JOIN demo_inst i ON n.grp <> 7 AND i.grp = n.grp
     AND i.nth = floor(n.r_inst * i.of_group)
"""


def register_units_insert(run: Run) -> int:
    court = by_area(KW_COURTS, run.params["teryt"])
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_ru")
    statement = REGISTER_UNIT_SQL.replace("{register_group}", register_group_sql())
    run.sql(statement, {"court": court, "court_sum": kw_court_sum(court),
                                "kw_base": 10000 + run.params["key"] % 40000 * 100})
    run.sql("CREATE UNIQUE INDEX ON demo_ru (ru_key)")
    run.sql("ANALYZE demo_ru")
    return run.sql(
        'INSERT INTO {register_unit} (id, unit_id, register_id, "group") '
        "SELECT r.pk, %(unit_id)s, %(teryt)s || '.' || s.number || '.G' || r.n, r.grp "
        "FROM demo_ru r JOIN demo_slot s USING (slot)"
    )


# PESEL: owner ordinal o -> (birth day, serial) is one-to-one for o < 25567 * 1000, so no
# two owners share a number; the sex digit follows the first name.
PERSON_SQL = """
CREATE TEMP TABLE demo_person ON COMMIT DROP AS
SELECT nextval(%(seq_owner)s::regclass) AS pk, r.pk AS ru_pk, r.pattern, n.no,
       s.sex, pg_temp.demo_int(%(key)s, 61, r.ru_key * 2 + n.no, 0, %(n_first)s - 1) AS first_i,
       CASE WHEN pg_temp.demo_rnd(%(key)s, 62, r.ru_key * 2 + n.no) < 0.3
            THEN pg_temp.demo_int(%(key)s, 63, r.ru_key * 2 + n.no, 0, %(n_first)s - 1) END
           AS second_i,
       pg_temp.demo_int(%(key)s, 64, CASE WHEN r.pattern = 1 THEN r.ru_key * 2
                                          ELSE r.ru_key * 2 + n.no END, 0, %(n_surnames)s - 1)
           AS surname_i,
       pg_temp.demo_int(%(key)s, 65, r.ru_key, 0, %(n_streets)s - 1) AS street_i,
       pg_temp.demo_int(%(key)s, 66, r.ru_key, 1, 140) AS house,
       pg_temp.demo_pesel(b.y, b.m, b.d, b.serial, b.sex_digit) AS pesel,
       pg_temp.demo_uuid(%(key)s, 68, r.ru_key * 2 + n.no) AS local_id
FROM demo_ru r
CROSS JOIN LATERAL generate_series(0, CASE WHEN r.pattern = 0 THEN 0 ELSE 1 END) n(no)
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.pattern = 1 THEN 1 - n.no
                ELSE (pg_temp.demo_rnd(%(key)s, 60, r.ru_key * 2 + n.no) < 0.5)::int END AS sex
) s
CROSS JOIN LATERAL (
    SELECT date_part('year', born)::int AS y, date_part('month', born)::int AS m,
           date_part('day', born)::int AS d,
           (((r.ord * 2 + n.no) / 25567 * 919 + %(serial_off)s) %% 1000)::int AS serial,
           2 * pg_temp.demo_int(%(key)s, 67, r.ru_key * 2 + n.no, 0, 4) + s.sex AS sex_digit
    FROM (SELECT date '1935-01-01'
                 + (((r.ord * 2 + n.no) * 7919 + %(day_off)s) %% 25567)::int AS born) x
    OFFSET 0
) b
WHERE r.grp = 7
"""

PERSON_INSERT_SQL = """
INSERT INTO {owner} (id, unit_id, kind, first_name, second_name, surname, pesel, name, regon,
                     address, egib_local_id)
SELECT p.pk, %(unit_id)s, 'person',
       CASE WHEN p.sex = 1 THEN (%(male)s::text[])[p.first_i + 1]
            ELSE (%(female)s::text[])[p.first_i + 1] END,
       CASE WHEN p.second_i IS NULL OR p.second_i = p.first_i THEN ''
            WHEN p.sex = 1 THEN (%(male)s::text[])[p.second_i + 1]
            ELSE (%(female)s::text[])[p.second_i + 1] END,
       CASE WHEN p.sex = 1 THEN (%(surnames)s::text[])[p.surname_i + 1]
            ELSE (%(surnames_f)s::text[])[p.surname_i + 1] END,
       p.pesel, '', '',
       'ul. ' || (%(streets)s::text[])[p.street_i + 1] || ' ' || p.house || ', '
       || %(postcode)s || ' ' || %(locality)s,
       p.local_id
FROM demo_person p
"""


def persons_insert(run: Run, locality: str, postcode: str) -> int:
    key = run.params["key"]
    names = name_arrays()
    run.sql("DROP TABLE IF EXISTS pg_temp.demo_person")
    run.sql(PERSON_SQL, {"n_first": len(names["male"]), "n_surnames": len(names["surnames"]),
                         "n_streets": len(names["streets"]),
                         "day_off": key % 25567, "serial_off": key // 25567 % 1000})
    run.sql("CREATE INDEX ON demo_person (ru_pk, no)")
    return run.sql(PERSON_INSERT_SQL, {**names, "postcode": postcode, "locality": locality})


SHARE_SQL = """
INSERT INTO {share} (owner_id, spouse_id, register_unit_id, "right", numerator, denominator)
SELECT owner_id, spouse_id, ru_pk, 'ownership', num, den FROM (
    SELECT p.pk AS owner_id, s.pk AS spouse_id, p.ru_pk, 1 AS num, 1 AS den
    FROM demo_person p
    LEFT JOIN demo_person s ON p.pattern = 1 AND s.ru_pk = p.ru_pk AND s.no = 1
    WHERE p.no = 0 AND p.pattern IN (0, 1)
    UNION ALL
    SELECT p.pk, NULL, p.ru_pk, 1, 2 FROM demo_person p WHERE p.pattern = 2
    UNION ALL
    SELECT r.inst_pk, NULL, r.pk, 1, 1 FROM demo_ru r WHERE r.grp <> 7
) shares
"""


def shares_insert(run: Run) -> int:
    return run.sql(SHARE_SQL)
