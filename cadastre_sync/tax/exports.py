"""Findings exported as CSV (Polish Excel: `;`, decimal comma, UTF-8 with BOM) and XLSX,
both safe from formula injection (core.exports), and as GeoPackage (EPSG:2180, through
ogr2ogr from gdal-bin). No personal data is exported: owners and taxpayers are named only
on the finding's page, to its tax officers."""
import json
import subprocess
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from core.exports import csv_export, xlsx_export

from .models import TaxFinding
from .rules import CATEGORY_NAMES


def _columns() -> list[tuple[str, str]]:
    return [("id", _("finding")), ("category", _("category")),
            ("category_name", _("category name")), ("severity", _("severity")),
            ("status", _("status")), ("parcel_ref", _("parcel id")),
            ("building_ref", _("building id")),
            ("estimate", _("estimated annual tax difference [zł]")),
            ("first_found", _("first found")), ("last_found", _("last found")),
            ("assigned_to", _("assigned to")), ("resolution", _("action taken or reason")),
            ("evidence", _("evidence"))]


def _row(f: TaxFinding) -> dict:
    return {"id": f.pk, "category": f.category,
            "category_name": str(CATEGORY_NAMES.get(f.category, f.category)),
            "severity": f.get_severity_display(), "status": f.get_status_display(),
            "parcel_ref": f.parcel_ref, "building_ref": f.building_ref, "estimate": f.estimate,
            "first_found": f.first_run.created_at.strftime("%Y-%m-%d %H:%M"),
            "last_found": f.last_run.created_at.strftime("%Y-%m-%d %H:%M"),
            "assigned_to": f.assigned_to.get_username() if f.assigned_to else "",
            "resolution": f.resolution,
            "evidence": json.dumps(_without_people(f.evidence), ensure_ascii=False)}


def _without_people(evidence: dict) -> dict:
    """Owner and taxpayer ids are left out: joined with the register they identify people."""
    return {k: v for k, v in evidence.items() if k not in ("owners", "taxpayers", "objects")}


def _rows(findings: Iterable[TaxFinding]) -> Iterable[dict]:
    for finding in findings:
        yield _row(finding)


def _table(findings) -> tuple[list[str], Iterable[list]]:
    columns = _columns()
    return ([title for _key, title in columns],
            ([row[k] for k, _title in columns] for row in _rows(findings)))


def findings_csv(findings) -> bytes:
    return csv_export(*_table(findings))


def findings_xlsx(findings) -> bytes:
    return xlsx_export(_("Findings"), *_table(findings))


def findings_gpkg(findings) -> bytes:
    """GeoPackage of the findings with a geometry, layer `tax_findings`, EPSG:2180."""
    features = []
    for finding in findings:
        if finding.geom is None:
            continue
        props = {k: (float(v) if isinstance(v, Decimal) else v)
                 for k, v in _row(finding).items()}
        features.append({"type": "Feature", "geometry": json.loads(finding.geom.geojson),
                         "properties": props})
    collection = {"type": "FeatureCollection", "features": features,
                  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}}
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "findings.geojson", Path(folder) / "findings.gpkg"
        source.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        subprocess.run(["ogr2ogr", "-f", "GPKG", str(target), str(source), "-a_srs",
                        "EPSG:2180", "-nln", "tax_findings", "-nlt", "MULTIPOLYGON"],
                       check=True, capture_output=True, timeout=600)
        return target.read_bytes()


EXPORTS = {
    "csv": (findings_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (findings_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "gpkg": (findings_gpkg, "application/geopackage+sqlite3", "gpkg"),
}
