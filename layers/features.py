"""/wfs (WFS 2.0) and /ogcapi/ (OGC API - Features) for the registry's FEATURE_LAYERS,
behind the one access policy.

The WFS is MapServer 8's own, on the generated mapfile (capabilities, DescribeFeatureType,
GetFeature with BBOX, filters and paging, GML 3.2 and GeoJSON). The OGC API's JSON side
(landing page, conformance, collections, queryables, items in any offered CRS with CQL2
filters: Parts 1, 2 and 3) is answered from PostGIS by layers.ogcapi: MapServer 8.0 knows
Part 1 only. Its HTML pages and OpenAPI document stay MapServer's. This module decides,
per request and from `layer_scope`:

- a feature type or collection the user may not see is missing from the capabilities and
  from /collections, and asking for it directly is answered 401 (not logged in) or 403;
- a restricted one the user may see yields the features of the user's units only: the
  queryset is limited to them (OGC API), or the view sets the mapfile's runtime
  substitution `units` itself, dropping any a client sent (WFS, OGC API HTML).
"""
import json
import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from lxml import etree

from core.authentication import WWW_AUTHENTICATE
from core.errors import GeoPortalError, InvalidInput, NotFound, ServiceUnavailable

from .access import LayerScope, layer_scope, layer_scope_named
from .mapproxy_config import publication
from .mapserver import ALL_UNITS, OGCAPI_PLACEHOLDER
from .mapserver_pool import mapserver_call
from .ogc import EXCEPTION_STATUS
from .ogcapi import documents, items
from .ogcapi.collections import COLLECTIONS, collection_named
from .ogcapi.crs import crs_param
from .registry import FEATURE_LAYERS

MAP_KEY = "geo_portal"  # MAPS in the generated mapserver.conf
TIMEOUT_S = 60
TYPE_PREFIX = "ms:"  # MapServer's namespace prefix for feature type names
_NS = {"wfs": "http://www.opengis.net/wfs/2.0"}
_TYPENAME_PARAMS = ("typenames", "typename")
_DROPPED = {"units", "map"}  # set by this view only


MAX_FEATURES = 10_000  # wfs_maxfeatures in the mapfile: also the OGC API's largest limit
_PAGE, _START = (1, MAX_FEATURES), (0, 10**9)
_EXCEPTION_CODE = re.compile(rb'exceptionCode="([A-Za-z]+)"')
_NUMBER = r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"
_BOX = re.compile(rf"^{_NUMBER}(,{_NUMBER}){{3}}((,{_NUMBER}){{2}})?(,[^,]+)?$")


def _whole(raw: str, name: str, low: int, high: int) -> None:
    if not (raw.isdigit() and low <= int(raw) <= high):
        raise InvalidInput(detail={name: raw, "allowed": f"{low}..{high}"})


def _checked(params: dict[str, str], *, wholes: dict[str, tuple[int, int]], box: str) -> None:
    """MapServer reads a malformed number or box as absent (all features, from the first):
    refused here instead, naming the parameter."""
    lowered = {k.lower(): v.strip() for k, v in params.items()}
    for name, (low, high) in wholes.items():
        if name in lowered:
            _whole(lowered[name], name, low, high)
    if box in lowered and not _BOX.match(lowered[box].replace(" ", "")):
        raise InvalidInput(detail={box: lowered[box][:100],
                                   "expected": "minx,miny,maxx,maxy[,crs]"})


def _scope(user, name: str) -> LayerScope | None:
    name = name.removeprefix(TYPE_PREFIX)
    return layer_scope_named(user, name) if name in FEATURE_LAYERS else None


def _units_value(scopes: list[LayerScope]) -> str:
    """The units whose features the asked layers may show: all, or the ids every restricted
    one allows (their intersection: one request, one substitution)."""
    limited = [scope.unit_ids for scope in scopes if scope.unit_ids is not None]
    if not limited:
        return ALL_UNITS
    units = frozenset.intersection(*limited)
    return ",".join(str(u) for u in sorted(units)) or "0"


def _refused(scopes: list[LayerScope]) -> GeoPortalError | None:
    return next((scope.refusal() for scope in scopes if not scope.allowed), None)


# --- WFS 2.0 ------------------------------------------------------------------------------

