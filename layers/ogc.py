"""OGC requests checked before MapProxy sees them, and OGC exceptions with proper statuses.

MapProxy 7 trusts the numbers it parses: WIDTH=0, BBOX=a,b,c,d, X=abc or TILEMATRIX=abc
raise inside it and come back as "internal error" (500). `ogc_refusal` checks those
parameters first and answers with the exception document the client's protocol and
version expect (MapProxy's own handlers write it). MapProxy's coded exceptions all
carry 500; `ogc_status` gives them the status OWS Common (OGC 06-121r9, table 28) and
the WMTS standard (OGC 07-057r7, table 28) assign: 400 for a client's mistake, 501 for an
operation the service does not offer.
"""
import math
import re
from dataclasses import dataclass
from functools import cache

from mapproxy.config.config import load_default_config, local_base_config
from mapproxy.exception import RequestError
from mapproxy.grid.resolutions import resolution_range
from mapproxy.request.wms.exception import WMS111ExceptionHandler, WMS130ExceptionHandler
from mapproxy.request.wmts import WMTS100ExceptionHandler
from mapproxy.srs import SRS

from .mapproxy_config import OGC_PIXEL_M
from .raster_layers import raster_layer_named
from .registry import published_named

MAX_PIXELS = 4096 * 4096  # services.wms.max_output_pixels in mapproxy/base.yaml
MAX_SIDE = 4096 * 4
WMS_VERSIONS = ("1.1.1", "1.3.0")  # services.wms.versions in mapproxy/base.yaml
WMS_REQUESTS = {"getcapabilities", "getmap", "getfeatureinfo", "getlegendgraphic"}
WMTS_REQUESTS = {"getcapabilities", "gettile", "getfeatureinfo"}
# MapProxy's featureinfo_types (base.yaml) as WMS mime types, both versions.
INFO_FORMATS = {"text/plain", "text/html", "text/xml", "application/vnd.ogc.gml",
                "application/json"}
# OWS Common 2.0, table 28; WMS 1.3.0 annex E codes are kinds of InvalidParameterValue.
EXCEPTION_STATUS = {
    "MissingParameterValue": 400, "InvalidParameterValue": 400,
    "VersionNegotiationFailed": 400, "InvalidUpdateSequence": 400,
    "InvalidFormat": 400, "InvalidCRS": 400, "InvalidSRS": 400, "LayerNotDefined": 400,
    "StyleNotDefined": 400, "LayerNotQueryable": 400, "InvalidPoint": 400,
    "MissingDimensionValue": 400, "InvalidDimensionValue": 400, "TileOutOfRange": 400,
    "OperationNotSupported": 501, "OptionNotSupported": 501,
}
# MapProxy's uncoded messages when MapServer (its source) failed: a bad gateway.
_SOURCE_FAILURES = (b"Could not get any sources", b"error while processing image file",
                    b"no response from", b"mapserv")
_CODE = re.compile(rb'(?:code|exceptionCode)="([A-Za-z]+)"')
_WMTS_REST = re.compile(r"^/wmts/(?P<layer>[^/]+)/(?P<grid>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/"
                        r"(?P<y>[^/.]+)\.(?P<ext>[^/]+)$")
_INT = re.compile(r"^-?\d{1,9}$")


@dataclass(frozen=True)
class OgcRefusal:
    """A client's mistake, said as the protocol says it."""

    protocol: str  # wms111, wms130, wmts
    message: str
    code: str = "InvalidParameterValue"
    locator: str | None = None
    status: int = 400

    def render(self) -> tuple[int, str, bytes]:
        handler = {"wms111": WMS111ExceptionHandler, "wms130": WMS130ExceptionHandler,
                   "wmts": WMTS100ExceptionHandler}[self.protocol]()
        error = RequestError(self.message, code=self.code, status=self.status,
                             locator=self.locator)
        with local_base_config(_defaults()):  # MapProxy's templates, outside its app
            response = handler.render(error)
        return self.status, response.content_type, response.data


def ogc_status(status: int, content_type: str, body: bytes) -> int:
    """The status a MapProxy exception document should have been sent with.

    Its uncoded exceptions are about the request (missing parameters, a BBOX it cannot
    transform, an unknown legend layer) except when the renderer behind it failed."""
    if status != 500 or "xml" not in content_type:
        return status
    found = _CODE.search(body[:2000])
    if found:
        return EXCEPTION_STATUS.get(found.group(1).decode(), status)
    if any(marker in body for marker in _SOURCE_FAILURES):
        return 502
    return 400


