"""The OGC API's JSON documents: landing page, conformance, collections, queryables."""
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import AdministrativeUnit

from ..access import LayerScope
from .collections import GEOMETRY, FeatureCollection
from .cql import FILTER_LANGS
from .crs import CRS84, STORAGE_CRS, offered_uris

_FEATURES = "http://www.opengis.net/spec/ogcapi-features-{part}/1.0/conf/{name}"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/{name}"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    *(_FEATURES.format(part=1, name=name) for name in ("core", "oas30", "html", "geojson")),
    _FEATURES.format(part=2, name="crs"),
    *(_FEATURES.format(part=3, name=name) for name in (
        "queryables", "queryables-query-parameters", "filter", "features-filter")),
    *(_CQL2.format(name=name) for name in (
        "cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators",
        "case-insensitive-comparison",
        "basic-spatial-functions", "basic-spatial-functions-plus", "spatial-functions",
        "property-property")),
)
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
# Onshore Poland, where no unit of the scope has a boundary yet.
POLAND_CRS84 = (14.07, 49.0, 24.15, 54.84)


def landing_document(root: str) -> dict:
    return {
        "title": "geo_portal",
        "description": _("Cadastral and planning features of the units hosted here."),
        "links": [
            _link(f"{root}/?f=json", "self", "application/json", _("This document")),
            _link(f"{root}/?f=html", "alternate", "text/html", _("This document as HTML")),
            _link(f"{root}/api?f=json", "service-desc",
                  "application/vnd.oai.openapi+json;version=3.0", _("The API definition")),
            _link(f"{root}/api?f=html", "service-doc", "text/html",
                  _("The API documentation")),
            _link(f"{root}/conformance?f=json", "conformance", "application/json",
                  _("Conformance classes")),
            _link(f"{root}/collections?f=json", "data", "application/json",
                  _("Feature collections")),
        ],
    }


def conformance_document() -> dict:
    return {"conformsTo": list(CONFORMANCE)}


def collections_document(root: str, allowed: list[tuple[FeatureCollection, LayerScope]]
                         ) -> dict:
    extents: dict = {}
    return {
        "links": [_link(f"{root}/collections?f=json", "self", "application/json",
                        _("Feature collections")),
                  _link(f"{root}/collections?f=html", "alternate", "text/html",
                        _("Feature collections as HTML"))],
        "collections": [collection_document(root, collection, scope, extents)
                        for collection, scope in allowed],
    }


def collection_document(root: str, collection: FeatureCollection, scope: LayerScope,
                        extents: dict | None = None) -> dict:
    """`extents` keeps the extents already found (by unit set) for the next collection."""
    extents = {} if extents is None else extents
    if scope.unit_ids not in extents:
        extents[scope.unit_ids] = _extent(scope)
    layer, here = collection.layer, f"{root}/collections/{collection.name}"
    english = (translation.get_language() or "pl").startswith("en")
    return {
        "id": collection.name,
        "title": layer.title_en if english else layer.title_pl,
        "description": layer.abstract_en if english else layer.abstract_pl,
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [list(extents[scope.unit_ids])], "crs": CRS84}},
        "crs": offered_uris(),
        "storageCrs": STORAGE_CRS,
        "links": [
            _link(f"{here}?f=json", "self", "application/json", _("This collection")),
            _link(f"{here}?f=html", "alternate", "text/html", _("This collection as HTML")),
            _link(f"{here}/items?f=json", "items", GEOJSON, _("Features as GeoJSON")),
            _link(f"{here}/items?f=html", "items", "text/html", _("Features as HTML")),
            _link(f"{here}/queryables?f=json", QUERYABLES_REL, SCHEMA_JSON,
                  _("Properties filters may name")),
        ],
    }


def queryables_document(root: str, collection: FeatureCollection) -> dict:
    """The JSON Schema of what a filter on the collection may name: its properties (the
    layer's feature info fields, all of which a user allowed the collection may see) and
    its geometry."""
    titles = {field.name: field.title_pl for field in collection.layer.queryable}
    properties = {GEOMETRY: {"title": _("Geometry"), "x-ogc-role": "primary-geometry",
                             "format": f"geometry-{collection.geometry_type.lower()}"}}
    for prop in collection.properties:
        schema = ({"type": "string", "format": "date"} if prop.type == "date"
                  else {"type": prop.type})
        properties[prop.name] = {"title": titles.get(prop.name, prop.name), **schema}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{root}/collections/{collection.name}/queryables",
        "type": "object",
        "title": collection.layer.title_pl,
        "properties": properties,
        "additionalProperties": False,
        "x-filter-lang": list(FILTER_LANGS),
    }


def _extent(scope: LayerScope) -> tuple[float, float, float, float]:
    """Where the features may lie, in CRS84: the boundaries of the units they come from."""
    units = AdministrativeUnit.objects.filter(boundary__isnull=False)
    if scope.unit_ids is not None:
        units = units.filter(pk__in=sorted(scope.unit_ids))
    found = units.aggregate(box=Extent(Transform("boundary", 4326)))["box"]
    return tuple(round(v, 6) for v in found) if found else POLAND_CRS84


def _link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": str(title)}


def _query_parameter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema}


def _crs_parameter(name: str, description: str) -> dict:
    return _query_parameter(name, description, {"type": "string", "format": "uri",
                                                "enum": offered_uris(), "default": CRS84})


def openapi_document(document: dict, visible: list[FeatureCollection]) -> dict:
    """MapServer's OpenAPI definition with what Parts 2 and 3 add to each collection (crs,
    bbox-crs, the filter parameters, the queryables and their `name=value` parameters),
    and without the collections the user may not see."""
    paths = document.get("paths", {})
    names = {c.name for c in visible}
    for path in [p for p in paths if p.startswith("/collections/")]:
        if path.split("/")[2] not in names:
            del paths[path]
    for collection in visible:
        base = f"/collections/{collection.name}"
        items = paths.get(f"{base}/items", {}).get("get")
        if items is not None:
            items.setdefault("parameters", []).extend([
                _crs_parameter("crs", "The CRS of the coordinates returned."),
                _crs_parameter("bbox-crs", "The CRS of the bbox parameter."),
                _query_parameter("filter", "A CQL2 filter on the queryables.",
                                 {"type": "string"}),
                _query_parameter("filter-lang", "The encoding of the filter.",
                                 {"type": "string", "enum": list(FILTER_LANGS),
                                  "default": FILTER_LANGS[0]}),
                _crs_parameter("filter-crs", "The CRS of the filter's geometries."),
                *(_query_parameter(p.name, f"Features whose {p.name} equals this.",
                                   {"type": "string", "format": "date"} if p.type == "date"
                                   else {"type": p.type}) for p in collection.properties),
            ])
        item = paths.get(f"{base}/items/{{featureId}}", {}).get("get")
        if item is not None:
            item.setdefault("parameters", []).append(
                _crs_parameter("crs", "The CRS of the coordinates returned."))
        paths[f"{base}/queryables"] = {"get": {
            "summary": f"The queryables of {collection.name}",
            "operationId": f"get{collection.name}Queryables", "tags": [collection.name],
            "responses": {"200": {"description": "A JSON Schema of the properties filters "
                                                 "may name.",
                                  "content": {SCHEMA_JSON: {"schema": {"type": "object"}}}}},
        }}
    return document
