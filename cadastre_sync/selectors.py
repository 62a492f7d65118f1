"""Reads of the cadastre: import jobs a user may see and what they changed where; parcels
at a point, by id and by search (with near misses), precincts and addresses."""
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import MultiPolygon, Point
from django.db import connection
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from core.access import scope_queryset
from core.db import fetch_one_checked
from core.models import AdministrativeUnit

from .models import Address, CadastreImport, Parcel, Precinct


def cadastre_import_list(*, user, unit: AdministrativeUnit | None = None) -> QuerySet:
    """Import jobs of the units where `user` may see them, newest first."""
    jobs = scope_queryset(CadastreImport.objects.select_related("unit"), user, "view")
    return jobs.filter(unit=unit) if unit is not None else jobs


def cadastre_changed_extent(*, unit: AdministrativeUnit, since: datetime) -> MultiPolygon | None:
    """Where imports of `unit` finished after `since` changed the cadastre (EPSG:2180).

    For the map cache: the tiles to refresh are those over this area. Dry runs and
    failed imports changed nothing and are left out.
    """
    extent = (CadastreImport.objects
              .filter(unit=unit, status=CadastreImport.SUCCEEDED, finished_at__gt=since,
                      changed_extent__isnull=False)
              .aggregate(area=Union("changed_extent"))["area"])
    if extent is None or isinstance(extent, MultiPolygon):
        return extent
    return MultiPolygon(extent, srid=extent.srid)


# --- Parcels for the map: at a point, by id, and search with near misses ---------------
#
# Current parcels are the public cadastral map; retired ones are history, and who may see
# them is decided by the caller (core.access). Indexes behind these reads: the parcels'
# GiST index (at a point), the prefix indexes of migration 0003 (numbers, streets) and
# the indexes of 0021 (precinct names by substring, numbers in parcel id order).

# Near misses offered when a parcel number is not found (123/4 for 123/40 and back).
NEAR_MISS_LIMIT = 8
SEARCH_LIMIT = 10
# The searches take `unit_ids`: the units whose parcels the caller may see (None: every
# unit). They filter inside the query, so hidden units never crowd a page of answers out.
Units = Collection[int] | None


# A parcel's precinct and unit come with it, without their large boundaries: what the
# map shows of them, and no more (fewer columns to read and to compile into SQL).
_BOUNDARIES = ("precinct__geom", "unit__boundary")
_MAP_FIELDS = ("parcel_id", "number", "geom", "registered_area_ha", "retired_at", "unit_id",
               "precinct_id", "unit__teryt", "unit__name", "unit__level", "precinct__number",
               "precinct__name", "precinct__unit_id")


def _map_parcels() -> QuerySet[Parcel]:
    return Parcel.objects.select_related("precinct", "unit").only(*_MAP_FIELDS)


def _current_parcels() -> QuerySet[Parcel]:
    return _map_parcels().filter(retired_at__isnull=True)


def parcel_at_point(*, point: Point) -> Parcel | None:
    """The current parcel under `point` (any SRID; PostGIS transforms it to the parcels').

    A point on the boundary of two parcels belongs to both; the older record wins, so the
    answer is the same every time.
    """
    return _current_parcels().filter(geom__intersects=point).order_by("id").first()


@dataclass(frozen=True)
class ParcelOutline:
    """A current parcel as the map's click needs it: identity, area and its outline as
    GeoJSON in the coordinate system asked for, all from one SQL statement."""

    pk: int
    parcel_id: str
    number: str
    precinct_number: str
    precinct_name: str
    unit_id: int
    teryt: str
    unit_name: str
    registered_area_ha: Decimal
    area_m2: float
    geometry_json: str  # GeoJSON geometry in `srid`
    bbox: tuple[float, float, float, float]  # in `srid`
    srid: int


# The hot path of a click on the map: the GiST index finds the parcel, PostGIS transforms
# and writes its outline; no model is built. Same answer as parcel_at_point. Rings follow
# RFC 7946's right-hand rule (outer counter-clockwise, holes clockwise), whatever order
# the cadastre stored them in. Planning is most of a click's time in the database: the
# point is a sub-select (evaluated once, used by the index), so the planner does not read
# the geometry column's statistics for every click, and the parcel is found (LIMIT 1)
# before its precinct and unit are joined, the plan it would choose anyway.
_OUTLINE_AT = f"""
SELECT p.id, p.parcel_id, p.number, pr.number, pr.name, u.id, u.teryt, u.name,
       p.registered_area_ha, ST_Area(p.geom), ST_AsGeoJSON(o.geom, %(digits)s),
       ST_XMin(o.box), ST_YMin(o.box), ST_XMax(o.box), ST_YMax(o.box)
FROM (SELECT * FROM {Parcel._meta.db_table} c
      WHERE c.retired_at IS NULL
        AND ST_Intersects(c.geom, (SELECT ST_Transform(ST_SetSRID(
                ST_MakePoint(%(x)s, %(y)s), %(in_srid)s), {Parcel._meta.get_field("geom").srid})))
      ORDER BY c.id LIMIT 1) p
JOIN {Precinct._meta.db_table} pr ON pr.id = p.precinct_id
JOIN {AdministrativeUnit._meta.db_table} u ON u.id = p.unit_id
CROSS JOIN LATERAL (SELECT ST_ForcePolygonCCW(ST_Transform(p.geom, %(srid)s)) AS geom) o0
CROSS JOIN LATERAL (SELECT o0.geom, ST_Envelope(o0.geom) AS box) o
"""  # noqa: S608 - table names from our models, values as parameters


