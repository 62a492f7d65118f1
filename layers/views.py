"""/mapproxy/: MapProxy's OGC services (WMS, WMTS, TMS) behind Django.

The view only hands the request to the MapProxy WSGI app of the current
database and hands its answer back. `layer_allowed` is the one place that will
decide which user may see which layer; every layer is public for now.
"""
import io
from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from core.errors import Forbidden

from .mapproxy_config import publication
from .registry import Access, layer_named

MOUNT = "/mapproxy"
# Request parameters and path positions that name layers, per OGC service.
_LAYER_PARAMS = ("layers", "query_layers", "layer")
_LAYER_IN_PATH = {"wmts": 1, "tms": 2}  # index in wmts/<layer>/..., tms/1.0.0/<layer>/...
# Hop-by-hop headers belong to one connection; the server in front sets its own.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade"}


def layer_allowed(user, layer_name: str) -> bool:
    """May `user` see the published layer `layer_name`? Unknown names are MapProxy's to refuse."""
    layer = layer_named(layer_name)
    return layer is None or layer.access == Access.PUBLIC


def requested_layers(path: str, query: str) -> set[str]:
    """Layer names a request asks for, from WMS/WMTS parameters or a WMTS/TMS path."""
    names = set()
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in _LAYER_PARAMS:
            names.update(name for name in value.split(",") if name)
    parts = path.strip("/").split("/")
    index = _LAYER_IN_PATH.get(parts[0])
    if index is not None and len(parts) > index + 1:
        names.add(parts[index])
    return names


@csrf_exempt
def mapproxy(request: HttpRequest, path: str = "") -> HttpResponse:
    denied = sorted(name for name in requested_layers(path, request.META.get("QUERY_STRING", ""))
                    if not layer_allowed(request.user, name))
    if denied:
        error = Forbidden(detail={"layers": denied})
        return HttpResponse(str(error.message), status=error.status,
                            content_type="text/plain; charset=utf-8")
    return _call_mapproxy(request, path)


def _call_mapproxy(request: HttpRequest, path: str) -> HttpResponse:
    environ = dict(request.META)
    environ["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "") + MOUNT
    environ["PATH_INFO"] = "/" + path
    # Django may already have read the body; MapProxy gets its own copy.
    environ["wsgi.input"] = io.BytesIO(request.body)
    started, chunks = {}, []

    def start_response(status: str, headers: list, exc_info=None):
        started["status"], started["headers"] = status, headers
        return chunks.append

    result = publication().app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    body = b"".join(chunks)
    code, _, reason = started["status"].partition(" ")
    response = HttpResponse(body, status=int(code), reason=reason or None)
    for name, value in started["headers"]:
        if name.lower() not in _HOP_BY_HOP:
            response[name] = value
    return response
