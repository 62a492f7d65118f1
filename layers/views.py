"""/mapproxy/ (MapProxy's WMS, WMTS, TMS) and /tiles/ (vector tiles) behind Django.

The MapProxy view only hands the request to the MapProxy WSGI app of the current
database and hands its answer back. Access is decided per layer by
`layers.access.layer_scope`, the one policy, and enforced by MapProxy itself through
its authorisation hook (`mapproxy.authorize` in the WSGI environ): a refused layer
is missing from every capabilities document, and its maps, legends, tiles and
feature info answer 401 to an anonymous client and 403 to a user without the right.
A restricted layer a user may see is limited to the boundaries of that user's units.
"""
import gzip
import io
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from core.authentication import WWW_AUTHENTICATE
from core.errors import Forbidden, GeoPortalError, NotFound

from .access import LayerScope, layer_scope_named, units_boundary, units_reach
from .mapproxy_config import publication
from .mapserver import SRID
from .ogc import (
    OgcRefusal,
    empty_info,
    mapserver_failed,
    ogc_refusal,
    ogc_status,
    protocol_of,
    query_layers_in_scale,
)
from .vector_tiles import (
    GRIDS,
    VectorTile,
    tilejson,
    vector_layer_named,
    vector_tile_check,
    vector_tile_render,
)

logger = logging.getLogger(__name__)
MOUNT = "/mapproxy"
# What MapProxy may do with a permitted layer, across WMS, WMTS and TMS.
_PERMITTED = {"map": True, "featureinfo": True, "legendgraphic": True, "tile": True}
# Hop-by-hop headers belong to one connection; the server in front sets its own.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade"}
# MapProxy asks about every layer when it writes capabilities: those never answer 401.
_CAPABILITIES = {"wms.capabilities"}
_TILE_SERVICES = {"wmts", "tms"}
MVT_TYPE = "application/vnd.mapbox-vector-tile"
PUBLIC_MAX_AGE = 3600  # as MapProxy's tiles (expires_hours in mapproxy/base.yaml)
PRIVATE_MAX_AGE = 300
GZIP_FROM = 1024  # bytes; smaller tiles gain less than the header costs


class _Authorizer:
    """MapProxy's authorisation callback for one request of `user`.

    Remembers whether it let a restricted layer through, so that the answer is marked
    private (a shared proxy must not hand a clipped tile to someone else).
    """

    def __init__(self, user) -> None:
        self.user = user
        self.restricted_served = False
        self._scopes: dict[str, LayerScope | None] = {}
        self._limits: dict[frozenset[int], str | None] = {}

    def scope(self, name: str) -> LayerScope | None:
        if name not in self._scopes:
            self._scopes[name] = layer_scope_named(self.user, name)
        return self._scopes[name]

    def __call__(self, service: str, layers: list, environ=None, query_extent=None,
                 **kwargs) -> dict:
        # WMTS and TMS ask about every layer, without an extent, for their capabilities.
        listing = service in _CAPABILITIES or (service in _TILE_SERVICES and query_extent is None
                                               and len(layers) > 1)
        permitted, refused_anonymous = {}, False
        for item in layers:
            # TMS names a tile layer by (layer, grid).
            scope = self.scope(item[0] if isinstance(item, tuple) else item)
            permission = self._permission(scope, query_extent)
            if permission is not None:
                permitted[item] = permission
            elif scope is not None and not scope.authenticated:
                refused_anonymous = True
        if refused_anonymous and not listing:
            return {"authorized": "unauthenticated"}
        if len(permitted) == len(layers) and all("limited_to" not in p
                                                 for p in permitted.values()):
            return {"authorized": "full"}
        return {"authorized": "partial", "layers": permitted}

    def _permission(self, scope: LayerScope | None, query_extent=None) -> dict | None:
        if scope is None or not scope.allowed:
            return None
        if scope.unit_ids is None:
            if scope.restricted:
                self.restricted_served = True
            return _PERMITTED
        limit = self._limit(scope.unit_ids)
        if limit is None:
            return None
        # A map, tile or feature info wholly over other units' land: refused, not blank.
        if query_extent is not None and not units_reach(scope.unit_ids, query_extent[1],
                                                        query_extent[0]):
            return None
        self.restricted_served = True
        return {**_PERMITTED, "limited_to": {"geometry": limit, "srs": f"EPSG:{SRID}"}}

    def _limit(self, unit_ids: frozenset[int]) -> str | None:
        if unit_ids not in self._limits:
            self._limits[unit_ids] = units_boundary(unit_ids)
        return self._limits[unit_ids]


