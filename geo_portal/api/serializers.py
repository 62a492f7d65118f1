"""What the parcel API answers: GeoJSON features (RFC 7946) and search hits.

The builders below turn the selectors' typed results into JSON; the serializer classes
describe the same shapes for the OpenAPI schema (drf-spectacular), so the documented
and the real answer come from one place each and a test compares them.
"""
import json
from functools import cache

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, LinearRing, MultiPolygon, Polygon
from django.urls import reverse
from rest_framework import serializers

from cadastre_sync.selectors import ParcelOutline
from geo_portal.parcel_selectors import Hit, ParcelCard

from .params import WGS84

# Coordinates to about a centimetre: 7 decimals of a degree, 2 of a metre.
PRECISION = {WGS84: 7}
METRIC_PRECISION = 2
# GeoJSON before RFC 7946 named a CRS; a client asking for EPSG:2180 gets it named.
CRS_NAME = "urn:ogc:def:crs:EPSG::{}"


def _rounded(coords, digits: int):
    if isinstance(coords[0], (int, float)):
        return [round(c, digits) for c in coords]
    return [_rounded(part, digits) for part in coords]


@cache
def _transformation(source: int, target: int) -> CoordTransform:
    # Building one looks the systems up in PROJ's database (milliseconds): once per pair.
    return CoordTransform(SpatialReference(source), SpatialReference(target))


def _in(geom: GEOSGeometry, srid: int) -> GEOSGeometry:
    return geom if geom.srid == srid else geom.transform(_transformation(geom.srid, srid),
                                                         clone=True)


def _right_hand(geom: GEOSGeometry) -> GEOSGeometry:
    """`geom` with RFC 7946's ring order (section 3.1.6): outer rings counter-clockwise,
    holes clockwise, as ST_ForcePolygonCCW gives the click's answer (parcel_outline_at)."""
    if isinstance(geom, MultiPolygon):
        return MultiPolygon(*(_right_hand(part) for part in geom), srid=geom.srid)
    if isinstance(geom, Polygon):
        outer, *holes = geom
        return Polygon(_turned(outer, ccw=True), *(_turned(h, ccw=False) for h in holes),
                       srid=geom.srid)
    return geom


def _turned(ring: LinearRing, *, ccw: bool) -> LinearRing:
    return ring if ring.is_counterclockwise == ccw else LinearRing(ring.coords[::-1])


def geometry_json(geom: GEOSGeometry, srid: int) -> dict:
    shown = _right_hand(_in(geom, srid))
    digits = PRECISION.get(srid, METRIC_PRECISION)
    return {"type": shown.geom_type, "coordinates": _rounded(shown.coords, digits)}


def bbox(geom: GEOSGeometry, srid: int) -> list[float]:
    """[west, south, east, north] (lon/lat for 4326) of `geom`'s envelope in `srid`."""
    shown = _in(geom.envelope, srid)
    digits = PRECISION.get(srid, METRIC_PRECISION)
    return [round(v, digits) for v in shown.extent]


def parcel_url(parcel_id: str) -> str:
    return reverse("api-parcel-detail", kwargs={"parcel_id": parcel_id})


def parcel_properties(parcel) -> dict:
    return {
        "id": parcel.parcel_id,
        "number": parcel.number,
        "precinct": {"code": f"{parcel.unit.teryt}.{parcel.precinct.number}",
                     "number": parcel.precinct.number,
                     "name": parcel.precinct.name},
        "unit": {"teryt": parcel.unit.teryt, "name": parcel.unit.name},
        "registered_area_ha": str(parcel.registered_area_ha),
        "geometric_area_m2": round(parcel.geom.area, 1),
        "current": parcel.retired_at is None,
        "retired_at": parcel.retired_at.isoformat() if parcel.retired_at else None,
        "url": parcel_url(parcel.parcel_id),
    }


def feature(parcel, properties: dict, srid: int) -> dict:
    answer = {"type": "Feature", "id": parcel.parcel_id, "bbox": bbox(parcel.geom, srid),
              "geometry": geometry_json(parcel.geom, srid), "properties": properties}
    if srid != WGS84:
        answer["crs"] = {"type": "name", "properties": {"name": CRS_NAME.format(srid)}}
    return answer


def outline_feature(outline: ParcelOutline) -> dict:
    """A click's answer: the same feature as `feature`, built from one SQL row."""
    answer = {
        "type": "Feature", "id": outline.parcel_id, "bbox": list(outline.bbox),
        "geometry": json.loads(outline.geometry_json),
        "properties": {
            "id": outline.parcel_id,
            "number": outline.number,
            "precinct": {"code": f"{outline.teryt}.{outline.precinct_number}",
                         "number": outline.precinct_number, "name": outline.precinct_name},
            "unit": {"teryt": outline.teryt, "name": outline.unit_name},
            "registered_area_ha": str(outline.registered_area_ha),
            "geometric_area_m2": round(outline.area_m2, 1),
            "current": True,
            "retired_at": None,
            "url": parcel_url(outline.parcel_id),
        },
    }
    if outline.srid != WGS84:
        answer["crs"] = {"type": "name", "properties": {"name": CRS_NAME.format(outline.srid)}}
    return answer


def digits_for(srid: int) -> int:
    return PRECISION.get(srid, METRIC_PRECISION)