@require_GET
def wfs(request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if k.lower() not in _DROPPED}
    lowered = {k.lower(): v for k, v in params.items()}
    names = [n.strip() for key in _TYPENAME_PARAMS
             for n in lowered.get(key, "").replace("(", "").replace(")", "").split(",")
             if n.strip()]
    scopes = [scope for scope in (_scope(request.user, n) for n in names) if scope]
    refusal = _refused(scopes)
    if refusal is not None:
        return _ows_exception(refusal)
    try:
        _checked(params, wholes={"count": _PAGE, "maxfeatures": _PAGE, "startindex": _START},
                 box="bbox")
    except InvalidInput as error:
        return _ows_exception(error, code="InvalidParameterValue")
    params["units"] = _units_value(scopes)
    try:
        status, headers, body = _mapserv(request, query=urlencode(params), path_info="",
                                         script="/wfs")
    except GeoPortalError as error:
        return _ows_exception(error)
    if lowered.get("request", "").lower() == "getcapabilities" and status == 200:
        body = _capabilities_for(request.user, body)
    return _response(_wfs_status(status, body), headers, body)


def _wfs_status(status: int, body: bytes) -> int:
    """MapServer sends its exception reports with 200; OWS Common gives them 400 (501 for
    what the service does not offer), and 502 when the database behind it failed."""
    if status != 200 or b"ExceptionReport" not in body[:600]:
        return status
    if b"Query error" in body or b"Error executing" in body:
        return 502
    found = _EXCEPTION_CODE.search(body[:2000])
    return EXCEPTION_STATUS.get(found.group(1).decode(), 400) if found else 400


def _capabilities_for(user, body: bytes) -> bytes:
    """The WFS capabilities less the feature types `user` may not see."""
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError:
        return body
    for feature_type in root.iterfind(".//wfs:FeatureTypeList/wfs:FeatureType", _NS):
        name = feature_type.findtext("wfs:Name", default="", namespaces=_NS)
        scope = _scope(user, name)
        if scope is not None and not scope.allowed:
            feature_type.getparent().remove(feature_type)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _ows_exception(error: GeoPortalError, code: str = "OperationProcessingFailed"
                   ) -> HttpResponse:
    report = etree.Element("{http://www.opengis.net/ows/1.1}ExceptionReport",
                           nsmap={"ows": "http://www.opengis.net/ows/1.1"}, version="2.0.0")
    exception = etree.SubElement(report, "{http://www.opengis.net/ows/1.1}Exception",
                                 exceptionCode=code)
    text = str(error.message) + (f" {error.detail}" if error.status == 400 else "")
    etree.SubElement(exception, "{http://www.opengis.net/ows/1.1}ExceptionText").text = text
    response = HttpResponse(etree.tostring(report, xml_declaration=True, encoding="UTF-8"),
                            status=error.status, content_type="application/xml")
    return _challenge(response)


# --- OGC API - Features -------------------------------------------------------------------

# Parameters of the items of a collection besides its queryables (each `name=value`).
# `datetime` is accepted and ignored: no collection has a temporal geometry to match.
ITEMS_PARAMS = {"f", "limit", "offset", "bbox", "bbox-crs", "crs", "filter", "filter-lang",
                "filter-crs", "datetime"}
# Offered in GeoJSON only: MapServer's HTML pages know Part 1 alone.
_JSON_ONLY_PARAMS = ("crs", "bbox-crs", "filter", "filter-lang", "filter-crs")
_FORMATS = {"json": "json", "geojson": "json", "application/json": "json",
            "application/geo+json": "json", "html": "html", "text/html": "html"}


@require_GET
def ogcapi(request: HttpRequest, path: str = "") -> HttpResponse:
    """The JSON side (every document, the items with CRS and CQL2 filters) from PostGIS;
    the HTML pages and the OpenAPI document from MapServer."""
    parts = [p for p in path.split("/") if p]
    try:
        html = _wants_html(request) and parts[-1:] != ["queryables"]  # a JSON Schema only
        if html or parts[:1] == ["api"]:
            return _ogcapi_mapserver(request, parts)
        response = _ogcapi_json(request, parts)
    except GeoPortalError as error:
        return _json_error(error)
    patch_vary_headers(response, ["Accept"])
    return response