def ogc_refusal(path: str, params: dict[str, str]) -> OgcRefusal | None:
    """What is wrong with an OGC request MapProxy would choke on, or None.

    `params` are the query parameters with upper-case names."""
    rest = _WMTS_REST.match(path)
    if rest is not None:
        return _tile_numbers("wmts", rest.group("z"), rest.group("x"), rest.group("y"))
    service = params.get("SERVICE", "").upper()
    request = params.get("REQUEST", "").lower()
    if path.rstrip("/") in {"/wmts", "/service"} and service == "WMTS":
        return _wmts_kvp(request, params)
    if path.rstrip("/") in {"/service", "/wms", "/ows"} and service in {"", "WMS"} and (
            "REQUEST" in params):
        return _wms(request, params)
    return None


def _wms(request: str, params: dict[str, str]) -> OgcRefusal | None:
    protocol = protocol_of(params)
    if "VERSION" in params and params["VERSION"] not in WMS_VERSIONS:
        return OgcRefusal(protocol, f"VERSION must be one of {', '.join(WMS_VERSIONS)}.",
                          locator="VERSION")
    if not request:
        return OgcRefusal(protocol, "REQUEST is missing.", code="MissingParameterValue",
                          locator="REQUEST")
    if request not in WMS_REQUESTS:
        return OgcRefusal(protocol, f"Unknown WMS request {request!r}.",
                          code="OperationNotSupported", status=501, locator="REQUEST")
    if request == "getlegendgraphic" and not _known(params.get("LAYER", "")):
        return OgcRefusal(protocol, "LAYER names no layer of this service.",
                          code="LayerNotDefined", locator="LAYER")
    if request not in {"getmap", "getfeatureinfo"}:
        return None
    crs = "CRS" if protocol == "wms130" else "SRS"
    for name in ("LAYERS", crs):
        if not params.get(name):
            return OgcRefusal(protocol, f"{name} is missing.", code="MissingParameterValue",
                              locator=name)
    found = _frame(protocol, params)
    if found is None and request == "getfeatureinfo":
        found = _feature_info(protocol, params)
    return found


def _frame(protocol: str, params: dict[str, str]) -> OgcRefusal | None:
    width, height = params.get("WIDTH", ""), params.get("HEIGHT", "")
    for name, value in (("WIDTH", width), ("HEIGHT", height)):
        if not _INT.match(value) or not 0 < int(value) <= MAX_SIDE:
            return OgcRefusal(protocol, f"{name} must be a whole number of pixels from 1 to "
                                        f"{MAX_SIDE}.", locator=name)
    if int(width) * int(height) > MAX_PIXELS:
        return OgcRefusal(protocol, f"The image may have at most {MAX_PIXELS} pixels.",
                          locator="WIDTH")
    if _bbox(params.get("BBOX", "")) is None:
        return OgcRefusal(protocol, "BBOX must be four numbers minx,miny,maxx,maxy with "
                                    "minx < maxx and miny < maxy.", locator="BBOX")
    return None


def _bbox(value: str) -> tuple[float, ...] | None:
    parts = value.split(",")
    if len(parts) != 4:
        return None
    try:
        numbers = tuple(float(part) for part in parts)
    except ValueError:
        return None
    if not all(math.isfinite(n) for n in numbers):
        return None
    return numbers if numbers[0] < numbers[2] and numbers[1] < numbers[3] else None


def _feature_info(protocol: str, params: dict[str, str]) -> OgcRefusal | None:
    axes = ("I", "J") if protocol == "wms130" else ("X", "Y")
    for name, limit in zip(axes, ("WIDTH", "HEIGHT"), strict=True):
        value = params.get(name, "")
        if not _INT.match(value) or not 0 <= int(value) < int(params[limit]):
            return OgcRefusal(protocol, f"{name} must be a pixel of the map (0 to "
                                        f"{int(params[limit]) - 1}).",
                              code="InvalidPoint", locator=name)
    layers = [name for name in params.get("LAYERS", "").split(",") if name]
    query_layers = [name for name in params.get("QUERY_LAYERS", "").split(",") if name]
    if not query_layers:
        return OgcRefusal(protocol, "QUERY_LAYERS is missing.", code="MissingParameterValue",
                          locator="QUERY_LAYERS")
    for name in query_layers:
        if name not in layers or not _known(name):
            return OgcRefusal(protocol, f"Layer {name!r} is not among LAYERS of this service.",
                              code="LayerNotDefined", locator="QUERY_LAYERS")
        if not _queryable(name):
            return OgcRefusal(protocol, f"Layer {name!r} cannot be queried.",
                              code="LayerNotQueryable", locator="QUERY_LAYERS")
    info_format = params.get("INFO_FORMAT")
    if info_format is not None and info_format not in INFO_FORMATS:
        return OgcRefusal(protocol, f"INFO_FORMAT {info_format!r} is not offered; use one of "
                                    f"{', '.join(sorted(INFO_FORMATS))}.",
                          code="InvalidFormat", locator="INFO_FORMAT")
    for name in ("FEATURE_COUNT",):
        if name in params and not (_INT.match(params[name]) and int(params[name]) > 0):
            return OgcRefusal(protocol, f"{name} must be a positive whole number.",
                              locator=name)
    return None


