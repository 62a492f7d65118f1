"""Set-based checks of the staged rows, in SQL, before anything is merged.

Each check is a query returning the file line, gml:id and object id kept with the
staged row, then the values its message names, as columns of those names; `report_rows`
turns its rows into problems. Messages are msgids, translated when shown. Geometry checks
live in geometry_checks.py, link resolution in links.py; here are the whole-file
questions a streaming reader cannot answer (duplicates, areas, ownership).
"""
# ruff: noqa: S608 - SQL is built from our own table and column names only; values
# always travel as query parameters.

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext_noop as N_

from ..errors import ERROR, WARNING
from .base import Report
from .geometry import CADASTRE_SRIDS
from .values import AREA_ROUNDING_M2, AREA_TOLERANCE_RELATIVE, AREA_TOLERANCE_SQRT_M


@dataclass(frozen=True)
class Check:
    kind: str
    code: str
    severity: str
    message: str  # a msgid, formatted with the values the query names
    sql: str  # selects line, gml_id, object_id, then the message's values by name
    translate: tuple[str, ...] = ()  # values that are msgids themselves (GEOS reasons)
    numbers: tuple[str, ...] = ()  # values that are decimals, written as the language does


def run_sql(sql: str, params: dict | None = None) -> list[tuple]:
    """Execute; without parameters a string may hold several statements."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _plain(value) -> str | int:
    """A value as a message and a job's JSON keep it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return value if isinstance(value, int | str) else str(value)