def parcel_outline_at(*, point: Point, srid: int, digits: int) -> ParcelOutline | None:
    """The current parcel under `point` (any SRID) with its outline in `srid`, rounded to
    `digits` decimals; the parcel parcel_at_point answers, without building models."""
    row = fetch_one_checked(_OUTLINE_AT, {"x": point.x, "y": point.y, "in_srid": point.srid,
                                          "srid": srid, "digits": digits}, prepared=True)
    if row is None:
        return None
    return ParcelOutline(*row[:11], bbox=tuple(round(v, digits) for v in row[11:15]), srid=srid)


def parcel_by_id(*, parcel_id: str) -> Parcel | None:
    """The parcel with identifier `parcel_id`: the current one, else its latest retired one."""
    return (_map_parcels().filter(parcel_id=parcel_id)
            .order_by(F("retired_at").desc(nulls_first=True), "-id").first())


def parcels_numbered(*, number: str, precincts: list[Precinct] | None = None,
                     unit_ids: Units = None, limit: int = SEARCH_LIMIT,
                     divisions: bool = False) -> list[Parcel]:
    """Current parcels with exactly this number, in `precincts` (every precinct when None);
    with `divisions`, also the parcels divided from it ("12" finds 12/1, 12/2, ...)."""
    match = Q(number=number) | Q(number__startswith=f"{number}/") if divisions else Q(
        number=number)
    found = _current_parcels().filter(match)
    if precincts is not None:
        found = found.filter(precinct__in=precincts)
    if unit_ids is not None:
        found = found.filter(unit_id__in=unit_ids)
    # By unit, precinct and number: a parcel id is the unit's TERYT code and the 4-digit
    # precinct number, both of fixed length, then the number, so its order is theirs. The
    # index of 0021 (number, parcel id) reads a common number's first parcels in this
    # order and stops, where sorting by the joined unit and precinct read all of them.
    return list(found.order_by("parcel_id")[:limit])


# Numbers sharing the typed number's first digits (its base, before "/", less its last
# digit: "36" for 364/58, so 364/5 and 36/1 both qualify): one prefix search on current
# parcels' numbers, within the given precincts (index of 0003) or over all of them (index
# of 0021, looking at a bounded pool of candidates: without its precinct a number recurs
# in every precinct). One prefix, not "the base or the shorter prefix": the shorter one
# holds the base's numbers, and an OR let the planner read the base's numbers in every
# precinct before filtering on the precinct. Ranked: numbers that start with what was
# typed, then those of the same base, then the closest in length.
_NEAR_MISSES = """
SELECT c.id FROM (
    SELECT p.id, p.number FROM {table} p
    WHERE p.retired_at IS NULL {within} {units}
      AND p.number LIKE %(shorter)s AND p.number <> %(number)s
    LIMIT %(pool)s
) c
ORDER BY (c.number LIKE %(typed)s) DESC, (split_part(c.number, '/', 1) = %(stem)s) DESC,
         abs(length(c.number) - length(%(number)s)), c.number, c.id
LIMIT %(limit)s
"""
# By (within given precincts, of given units only).
_NEAR_MISSES_SQL = {
    (within, units): _NEAR_MISSES.format(
        table=Parcel._meta.db_table,
        within="AND p.precinct_id = ANY(%(precincts)s)" if within else "",
        units="AND p.unit_id = ANY(%(units)s)" if units else "")
    for within in (False, True) for units in (False, True)
}
NEAR_MISS_POOL = 2000


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def parcel_number_near_misses(*, number: str, precincts: list[Precinct] | None,
                              unit_ids: Units = None,
                              limit: int = NEAR_MISS_LIMIT) -> list[Parcel]:
    """Current parcels in `precincts` (every precinct when None) whose numbers are close to
    `number`, closest first."""
    stem = number.split("/", 1)[0]
    params = {"precincts": [p.pk for p in precincts or ()], "number": number, "stem": stem,
              "typed": _like_prefix(number),
              "shorter": _like_prefix(stem[:-1]) if len(stem) > 1 else _like_prefix(stem),
              "units": sorted(unit_ids or ()), "limit": limit, "pool": NEAR_MISS_POOL}
    with connection.cursor() as cursor:
        cursor.execute(_NEAR_MISSES_SQL[precincts is not None, unit_ids is not None], params)
        ids = [row[0] for row in cursor.fetchall()]
    by_id = _current_parcels().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