def _wmts_kvp(request: str, params: dict[str, str]) -> OgcRefusal | None:
    if request not in WMTS_REQUESTS:
        return OgcRefusal("wmts", f"Unknown WMTS request {request!r}.",
                          code="OperationNotSupported", status=501, locator="REQUEST")
    if request == "getcapabilities":
        return None
    return _tile_numbers("wmts", params.get("TILEMATRIX", ""), params.get("TILECOL", ""),
                         params.get("TILEROW", ""))


def _tile_numbers(protocol: str, z: str, x: str, y: str) -> OgcRefusal | None:
    for name, value in (("TileMatrix", z), ("TileCol", x), ("TileRow", y)):
        if not _INT.match(value) or int(value) < 0:
            return OgcRefusal(protocol, f"{name} must be a whole number from 0.",
                              locator=name)
    return None


@cache
def _defaults():
    return load_default_config()


def _known(name: str) -> bool:
    return published_named(name) is not None or raster_layer_named(name) is not None


def _queryable(name: str) -> bool:
    layer = published_named(name)
    return layer is not None and layer.is_queryable


def query_layers_in_scale(params: dict[str, str], protocol: str) -> list[str]:
    """The QUERY_LAYERS of a checked GetFeatureInfo drawn at the map's scale; MapServer
    answers nothing at all (not even an empty JSON document) for the others."""
    srs_name = params.get("CRS" if protocol == "wms130" else "SRS", "EPSG:2180")
    try:
        with local_base_config(_defaults()):
            srs = SRS(srs_name)
    except Exception:  # noqa: BLE001 - MapProxy itself then answers InvalidCRS
        return params["QUERY_LAYERS"].split(",")
    bbox = _bbox(params["BBOX"])
    if protocol == "wms130" and srs.is_axis_order_ne:
        bbox = (bbox[1], bbox[0], bbox[3], bbox[2])
    size = (int(params["WIDTH"]), int(params["HEIGHT"]))
    kept = []
    for name in params["QUERY_LAYERS"].split(","):
        layer = published_named(name)
        scales = resolution_range(
            min_res=layer.max_scale * OGC_PIXEL_M if layer.max_scale else None,
            max_res=layer.min_scale * OGC_PIXEL_M if layer.min_scale else None)
        if scales is None or scales.contains(bbox, size, srs):
            kept.append(name)
    return kept


# GetFeatureInfo answers where nothing was (or could be) queried, per INFO_FORMAT.
EMPTY_INFO = {
    "application/json": b'{"type": "FeatureCollection", "features": []}',
    "text/xml": b'<msGMLOutput xmlns:gml="http://www.opengis.net/gml"></msGMLOutput>',
    "application/vnd.ogc.gml": b'<msGMLOutput xmlns:gml="http://www.opengis.net/gml">'
                               b'</msGMLOutput>',
    "text/html": b'<html lang="pl"><head><meta charset="utf-8"></head><body></body></html>',
    "text/plain": b"",
}
# What MapServer writes when it fails, in place of a feature info document.
_MAPSERVER_ERRORS = (b"<ServiceExceptionReport", b"msWMS", b"MapServer Message",
                     b"msQueryBy", b"msDrawMap")


def empty_info(info_format: str) -> tuple[str, bytes]:
    """(content type, body) of a feature info that found nothing."""
    content_type = info_format if info_format in EMPTY_INFO else "text/plain"
    return content_type, EMPTY_INFO[content_type]


def mapserver_failed(body: bytes) -> bool:
    """A 200 feature info that is really MapServer's error text."""
    head = body[:400]
    return any(marker in head for marker in _MAPSERVER_ERRORS)


def protocol_of(params: dict[str, str]) -> str:
    if params.get("SERVICE", "").upper() == "WMTS":
        return "wmts"
    return "wms130" if params.get("VERSION", "1.3.0") == "1.3.0" else "wms111"