def _wants_html(request: HttpRequest) -> bool:
    asked = request.GET.get("f")
    if asked is not None:
        if asked.lower() not in _FORMATS:
            raise InvalidInput(_("This format is not offered."),
                               detail={"f": asked[:50], "offered": ["json", "html"]})
        return _FORMATS[asked.lower()] == "html"
    accept = request.META.get("HTTP_ACCEPT", "")
    return "text/html" in accept and "json" not in accept


def _ogcapi_json(request: HttpRequest, parts: list[str]) -> HttpResponse:
    root = request.build_absolute_uri(get_script_prefix() + "ogcapi")
    if not parts:
        return _json(documents.landing_document(root))
    if parts == ["conformance"]:
        return _json(documents.conformance_document())
    if parts == ["collections"]:
        return _json(documents.collections_document(root, _open_collections(request.user)))
    if parts[0] != "collections" or len(parts) > 4:
        raise NotFound(detail={"path": "/".join(parts)[:200]})
    collection = collection_named(parts[1])
    if collection is None:
        raise NotFound(detail={"collection": parts[1][:100]})
    scope = layer_scope(request.user, collection.layer).ensure()
    rest = parts[2:]
    if not rest:
        return _json(documents.collection_document(root, collection, scope))
    if rest == ["queryables"]:
        return _json(documents.queryables_document(root, collection),
                     content_type=documents.SCHEMA_JSON)
    if rest[0] != "items":
        raise NotFound(detail={"path": "/".join(parts)[:200]})
    if len(rest) == 2:
        return _item(request, root, collection, scope, rest[1])
    return _items(request, root, collection, scope)


def _items(request: HttpRequest, root: str, collection, scope) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if k.lower() not in _DROPPED}
    unknown = sorted(set(params) - ITEMS_PARAMS - {p.name for p in collection.properties})
    if unknown:
        raise InvalidInput(_("Unknown query parameter."),
                           detail={"parameter": unknown[0], "offered": sorted(ITEMS_PARAMS),
                                   "queryables": [p.name for p in collection.properties]})
    query = items.items_query(params, collection)
    page = items.collection_items(collection=collection, scope=scope, query=query)
    here = f"{root}/collections/{collection.name}/items"
    links = [_page_link(here, params, "self", documents.GEOJSON, _("This page")),
             _plain_link(f"{root}/collections/{collection.name}?f=json", "collection",
                         "application/json", _("The collection"))]
    if query.offset + query.limit < page.matched:
        links.append(_page_link(here, {**params, "offset": query.offset + query.limit},
                                    "next", documents.GEOJSON, _("Next page")))
    if query.offset > 0:
        links.append(_page_link(here, {**params, "offset": max(0, query.offset -
                                                                      query.limit)},
                                    "prev", documents.GEOJSON, _("Previous page")))
    tail = json.dumps({"numberMatched": page.matched, "numberReturned": len(page.features),
                       "timeStamp": timezone.now().isoformat(timespec="seconds"),
                       "links": links}, ensure_ascii=False)
    body = '{"type":"FeatureCollection","features":[' + ",".join(page.features) + "]," + tail[1:]
    return _geojson(body, query.crs)


def _item(request: HttpRequest, root: str, collection, scope, feature_id: str
          ) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if k.lower() not in _DROPPED}
    unknown = sorted(set(params) - {"f", "crs"})
    if unknown:
        raise InvalidInput(_("Unknown query parameter."),
                           detail={"parameter": unknown[0], "offered": ["f", "crs"]})
    crs = crs_param(params.get("crs"), "crs")
    feature = items.collection_item(collection=collection, scope=scope,
                                    feature_id=feature_id, crs=crs)
    here = f"{root}/collections/{collection.name}"
    links = [_page_link(f"{here}/items/{feature_id}", params, "self", documents.GEOJSON,
                            _("This feature")),
             _plain_link(f"{here}?f=json", "collection", "application/json",
                         _("The collection"))]
    return _geojson(feature[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}",
                    crs)


def _page_link(base: str, params: dict, rel: str, media_type: str, title) -> dict:
    query = urlencode({**params, "f": "json"})
    return _plain_link(f"{base}?{query}", rel, media_type, title)


def _plain_link(href: str, rel: str, media_type: str, title) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": str(title)}


def _json(document: dict, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type=content_type)


def _geojson(body: str, crs) -> HttpResponse:
    response = HttpResponse(body, content_type=documents.GEOJSON)
    response["Content-Crs"] = crs.header
    return response


