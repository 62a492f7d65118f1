"""Session-local SQL helpers (pg_temp) and the name lists passed as array parameters.

Randomness is a hash of (seed key, salt, indices), never random(): the same seed
gives the same town bit for bit. The hash is hashint8extended, the integer hash
PostgreSQL uses for hash partitioning (so it cannot change between platforms or
upgrades without breaking partitioned tables); it is ~50x cheaper than md5 and
the generator calls it tens of millions of times. It folds a bigint to 32 bits
(low half XOR high half) before hashing, so keys past 2**32 (the lot keys of a
gmina of a million parcels) would collide in groups; the helpers therefore mix
a key's high half into the seed, which leaves every key below 2**32 as it was.
All helpers are one-expression SQL functions, which the planner inlines.
"""
from .names import FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, STREETS, SURNAMES, feminine_surname
from .run import Run

FUNCTIONS = [
    # Uniform [0, 1) from the run key, a salt naming the use, and up to three indices.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_rnd(k bigint, salt int, a bigint,
                                                   b bigint DEFAULT 0, c bigint DEFAULT 0)
       RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT (hashint8extended($5, hashint8extended($4, hashint8extended($3,
                 hashint8extended($2, $1) # ($3 >> 32)))) & 4503599627370495)::float8
                / 4503599627370496.0
       $$""",
    # Whole number in [lo, hi] drawn like demo_rnd.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_int(k bigint, salt int, a bigint, lo int, hi int)
       RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT $4 + floor(pg_temp.demo_rnd($1, $2, $3) * ($5 - $4 + 1))::int
       $$""",
    # Centimetre rounding, as coordinates are kept in the cadastre.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_cm(v float8)
       RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT round($1 * 100) / 100 $$""",
    # Point j of n splitting [xa, xb]: ends exact, inner points jittered by up to a fifth
    # of the spacing, so neighbouring lots computing the same point agree bit for bit.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_split(k bigint, line bigint, j bigint, n bigint,
                                                     xa float8, xb float8)
       RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT CASE WHEN $3 <= 0 THEN $5 WHEN $3 >= $4 THEN $6
                ELSE pg_temp.demo_cm($5 + ($6 - $5)
                     * ($3 + 0.4 * (pg_temp.demo_rnd($1, 7, $2, $3) - 0.5)) / $4) END
       $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.demo_lerp(a float8, b float8, f float8)
       RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT CASE WHEN $3 <= 0 THEN $1 WHEN $3 >= 1 THEN $2 ELSE $1 + ($2 - $1) * $3 END
       $$""",
    # Quadrilateral with a horizontal bottom (y0) and top (y1) edge, as a MultiPolygon.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_quad(xb0 float8, xb1 float8, xt0 float8,
                                                    xt1 float8, y0 float8, y1 float8)
       RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT ST_Multi(ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[
                ST_MakePoint($1, $5), ST_MakePoint($2, $5), ST_MakePoint($4, $6),
                ST_MakePoint($3, $6), ST_MakePoint($1, $5)])), 2180))
       $$""",
    # Share of a quadrilateral's area between height fractions fa and fb (widths wb, wt).
    """CREATE OR REPLACE FUNCTION pg_temp.demo_share(wb float8, wt float8, fa float8, fb float8)
       RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT (($4 - $3) * $1 + ($4 * $4 - $3 * $3) * ($2 - $1) / 2) / (($1 + $2) / 2)
       $$""",
    # PESEL from the birth date's parts, a 3-digit serial and the sex digit, with its check
    # digit (weights 1 3 7 9 1 3 7 9 1 3); pass plain columns so the call is inlined.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_pesel(y int, m int, d int, serial int, sex int)
       RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT lpad(($1 % 100)::text, 2, '0')
                || lpad(($2 + CASE WHEN $1 >= 2000 THEN 20 ELSE 0 END)::text, 2, '0')
                || lpad($3::text, 2, '0') || lpad($4::text, 3, '0') || $5::text
                || ((10 - (($1 % 100) / 10 + 3 * ($1 % 10)
                           + 7 * (($2 + CASE WHEN $1 >= 2000 THEN 20 ELSE 0 END) / 10)
                           + 9 * ($2 % 10) + $3 / 10 + 3 * ($3 % 10) + 7 * ($4 / 100)
                           + 9 * ($4 / 10 % 10) + $4 % 10 + 3 * $5) % 10) % 10)::text
       $$""",
    # EGiB local ids look like UUIDs: 128 hash bits, formatted by the uuid type.
    """CREATE OR REPLACE FUNCTION pg_temp.demo_uuid(k bigint, salt int, a bigint)
       RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT (lpad(to_hex(hashint8extended($3, hashint8extended($2, $1) # ($3 >> 32))),
                      16, '0')
                 || lpad(to_hex(hashint8extended($3, hashint8extended($2 + 1, $1) # ($3 >> 32))),
                         16, '0')
                )::uuid::text
       $$""",
]


def functions_create(run: Run) -> None:
    for statement in FUNCTIONS:
        run.cursor.execute(statement)


def name_arrays() -> dict[str, list[str]]:
    """The name lists as query parameters: SQL picks entries by 1-based subscript."""
    return {"male": list(MALE_FIRST_NAMES), "female": list(FEMALE_FIRST_NAMES),
            "surnames": list(SURNAMES), "surnames_f": [feminine_surname(s) for s in SURNAMES],
            "streets": list(STREETS)}
