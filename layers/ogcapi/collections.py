"""How each feature collection reads the database: the rows, the properties and the unit.

The same features as the registry layer of the same name (its SQL draws them on the map
and serves them through the WFS), written as Django querysets so that CQL2 filters
translate into parametrised lookups; tests/test_ogcapi.py checks both give the same rows.
Each property is a queryable: the properties are exactly the layer's feature info fields.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils import timezone

from cadastre_sync.models import Building, Parcel, Precinct

from ..access import LayerScope
from ..models import ZoningPlan, ZoningZone
from ..registry import FEATURE_LAYERS, PublishedLayer, layer_named

GEOMETRY = "geometry"  # the name filters give the geometry (CQL2's examples use it too)


@dataclass(frozen=True)
class Property:
    name: str
    lookup: str  # the Django lookup path (or annotation) holding it
    type: str  # JSON Schema type: string, integer, number; "date" is a string of format date


@dataclass(frozen=True)
class FeatureCollection:
    name: str
    rows: Callable[[], QuerySet]  # built per request: "in force" depends on the date
    properties: tuple[Property, ...]
    unit_lookup: str = "unit_id"
    geometry_type: str = "MultiPolygon"

    @property
    def layer(self) -> PublishedLayer:
        return layer_named(self.name)

    def property_named(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def lookups(self) -> dict[str, str]:
        """Filter names to Django lookups, the geometry's included."""
        return {GEOMETRY: "geom", **{p.name: p.lookup for p in self.properties}}

    def queryset(self, scope: LayerScope) -> QuerySet:
        """The features `scope` may see: all, or those of its units."""
        rows = self.rows()
        if scope.unit_ids is not None:
            rows = rows.filter(**{f"{self.unit_lookup}__in": sorted(scope.unit_ids)})
        return rows


def _s(name: str, lookup: str | None = None) -> Property:
    return Property(name, lookup or name, "string")


def _n(name: str, kind: str = "number") -> Property:
    return Property(name, name, kind)


def _in_force(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})


def _zones(kind: str) -> Callable[[], QuerySet]:
    return lambda: (ZoningZone.objects.filter(_in_force("plan__"), _in_force(), plan__kind=kind)
                    .annotate(status_in_force=Coalesce(NullIf("status", Value("")),
                                                       F("plan__legal_status"))))


def _plans(kind: str) -> Callable[[], QuerySet]:
    return lambda: ZoningPlan.objects.filter(_in_force(), kind=kind, geom__isnull=False)


_ZONE_PROPERTIES = (
    _s("label"), _s("symbol"), _s("designation"), _s("plan_name", "plan__name"),
    _s("status", "status_in_force"), _n("max_intensity"), _n("max_built_up_share"),
    _n("max_height_m"), _n("min_biologically_active_share"))
_PLAN_PROPERTIES = (
    _s("identifier"), _s("name"), _s("legal_status"), _s("resolution_number"),
    Property("valid_from", "valid_from", "date"), Property("valid_to", "valid_to", "date"))

COLLECTIONS: dict[str, FeatureCollection] = {c.name: c for c in (
    FeatureCollection(
        "precincts",
        lambda: Precinct.objects.filter(geom__isnull=False).annotate(
            code=Concat("unit__teryt", Value("."), "number")),
        (_s("code"), _s("name"))),
    FeatureCollection(
        "parcels", lambda: Parcel.objects.filter(retired_at__isnull=True),
        (_n("id", "integer"), _s("parcel_id"), _s("number"), _s("precinct", "precinct__name"),
         _n("registered_area_ha"))),
    FeatureCollection(
        "buildings", lambda: Building.objects.filter(retired_at__isnull=True),
        (_s("building_id"), _s("kst_class"), _n("storeys_above", "integer"),
         _n("storeys_below", "integer"))),
    FeatureCollection("general_zones", _zones("general"), _ZONE_PROPERTIES, "plan__unit_id"),
    FeatureCollection("local_zones", _zones("local"), _ZONE_PROPERTIES, "plan__unit_id"),
    FeatureCollection("general_plans", _plans("general"), _PLAN_PROPERTIES),
    FeatureCollection("local_plans", _plans("local"), _PLAN_PROPERTIES),
)}
assert tuple(COLLECTIONS) == FEATURE_LAYERS, "one collection per feature layer, in order"


def collection_named(name: str) -> FeatureCollection | None:
    return COLLECTIONS.get(name)