def report_rows(report: Report, check: Check, params: dict | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(check.sql, params)
        names = [column.name for column in cur.description[3:]]
        for line, gml_id, object_id, *values in cur.fetchall():
            report.add(check.message, params=dict(zip(names, map(_plain, values), strict=True)),
                       translate=check.translate, numbers=check.numbers, code=check.code,
                       severity=check.severity,
                       line=line, gml_id=gml_id or "", object_id=object_id or "",
                       kind=check.kind)


def current(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"{prefix}version_end IS NULL AND {prefix}object_end IS NULL"


_DRAWN_M2 = (f"CASE WHEN ST_SRID(geom_in) IN ({', '.join(map(str, sorted(CADASTRE_SRIDS)))}) "
             f"THEN ST_Area(geom_in) ELSE ST_Area(geom) END")


# The object's identity: its IIP identifier where the file gives one, else its business id.
HAS_IIP = "coalesce(ns, '') <> '' AND coalesce(local_id, '') <> ''"


def object_key(ident: str, alias: str = "") -> str:
    """SQL naming a staged row's object: `iip:<namespace>:<local id>`, else `id:<business id>`."""
    a = f"{alias}." if alias else ""
    return (f"CASE WHEN coalesce({a}ns, '') <> '' AND coalesce({a}local_id, '') <> '' "
            f"THEN 'iip:' || {a}ns || ':' || {a}local_id ELSE 'id:' || {a}{ident} END")


def _duplicates(kind: str, ident: str, where: str, partition: str = "") -> str:
    """Every current row whose `partition` (default: `ident`) another current row shares."""
    return (f"SELECT line, gml_id, {ident}, n FROM (SELECT line, gml_id, {ident}, "
            f"count(*) OVER (PARTITION BY {partition or ident}) AS n FROM stg_{kind} "
            f"WHERE {current()} AND {where}) d WHERE n > 1")


def _identity_checks(kind: str, ident: str, strict: bool) -> list[Check]:
    """Duplicates among current objects: of the IIP identifier (the object twice: refused),
    of the business id without one (refused), of the business id of objects with distinct
    IIP identifiers (imported; the county's data-quality finding, refused under --strict)."""
    return [
        Check(kind, "duplicate_object", ERROR,
              N_("the IIP identifier appears %(n)s times as a current version"),
              _duplicates(kind, ident, HAS_IIP, partition="ns, local_id")),
        Check(kind, f"duplicate_{kind}", ERROR,
              N_("the id appears %(n)s times as a current version (no end date)"),
              _duplicates(kind, ident, f"NOT ({HAS_IIP})")),
        Check(kind, f"duplicate_{kind}_id", ERROR if strict else WARNING,
              N_("the id appears %(n)s times as a current version, each a distinct object "
                 "(IIP identifier)") if strict else
              N_("the id appears %(n)s times as a current version, each a distinct object "
                 "(IIP identifier); imported, to be corrected by the county"),
              _duplicates(kind, ident, HAS_IIP)),
    ]


# The registered area was computed in the file's CRS (a PL-2000 zone or PL-1992): compare
# with the area there; in any other CRS, with the area in EPSG:2180. Current versions
# only: an archived version's area is history, not something to correct.
_TOLERANCE_M2 = (f"greatest(coalesce(accuracy_ha * 10000, {AREA_TOLERANCE_RELATIVE} * area_ha "
                 f"* 10000 + {AREA_TOLERANCE_SQRT_M} * sqrt(area_ha * 10000)), "
                 f"{AREA_ROUNDING_M2})")


def record_checks(strict: bool = False) -> list[Check]:
    """Duplicates and areas: whole-file questions a streaming reader cannot answer."""
    return [
        *_identity_checks("parcel", "parcel_id", strict),
        Check("parcel", "duplicate_gml_id", ERROR, N_("gml:id used by %(n)s parcels"),
              "SELECT line, gml_id, parcel_id, n FROM (SELECT line, gml_id, parcel_id, "
              "count(*) OVER (PARTITION BY gml_id) AS n FROM stg_parcel) d WHERE n > 1"),
        *_identity_checks("building", "building_id", strict),
        Check("register_unit", "duplicate_register_unit", ERROR,
              N_("the id appears %(n)s times as a current version (no end date)"),
              _duplicates("register_unit", "register_id", "true")),
        Check("parcel", "area_mismatch", WARNING,
              N_("%(drawn)s ha drawn, %(registered)s ha registered: the difference of "
                 "%(difference)s m² exceeds the tolerance of %(tolerance)s m² (the accuracy "
                 "the file states, or where it states none, 0.0001·P + 0.2·√P m²)"),
              f"SELECT line, gml_id, parcel_id, "
              f"round(({_DRAWN_M2} / 10000)::numeric, 4) AS drawn, area_ha AS registered, "
              f"round(abs({_DRAWN_M2} - area_ha * 10000)::numeric, 1) AS difference, "
              f"round(({_TOLERANCE_M2})::numeric, 1) AS tolerance FROM stg_parcel "
              f"WHERE {current()} AND geom IS NOT NULL AND area_ha IS NOT NULL "
              f"AND abs({_DRAWN_M2} - area_ha * 10000) > {_TOLERANCE_M2}",
              numbers=("drawn", "registered", "difference", "tolerance")),
        Check("share", "bad_share", WARNING,
              N_("share %(share)s is not a proper fraction; the share is not imported"),
              "SELECT line, gml_id, '', coalesce(numerator::text, '?') || '/' || "
              "coalesce(denominator::text, '?') AS share FROM stg_share WHERE version_end IS NULL "
              "AND NOT coalesce(numerator BETWEEN 1 AND denominator, false)"),
    ]


def ownership_checks() -> list[Check]:
    return [
        Check("share", "unsupported_right", WARNING,
              N_("the right “%(right_code)s” (rodzajPrawa) is not one the model holds; "
                 "the share is not imported"),
              "SELECT line, gml_id, '', right_code FROM stg_share "
              "WHERE version_end IS NULL "
              "AND coalesce(right_code, '') <> ALL(%(right_codes)s::text[])"),
        Check("share", "unsupported_owner", WARNING,
              N_("the share is held by a group subject (podmiot grupowy), which the model "
                 "does not hold; the share is not imported"),
              "SELECT s.line, s.gml_id, '' FROM stg_share s JOIN stg_key k "
              "ON k.key = s.subject_ref AND k.kind = 'subject' JOIN stg_subject g "
              "ON left(coalesce(nullif(g.local_id, ''), g.gml_id), 100) = k.target "
              "AND g.kind = 'group' WHERE s.version_end IS NULL"),
    ]


def run_record_checks(report: Report, *, strict: bool = False) -> None:
    for check in record_checks(strict):
        report_rows(report, check)


def run_ownership_checks(report: Report, right_codes: list[str]) -> None:
    for check in ownership_checks():
        report_rows(report, check, {"right_codes": right_codes})