def card_properties(card: ParcelCard) -> dict:
    return {
        **parcel_properties(card.parcel),
        "land_use": [{"ofu": row.ofu, "name": row.name, "ozu": row.ozu, "ozk": row.ozk,
                      "area_ha": str(row.area_ha)} for row in card.land_use],
        "buildings": [{"id": b.building_id, "kst_class": b.kst_class, "name": b.name,
                       "storeys_above": b.storeys_above, "storeys_below": b.storeys_below,
                       "built_up_area_m2": str(b.built_up_area_m2)
                       if b.built_up_area_m2 is not None else None} for b in card.buildings],
        "addresses": card.addresses,
        "zoning": [_zone(z) for z in card.zoning],
        "actions": [{"code": a.code, "title": a.title, "url": a.url} for a in card.actions],
    }


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def _zone(z) -> dict:
    p = z.parameters
    return {
        "plan": {"identifier": z.plan.identifier, "name": z.plan.name, "kind": z.plan.kind},
        "label": z.label, "symbol": z.symbol, "designation": z.designation,
        "share": round(z.share, 4), "area_m2": round(z.area_m2, 1),
        "parameters": {
            "max_intensity": _decimal(p.max_intensity),
            "max_built_up_share": _decimal(p.max_built_up_share),
            "max_height_m": _decimal(p.max_height_m),
            "min_biologically_active_share": _decimal(p.min_biologically_active_share),
        },
    }


def hit_json(hit: Hit, srid: int) -> dict:
    return {"kind": hit.kind, "label": hit.label, "parcel_id": hit.parcel_id,
            "precinct": hit.precinct_code, "precinct_name": hit.precinct_name,
            "bbox": bbox(hit.envelope, srid),
            "url": parcel_url(hit.parcel_id) if hit.parcel_id else None}


# --- The same shapes for the OpenAPI schema ---------------------------------------------

class _Precinct(serializers.Serializer):
    code = serializers.CharField(help_text="TERYT.obręb, e.g. 026101_1.0001")
    number = serializers.CharField()
    name = serializers.CharField()


class _Unit(serializers.Serializer):
    teryt = serializers.CharField()
    name = serializers.CharField()


class ParcelPropertiesSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="idDzialki, e.g. 026101_1.0001.123/4")
    number = serializers.CharField()
    precinct = _Precinct()
    unit = _Unit()
    registered_area_ha = serializers.DecimalField(max_digits=12, decimal_places=4,
                                                  coerce_to_string=True)
    geometric_area_m2 = serializers.FloatField()
    current = serializers.BooleanField()
    retired_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="This parcel's card in the API.")


class _Geometry(serializers.Serializer):
    type = serializers.CharField(help_text="MultiPolygon")
    coordinates = serializers.JSONField(
        help_text="lon/lat (WGS84) by default; x/y in metres with srid=2180 or 3857.")


class _Feature(serializers.Serializer):
    type = serializers.CharField(help_text="Feature")
    id = serializers.CharField()
    bbox = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)
    geometry = _Geometry()
    crs = serializers.JSONField(required=False,
                                help_text="Only for srid other than 4326: the EPSG code.")


class ParcelFeatureSerializer(_Feature):
    properties = ParcelPropertiesSerializer()


class _LandUse(serializers.Serializer):
    ofu = serializers.CharField()
    name = serializers.CharField()
    ozu = serializers.CharField()
    ozk = serializers.CharField()
    area_ha = serializers.DecimalField(max_digits=12, decimal_places=4)


class _Building(serializers.Serializer):
    id = serializers.CharField()
    kst_class = serializers.CharField()
    name = serializers.CharField()
    storeys_above = serializers.IntegerField()
    storeys_below = serializers.IntegerField()
    built_up_area_m2 = serializers.DecimalField(max_digits=10, decimal_places=2,
                                                allow_null=True)


class _Plan(serializers.Serializer):
    identifier = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["general", "local"])


class _ZoneParameters(serializers.Serializer):
    max_intensity = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    max_built_up_share = serializers.DecimalField(max_digits=5, decimal_places=1,
                                                  allow_null=True)
    max_height_m = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    min_biologically_active_share = serializers.DecimalField(max_digits=5, decimal_places=1,
                                                             allow_null=True)


class _Zone(serializers.Serializer):
    plan = _Plan()
    label = serializers.CharField()
    symbol = serializers.CharField()
    designation = serializers.CharField()
    share = serializers.FloatField(help_text="Share of the parcel's area, 0 to 1.")
    area_m2 = serializers.FloatField()
    parameters = _ZoneParameters()


class _Action(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The application form with the parcel filled in.")


class ParcelCardPropertiesSerializer(ParcelPropertiesSerializer):
    land_use = _LandUse(many=True)
    buildings = _Building(many=True)
    addresses = serializers.ListField(child=serializers.CharField())
    zoning = _Zone(many=True)
    actions = _Action(many=True)


class ParcelCardSerializer(_Feature):
    properties = ParcelCardPropertiesSerializer()


class _Hit(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["parcel", "precinct", "address"])
    label = serializers.CharField()
    parcel_id = serializers.CharField(allow_null=True)
    precinct = serializers.CharField(allow_null=True, help_text="TERYT.obręb")
    precinct_name = serializers.CharField(allow_null=True)
    bbox = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)
    url = serializers.CharField(allow_null=True)


class SearchAnswerSerializer(serializers.Serializer):
    query = serializers.CharField()
    srid = serializers.IntegerField()
    results = _Hit(many=True)
    suggestions = _Hit(many=True, help_text="Near misses when nothing matched exactly.")
    message = serializers.CharField(help_text="Why nothing was found, for the resident.")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.JSONField()


class ActionsSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.CharField())
    actions = _Action(many=True)