def _ogcapi_mapserver(request: HttpRequest, parts: list[str]) -> HttpResponse:
    """MapServer's HTML pages (Part 1: no CRS but CRS84, no filters) and OpenAPI document.
    The list of collections is ours: MapServer's would name every layer of the mapfile,
    the closed ones too."""
    if parts == ["collections"]:
        return _collections_html(request)
    collection = parts[1] if len(parts) >= 2 and parts[0] == "collections" else None
    scopes = []
    if collection is not None:
        scope = _scope(request.user, collection)
        if scope is None:
            return _json_error(NotFound(detail={"collection": collection}))
        scopes = [scope]
    refusal = _refused(scopes)
    if refusal is not None:
        return _json_error(refusal)
    params = {k: v for k, v in request.GET.items() if k.lower() not in _DROPPED}
    asked = [name for name in _JSON_ONLY_PARAMS if name in params]
    if asked:
        return _json_error(InvalidInput(
            _("Coordinate systems and filters are offered in GeoJSON: add f=json."),
            detail={"parameter": asked[0], "f": "json"}))
    try:
        _checked(params, wholes={"limit": _PAGE, "offset": _START}, box="bbox")
    except InvalidInput as error:
        return _json_error(error)
    params["units"] = _units_value(scopes)
    try:
        status, headers, body = _mapserv(request, query=urlencode(params),
                                         path_info=f"/{MAP_KEY}/ogcapi/{'/'.join(parts)}",
                                         script="")
    except GeoPortalError as error:
        return _json_error(error)
    root = request.build_absolute_uri(get_script_prefix() + "ogcapi")
    body = body.replace(OGCAPI_PLACEHOLDER.encode(), root.encode())
    if parts == ["api"] and status == 200 and body.lstrip().startswith(b"{"):
        visible = [c for c, _scope in _open_collections(request.user)]
        body = json.dumps(documents.openapi_document(json.loads(body), visible),
                          ensure_ascii=False).encode("utf-8")
    return _response(status, headers, body)


def _collections_html(request: HttpRequest) -> HttpResponse:
    root = request.build_absolute_uri(get_script_prefix() + "ogcapi")
    document = documents.collections_document(root, _open_collections(request.user))
    return render(request, "layers/ogcapi_collections.html",
                  {"root": root, "document": document})


def _open_collections(user) -> list[tuple]:
    """The collections the access policy opens to `user`, each with its scope."""
    return [(c, scope) for c in COLLECTIONS.values()
            if (scope := layer_scope(user, c.layer)).allowed]


def _json_error(error: GeoPortalError) -> HttpResponse:
    response = HttpResponse(json.dumps({"code": error.code, "description": str(error.message),
                                        "detail": error.detail}, ensure_ascii=False),
                            status=error.status, content_type="application/json")
    return _challenge(response)


# --- Running mapserv ----------------------------------------------------------------------

def _mapserv(request: HttpRequest, *, query: str, path_info: str, script: str
             ) -> tuple[int, list[tuple[str, str]], bytes]:
    files = publication().files.mapserver
    host, _, port = request.get_host().partition(":")
    env = {
        "QUERY_STRING": query, "PATH_INFO": path_info, "MS_MAPFILE": str(files.mapfile),
        # MapServer writes its own links (capabilities, next pages) from these.
        "SERVER_NAME": host, "SERVER_PORT": port or ("443" if request.is_secure() else "80"),
        "HTTP_HOST": request.get_host(), "SCRIPT_NAME": script,
        "HTTP_ACCEPT": request.META.get("HTTP_ACCEPT", ""),
        "HTTPS": "on" if request.is_secure() else "off",
    }
    answer = mapserver_call(env, config=files.config, working_dir=files.directory,
                            timeout=TIMEOUT_S)
    if not answer.headers:
        raise ServiceUnavailable(detail={"mapserver": answer.stderr[:300].decode(
            "utf-8", "replace")})
    return answer.status, [(k, v) for k, v in answer.headers if k != "status"], answer.body


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status)
    for name, value in headers:
        if name.lower() != "content-length":  # the body may have been rewritten
            response[name] = value
    return response


def _challenge(response: HttpResponse) -> HttpResponse:
    if response.status_code == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response
