"""Set-based checks of the staged rows, in SQL, before anything is merged.

Each check is a query returning the file line, gml:id and object id kept with the
staged row, and a detail; `_report` turns its rows into problems. Geometry checks
live in geometry_checks.py, link resolution in links.py; here are the whole-file
questions a streaming reader cannot answer (duplicates, areas, ownership).
"""
# ruff: noqa: S608 - SQL is built from our own table and column names only; values
# always travel as query parameters.

from dataclasses import dataclass

from django.db import connection

from ..errors import ERROR, WARNING
from .base import Report
from .geometry import CADASTRE_SRIDS
from .values import DEFAULT_AREA_TOLERANCE_HA


@dataclass(frozen=True)
class Check:
    kind: str
    code: str
    severity: str
    message: str  # formatted with the row's object_id and detail
    sql: str  # selects line, gml_id, object_id, detail


def run_sql(sql: str, params: dict | None = None) -> list[tuple]:
    """Execute; without parameters a string may hold several statements."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def report_rows(report: Report, check: Check, params: dict | None = None) -> None:
    for line, gml_id, object_id, detail in run_sql(check.sql, params):
        report.add(check.message.format(object_id=object_id or "", detail=detail or ""),
                   code=check.code, severity=check.severity, line=line, gml_id=gml_id or "",
                   object_id=object_id or "", kind=check.kind)


def current(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"{prefix}version_end IS NULL AND {prefix}object_end IS NULL"


_DRAWN_M2 = (f"CASE WHEN ST_SRID(geom_in) IN ({', '.join(map(str, sorted(CADASTRE_SRIDS)))}) "
             f"THEN ST_Area(geom_in) ELSE ST_Area(geom) END")


def record_checks() -> list[Check]:
    """Duplicates and areas: whole-file questions a streaming reader cannot answer."""
    return [
        Check("parcel", "duplicate_parcel", ERROR,
              "the id appears {detail} times as a current version (no end date)",
              f"SELECT min(line), min(gml_id), parcel_id, count(*) FROM stg_parcel "
              f"WHERE {current()} GROUP BY parcel_id HAVING count(*) > 1"),
        Check("parcel", "duplicate_gml_id", ERROR, "gml:id used by {detail} parcels",
              "SELECT min(line), gml_id, min(parcel_id), count(*) FROM stg_parcel "
              "GROUP BY gml_id HAVING count(*) > 1"),
        Check("building", "duplicate_building", ERROR,
              "the id appears {detail} times as a current version (no end date)",
              f"SELECT min(line), min(gml_id), building_id, count(*) FROM stg_building "
              f"WHERE {current()} GROUP BY building_id HAVING count(*) > 1"),
        Check("register_unit", "duplicate_register_unit", ERROR,
              "the id appears {detail} times as a current version (no end date)",
              f"SELECT min(line), min(gml_id), register_id, count(*) FROM stg_register_unit "
              f"WHERE {current()} GROUP BY register_id HAVING count(*) > 1"),
        # The registered area was computed in the file's CRS (a PL-2000 zone or PL-1992):
        # compare with the area there; in any other CRS, with the area in EPSG:2180.
        Check("parcel", "area_mismatch", WARNING,
              "{detail}: the difference exceeds the accuracy the file states "
              "({default} ha where it states none)".replace(
                  "{default}", str(DEFAULT_AREA_TOLERANCE_HA)),
              f"SELECT line, gml_id, parcel_id, round(({_DRAWN_M2} / 10000)::numeric, 4) "
              f"|| ' ha drawn, ' || area_ha || ' ha registered' FROM stg_parcel "
              f"WHERE geom IS NOT NULL AND area_ha IS NOT NULL AND abs({_DRAWN_M2} / 10000 "
              f"- area_ha) > coalesce(accuracy_ha, {DEFAULT_AREA_TOLERANCE_HA})"),
        Check("share", "bad_share", WARNING,
              "share {detail} is not a proper fraction; the share is not imported",
              "SELECT line, gml_id, '', coalesce(numerator::text, '?') || '/' || "
              "coalesce(denominator::text, '?') FROM stg_share WHERE version_end IS NULL "
              "AND NOT coalesce(numerator BETWEEN 1 AND denominator, false)"),
    ]


def ownership_checks() -> list[Check]:
    return [
        Check("share", "unsupported_right", WARNING,
              "the right “{detail}” (rodzajPrawa) is not one the model holds; "
              "the share is not imported",
              "SELECT line, gml_id, '', right_code FROM stg_share WHERE version_end IS NULL "
              "AND coalesce(right_code, '') <> ALL(%(right_codes)s::text[])"),
        Check("share", "unsupported_owner", WARNING,
              "the share is held by a group subject (podmiot grupowy), which the model does not "
              "hold; the share is not imported",
              "SELECT s.line, s.gml_id, '', '' FROM stg_share s JOIN stg_key k "
              "ON k.key = s.subject_ref AND k.kind = 'subject' JOIN stg_subject g "
              "ON left(coalesce(nullif(g.local_id, ''), g.gml_id), 100) = k.target "
              "AND g.kind = 'group' WHERE s.version_end IS NULL"),
    ]


def run_record_checks(report: Report) -> None:
    for check in record_checks():
        report_rows(report, check)


def run_ownership_checks(report: Report, right_codes: list[str]) -> None:
    for check in ownership_checks():
        report_rows(report, check, {"right_codes": right_codes})