def mapproxy_authorizer(user) -> Callable[..., dict]:
    """MapProxy's authorisation callback for `user`, answering from `layer_scope`."""
    return _Authorizer(user)


@csrf_exempt
def mapproxy(request: HttpRequest, path: str = "") -> HttpResponse:
    params = {key.upper(): value for key, value in request.GET.items()}
    refusal = ogc_refusal("/" + path, params)
    if refusal is not None:
        return _ogc_response(*refusal.render())
    environ = dict(request.META)
    environ["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "") + MOUNT
    environ["PATH_INFO"] = "/" + path
    # Django may already have read the body; MapProxy gets its own copy.
    environ["wsgi.input"] = io.BytesIO(_body(request))
    # MapProxy logs its tracebacks to wsgi.errors, which must take text.
    environ["wsgi.errors"] = _LogStream()
    feature_info = params.get("REQUEST", "").lower() == "getfeatureinfo" and (
        params.get("SERVICE", "WMS").upper() == "WMS")
    if feature_info:
        kept = query_layers_in_scale(params, protocol_of(params))
        if not kept:
            return _ogc_response(200, *empty_info(params.get("INFO_FORMAT", "text/plain")))
        environ["QUERY_STRING"] = _with_query_layers(request, kept)
    legend = _legend_scope(request)
    if legend is not None and not legend.allowed:
        return _error_response(legend.refusal())
    authorizer = _Authorizer(request.user)
    authorizer.restricted_served = legend is not None and legend.restricted
    environ["mapproxy.authorize"] = authorizer
    response = _wsgi_response(publication().app, environ)
    response.status_code = ogc_status(response.status_code, response.get("Content-Type", ""),
                                      response.content)
    if feature_info and response.status_code == 200:
        response = _feature_info_checked(response, params)
    if response.status_code == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    if authorizer.restricted_served:
        response["Cache-Control"] = f"private, max-age={PRIVATE_MAX_AGE}"
        response["Vary"] = "Cookie, Authorization"
    return response


class _LogStream:
    """A text stream for wsgi.errors that hands what MapProxy writes to our log."""

    def write(self, text: str) -> None:
        if text.strip():
            logger.error("mapproxy: %s", text.rstrip())

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RawPostDataException:  # a multipart form already parsed: MapProxy reads none
        return b""


def _with_query_layers(request: HttpRequest, names: list[str]) -> str:
    query = request.GET.copy()
    for key in list(query):
        if key.upper() == "QUERY_LAYERS":
            query[key] = ",".join(names)
    return query.urlencode()


def _ogc_response(status: int, content_type: str, body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = "no-cache"
    return response


def _feature_info_checked(response: HttpResponse, params: dict[str, str]) -> HttpResponse:
    """MapProxy's feature info, with nothing found said in the asked format and MapServer's
    error text turned into an exception instead of passing as an answer."""
    info_format = params.get("INFO_FORMAT", "text/plain")
    if not response.content.strip():
        return _ogc_response(200, *empty_info(info_format))
    if mapserver_failed(response.content) and "se_xml" not in response.get("Content-Type", ""):
        logger.error("MapServer failed a feature info: %s", response.content[:400])
        refusal = OgcRefusal(protocol_of(params), "The map renderer could not answer.",
                             code="NoApplicableCode", status=502)
        return _ogc_response(*refusal.render())
    return response


def _legend_scope(request: HttpRequest) -> LayerScope | None:
    """The scope of the layer a WMS GetLegendGraphic names: MapProxy 7 does not ask its
    authorisation hook for legends, so the policy is applied here, before it."""
    params = {key.lower(): value for key, value in request.GET.items()}
    if params.get("request", "").lower() != "getlegendgraphic":
        return None
    return layer_scope_named(request.user, params.get("layer", ""))


def _wsgi_response(app, environ: dict) -> HttpResponse:
    started, chunks = {}, []

    def start_response(status: str, headers: list, exc_info=None):
        started["status"], started["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    code, _, reason = started["status"].partition(" ")
    response = HttpResponse(b"".join(chunks), status=int(code), reason=reason or None)
    for name, value in started["headers"]:
        if name.lower() not in _HOP_BY_HOP:
            response[name] = value
    return response


def _error_response(error: GeoPortalError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def _scope_or_error(request: HttpRequest, layer: str) -> LayerScope:
    spec = vector_layer_named(layer)
    scope = layer_scope_named(request.user, spec.layer) if spec else None
    if scope is None:
        raise NotFound(detail={"layer": layer})
    return scope.ensure()


@require_GET
def vector_tile(request: HttpRequest, layer: str, z: int, x: int, y: int,
                grid: str = "webmercator") -> HttpResponse:
    """One Mapbox vector tile of `layer` on `grid`: 204 when empty, 304 when unchanged."""
    try:
        scope = _scope_or_error(request, layer)
        vector_tile_check(vector_layer_named(layer), GRIDS[grid], z, x, y)
        if scope.unit_ids is not None and not units_reach(
                scope.unit_ids, GRIDS[grid].tile_bounds(z, x, y), GRIDS[grid].srid):
            raise Forbidden(detail={"layer": layer, "tile": f"{z}/{x}/{y}"})
        tile = vector_tile_render(vector_layer_named(layer), GRIDS[grid], z, x, y,
                                  unit_ids=scope.unit_ids)
    except GeoPortalError as error:
        return _error_response(error)
    return _tile_response(request, tile, private=scope.restricted)


def _tile_response(request: HttpRequest, tile: VectorTile, private: bool) -> HttpResponse:
    # A z14 tile of a town is ~130 KB of protobuf that gzip shrinks to about a third; the
    # compressed tile is another representation, with an ETag of its own.
    gzipped = len(tile.data) >= GZIP_FROM and "gzip" in request.META.get(
        "HTTP_ACCEPT_ENCODING", "")
    etag = tile.etag[:-1] + '-gzip"' if gzipped else tile.etag
    if etag in _if_none_match(request):
        response = HttpResponse(status=304)
    elif not tile.data:
        response = HttpResponse(status=204)
    elif gzipped:
        response = HttpResponse(gzip.compress(tile.data, compresslevel=5, mtime=0),
                                content_type=MVT_TYPE)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(tile.data, content_type=MVT_TYPE)
    response["ETag"] = etag
    vary = ["Accept-Encoding"]
    if private:
        response["Cache-Control"] = f"private, max-age={PRIVATE_MAX_AGE}"
        vary += ["Cookie", "Authorization"]
    else:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response["Vary"] = ", ".join(vary)
    return response


def _if_none_match(request: HttpRequest) -> set[str]:
    # If-None-Match compares weakly: W/"x" matches "x".
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@require_GET
def vector_tilejson(request: HttpRequest, layer: str, grid: str = "webmercator") -> HttpResponse:
    """TileJSON 3.0 describing `layer`'s vector tiles on `grid`."""
    try:
        scope = _scope_or_error(request, layer)
    except GeoPortalError as error:
        return _error_response(error)
    document = tilejson(vector_layer_named(layer), GRIDS[grid], request.build_absolute_uri("/"))
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = ("private, max-age=300" if scope.restricted
                                 else f"public, max-age={PUBLIC_MAX_AGE}")
    return response
