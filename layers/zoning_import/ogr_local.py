"""Local plans (MPZP) from any file OGR reads: GeoPackage, Shapefile, GeoJSON, GML, ...

Plans are drawn as designated areas, one feature each; which field holds what is
given by a mapping (`symbol=PRZEZN,plan_name=NAZWA_PLANU,...`). A target that is not
mapped is taken from a field of the same name when the layer has one. Features are
grouped into plans by plan name and resolution number; a plan's boundary is the
union of its areas.
"""
from datetime import date, datetime
from pathlib import Path

from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    OGRGeomType,
    SpatialReference,
)

from .checks import PARAMETERS
from .parsed import ParsedPlan, ParsedZone, ReadResult
from .problems import zoning_problem

SRID = 2180
# What a mapping may fill, with whether a plan cannot do without it.
TARGETS = {
    "symbol": True, "label": False, "designation": False, "provisions": False,
    "plan_name": False, "resolution_number": False, "resolution_date": False,
    "text_url": False, "local_id": False, "valid_from": False,
    **{p.field: False for p in PARAMETERS},
}
_POLYGONS = {OGRGeomType("Polygon").num, OGRGeomType("MultiPolygon").num}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y")


def read_local_plans(paths: list[Path], mapping: dict[str, str]) -> ReadResult:
    result = ReadResult()
    plans: dict[tuple[str, str], ParsedPlan] = {}
    for path in paths:
        try:
            source = DataSource(str(path))
        except GDALException as exc:
            result.problems.append(zoning_problem("unreadable_file", file=path.name,
                                           detail={"reason": str(exc)}))
            continue
        counts = [_read_layer(path, layer, mapping, plans, result.problems) for layer in source]
        if not any(counts) and None not in counts:
            result.problems.append(zoning_problem("no_features", file=path.name,
                                           detail={"expected": "poligony terenów planu"}))
    result.plans.extend(plans.values())
    return result


def _read_layer(path: Path, layer, mapping: dict, plans: dict, problems: list) -> int | None:
    """The number of features read; None when the layer was refused (problems say why)."""
    fields = _fields(path, layer, mapping, problems)
    if fields is None:
        return None
    if layer.srs is None:
        problems.append(zoning_problem("unsupported_srs", file=path.name,
                                detail={"srs": f"(warstwa {layer.name} bez układu)"}))
        return None
    to_2180 = CoordTransform(layer.srs, SpatialReference(SRID))
    count = 0
    for feature in layer:
        values = {target: _value(feature, source) for target, source in fields.items()}
        zone = _zone(path, feature, values, to_2180, problems)
        plan = _plan(path, values, plans, problems, zone)
        plan.zones.append(zone)
        count += 1
    return count


def _fields(path: Path, layer, mapping: dict, problems: list) -> dict[str, str] | None:
    """target -> source field of this layer; None (with problems) when one is missing."""
    by_lower = {name.lower(): name for name in layer.fields}
    fields, ok = {}, True
    for target, required in TARGETS.items():
        source = mapping.get(target) or by_lower.get(target)
        if source is None:
            if required:
                problems.append(zoning_problem("missing_field", file=path.name,
                                        detail={"field": f"{target} (--map {target}=POLE)"}))
                ok = False
            continue
        if source not in layer.fields:
            problems.append(zoning_problem("unknown_source_field", file=path.name, detail={
                "source": source, "layer": layer.name, "fields": ", ".join(layer.fields)}))
            ok = False
            continue
        fields[target] = source
    return fields if ok else None


def _value(feature, source: str):
    value = feature.get(source)
    return value.strip() if isinstance(value, str) else value


def _zone(path: Path, feature, values: dict, to_2180, problems: list) -> ParsedZone:
    local_id = _text(values.get("local_id")) or str(feature.fid)
    symbol = _text(values.get("symbol"))
    zone = ParsedZone(
        local_id=local_id, label=_text(values.get("label")) or symbol, symbol=symbol,
        file=path.name, line=None, designation=_text(values.get("designation")),
        provisions=_text(values.get("provisions")),
        valid_from=_date(path, "valid_from", values.get("valid_from"), problems, local_id),
        parameters={p.field: [_text(values[p.field])] for p in PARAMETERS
                    if values.get(p.field) not in (None, "")},
    )
    if not symbol:
        problems.append(zoning_problem("missing_field", file=path.name, zones=(local_id,),
                                detail={"field": "symbol"}))
    geometry = feature.geom
    if geometry is None or geometry.empty:
        problems.append(zoning_problem("missing_geometry", file=path.name, zones=(local_id,)))
        return zone
    geometry.set_3d(False)  # heights are not part of a plan
    if geometry.geom_type.num not in _POLYGONS:
        problems.append(zoning_problem("unsupported_geometry", file=path.name, zones=(local_id,),
                                detail={"type": geometry.geom_type.name}))
        return zone
    geometry.transform(to_2180)
    zone.geometry, zone.srid = bytes(geometry.wkb), SRID
    return zone


def _plan(path: Path, values: dict, plans: dict, problems: list, zone) -> ParsedPlan:
    name = _text(values.get("plan_name")) or path.stem
    number = _text(values.get("resolution_number"))
    plan = plans.get((name, number))
    if plan is None:
        plan = plans[(name, number)] = ParsedPlan(
            identifier=(f"MPZP {number}" if number else name)[:120], name=name[:300],
            kind="local", file=path.name, line=None, resolution_number=number[:60],
            resolution_date=_date(path, "resolution_date", values.get("resolution_date"),
                                  problems, zone.local_id),
            text_url=_text(values.get("text_url")), valid_from=zone.valid_from,
        )
    return plan


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(path: Path, target: str, value, problems: list, local_id: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(str(value), pattern).date()
        except ValueError:
            continue
    problems.append(zoning_problem("bad_value", file=path.name, zones=(local_id,), detail={
        "field": target, "value": value, "reason": "oczekiwano daty (RRRR-MM-DD lub DD.MM.RRRR)"}))
    return None
