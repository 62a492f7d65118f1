"""ULDK lookups answered from our cadastre: parcels, precincts (regions) and gminy (communes).

Each kind of object is one row of `KINDS`: the tables it is read from, the expressions of
ULDK's result fields and the published layer whose access rule it follows (the parcel API's
rule for parcels, the map's for precincts and units). Every statement is built from these
constants only; what a client sends reaches the database as parameters.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from core.identifiers import VOIVODESHIP_NAMES
from core.models import AdministrativeUnit

SRID = 2180
# Output systems a ULDK client may ask for: PL-1992, the PL-2000 zones, WGS84, web mercator.
OUTPUT_SRIDS = (2180, 2176, 2177, 2178, 2179, 4326, 3857)
GEOGRAPHIC_SRIDS = {4326}
# Decimal digits of coordinates: a micrometre in metres, ~0.1 mm in degrees.
DIGITS = {"metres": 6, "degrees": 9}
MAX_MATCHES = 1000  # GetParcelByIdOrNr over a common precinct name and number


@dataclass(frozen=True)
class Kind:
    layer: str  # the published layer whose access rule applies (layers.access)
    tables: str
    current: str  # which rows are current (SQL condition)
    geom: str
    object_id: str  # the object's identifier: idDzialki, precinct code or TERYT
    by_id: str  # SQL condition matching %(id)s
    parcel: str = "''"
    region: str = "''"
    commune: str = "u.name"


_PRECINCT_NAME = "COALESCE(NULLIF(pr.name, ''), pr.number)"

KINDS = {
    "parcel": Kind(
        layer="parcels",
        tables="cadastre_sync_parcel p "
               "JOIN cadastre_sync_precinct pr ON pr.id = p.precinct_id "
               "JOIN core_administrativeunit u ON u.id = p.unit_id",
        current="p.retired_at IS NULL",
        geom="p.geom",
        object_id="p.parcel_id",
        by_id="p.parcel_id = %(id)s",
        parcel="p.number",
        region=_PRECINCT_NAME,
    ),
    "region": Kind(
        layer="precincts",
        tables="cadastre_sync_precinct pr JOIN core_administrativeunit u ON u.id = pr.unit_id",
        current="pr.geom IS NOT NULL",
        geom="pr.geom",
        object_id="u.teryt || '.' || pr.number",
        by_id="u.teryt = split_part(%(id)s, '.', 1) AND pr.number = split_part(%(id)s, '.', 2)",
        region=_PRECINCT_NAME,
    ),
    "commune": Kind(
        layer="units",
        tables="core_administrativeunit u",
        current="u.level = 'gmina' AND u.boundary IS NOT NULL",
        geom="u.boundary",
        object_id="u.teryt",
        by_id="u.teryt = %(id)s",
    ),
}

# The geometry as ULDK gives it: one polygon written as POLYGON, not a one-part MULTIPOLYGON.
_OUT_GEOM = ("ST_Transform(CASE WHEN ST_NumGeometries({geom}) = 1 THEN ST_GeometryN({geom}, 1) "
             "ELSE {geom} END, %(srid)s)")
GEOMETRY_FIELDS = {
    "geom_wkb": "ST_AsHEXEWKB({out})",
    "geom_wkt": "ST_AsEWKT({out}, %(digits)s)",
    "geom_extent": "ARRAY[ST_XMin({out}), ST_YMin({out}), ST_XMax({out}), ST_YMax({out})]",
}


@dataclass(frozen=True)
class Found:
    """One object found, with what every result field is read from."""

    object_id: str
    unit_id: int
    teryt: str
    commune: str
    region: str
    parcel: str
    datasource: str
    geometry: dict[str, object]  # geometry field name -> its value


def _select(kind: Kind, geometry_fields: Iterable[str]) -> str:
    out = _OUT_GEOM.format(geom=kind.geom)
    geometry = "".join(f", {GEOMETRY_FIELDS[name].format(out=out)}" for name in geometry_fields)
    return (f"SELECT {kind.object_id}, u.id, u.teryt, {kind.commune}, {kind.region}, "  # noqa: S608
            f"{kind.parcel}, COALESCE(NULLIF(u.office_name, ''), u.name){geometry} "
            f"FROM {kind.tables} WHERE {kind.current}")


def _run(sql: str, params: dict, geometry_fields: list[str]) -> list[Found]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Found(*row[:7], geometry=dict(zip(geometry_fields, row[7:], strict=True)))
            for row in rows]


def _params(srid: int, units: frozenset[int] | None, **extra) -> dict:
    digits = DIGITS["degrees" if srid in GEOGRAPHIC_SRIDS else "metres"]
    return {"srid": srid, "digits": digits, "units": None if units is None else sorted(units),
            **extra}


_IN_UNITS = " AND (%(units)s::int[] IS NULL OR u.id = ANY(%(units)s::int[]))"


def uldk_by_id(*, kind: Kind, object_id: str, srid: int, geometry_fields: list[str]
               ) -> Found | None:
    """The current object with identifier `object_id`, whoever may see it (the caller
    decides: a direct request for an object one may not see is refused, not hidden)."""
    sql = _select(kind, geometry_fields) + f" AND {kind.by_id} LIMIT 1"
    found = _run(sql, _params(srid, None, id=object_id), geometry_fields)
    return found[0] if found else None


def uldk_at_point(*, kind: Kind, x: float, y: float, point_srid: int, srid: int,
                  geometry_fields: list[str], units: frozenset[int] | None) -> Found | None:
    """The current object of `units` (None: any) covering the point (x, y) in `point_srid`;
    on a shared boundary the one with the lowest identifier, so the answer is stable."""
    point = f"ST_Transform(ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), %(point_srid)s), {SRID})"
    sql = (_select(kind, geometry_fields) + _IN_UNITS
           + f" AND ST_Intersects({kind.geom}, {point}) ORDER BY 1 LIMIT 1")
    found = _run(sql, _params(srid, units, x=x, y=y, point_srid=point_srid), geometry_fields)
    return found[0] if found else None


def uldk_parcels_by_number(*, precinct: str, number: str, srid: int,
                           geometry_fields: list[str], units: frozenset[int] | None
                           ) -> list[Found]:
    """Current parcels numbered `number` in every precinct whose name (any letter case) or
    four-digit number is `precinct`, in the units `units` (None: any)."""
    kind = KINDS["parcel"]
    sql = (_select(kind, geometry_fields) + _IN_UNITS
           + " AND p.number = %(number)s"
             " AND (lower(pr.name) = lower(%(precinct)s) OR pr.number = %(precinct)s)"
             f" ORDER BY 1 LIMIT {MAX_MATCHES}")
    return _run(sql, _params(srid, units, precinct=precinct, number=number), geometry_fields)


def uldk_area_names(teryts: Iterable[str]) -> dict[str, str]:
    """Names of the powiaty and voivodeships above the gminy `teryts`: the hosted units'
    own names where we hold them, the TERYT register's voivodeship names otherwise."""
    wanted = {code for teryt in teryts for code in (teryt[:2], teryt[:4])}
    names = {code: name for code, name in VOIVODESHIP_NAMES.items() if code in wanted}
    names.update(AdministrativeUnit.objects.filter(teryt__in=wanted)
                 .values_list("teryt", "name"))
    return names