# Residents often type without Polish letters ("Srodmiescie", "zytnia"): names are
# compared folded, in the database, exactly as migration 0006 indexes street names.
_POLISH, _BASE = "ąćęłńóśźż", "acelnoszz"
_FOLD = str.maketrans(_POLISH, _BASE)


def folded_sql(column: str) -> str:
    """The folding of `column` in SQL, as the indexes have it."""
    return f"translate(lower({column}), '{_POLISH}', '{_BASE}')"


class Folded(Func):
    """translate(lower(text), 'ąćęłńóśźż', 'acelnoszz')"""

    template = folded_sql("%(expressions)s")
    output_field = TextField()


def fold(text: str) -> str:
    return text.strip().lower().translate(_FOLD)


def precincts_matching(*, term: str, exact_only_if_any: bool = False, unit_ids: Units = None,
                       limit: int = SEARCH_LIMIT) -> list[Precinct]:
    """Precincts whose number is `term` (with or without leading zeros), else those named
    `term`, then those whose name starts with it, then those containing it; with
    `exact_only_if_any`, only those named exactly `term` when there are any. Names are
    compared folded (case and Polish letters ignored)."""
    term = term.strip()
    if not term:
        return []
    found = Precinct.objects.select_related("unit").defer("unit__boundary")
    if unit_ids is not None:
        found = found.filter(unit_id__in=unit_ids)
    if term.isdigit() and len(term) <= 4:
        return list(found.filter(number=term.zfill(4)).order_by("unit__teryt")[:limit])
    folded = fold(term)
    matches = found.annotate(folded=Folded("name")).filter(folded__contains=folded).annotate(
        rank=Case(When(folded=folded, then=Value(0)),
                  When(folded__startswith=folded, then=Value(1)), default=Value(2),
                  output_field=IntegerField()))
    ranked = list(matches.order_by("rank", "name", "unit__teryt")[:limit])
    if exact_only_if_any and ranked and ranked[0].rank == 0:
        return [p for p in ranked if p.rank == 0]
    return ranked


# Addresses on streets (or in localities without streets) starting with the folded term,
# with a house number or not: the page is chosen among the addresses alone, sorted, and
# their parcels are read one by one until a page of current (and visible) ones is found.
# The planner, given the joins, read the parcel, precinct and unit of every address on
# the street before sorting (seven pages each: 271 addresses for "gorza" at 1M parcels);
# the addresses of one street lie together on few pages. Folded as the indexes of
# 0006/0007 are, for their prefix searches.
_ADDRESS_PAGE = f"""
SELECT a.id FROM (
    SELECT a.id, a.parcel_id, a.street, a.locality, a.house_number
    FROM {Address._meta.db_table} a
    WHERE ({folded_sql("a.street")} LIKE %s
           OR (a.street = '' AND {folded_sql("a.locality")} LIKE %s))
      AND (%s = '' OR upper(a.house_number) = upper(%s))
    ORDER BY a.street, a.locality, a.house_number, a.id
) a
JOIN {Parcel._meta.db_table} p ON p.id = a.parcel_id
WHERE p.retired_at IS NULL AND (%s OR p.unit_id = ANY(%s::bigint[]))
ORDER BY a.street, a.locality, a.house_number, a.id
LIMIT %s
"""  # noqa: S608 - table names from our models, values as parameters


def addresses_matching(*, street: str, house_number: str = "", unit_ids: Units = None,
                       limit: int = SEARCH_LIMIT) -> list[Address]:
    """Addresses on a street (or in a locality without streets) whose name starts with
    `street` (folded), of current parcels; with `house_number`, that number only
    (case ignored). By street, locality and house number."""
    term = fold(street)
    if not term:
        return []
    house = house_number.strip()
    params = [_like_prefix(term), _like_prefix(term), house, house, unit_ids is None,
              sorted(unit_ids or ()), limit]
    page = RawSQL(_ADDRESS_PAGE, params)  # noqa: S611 - values as parameters
    return list(Address.objects.filter(id__in=page)
                .select_related("parcel", "parcel__precinct", "parcel__unit")
                .defer("point", *(f"parcel__{name}" for name in _BOUNDARIES))
                .order_by("street", "locality", "house_number", "id"))


def import_rules_in_force(on, units) -> list:
    """The cadastre import's fixed rules (area tolerance, KŚT codes and letters), for the
    officer's list of rules in force, each with its source and whether it was verified."""
    from django.utils.translation import gettext as _

    from core.rules import RuleRow

    from .importers.values import IMPORT_RULES

    return [RuleRow(_("cadastre"), _(rule.name), _(rule.value) % dict(rule.params),
                    _("every unit"), rule.valid_from, None, rule.source, rule.verified)
            for rule in IMPORT_RULES]
