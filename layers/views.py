"""/mapproxy/: MapProxy's OGC services (WMS, WMTS, TMS) behind Django.

The view only hands the request to the MapProxy WSGI app of the current
database and hands its answer back. Access is decided per layer by
`layer_allowed`, the one place for it, and enforced by MapProxy itself through
its authorisation hook (`mapproxy.authorize` in the WSGI environ): a refused
layer is missing from every capabilities document and its maps, tiles and
feature info answer 403. Every layer is public for now.
"""
import io
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .mapproxy_config import publication
from .registry import Access, published_named

MOUNT = "/mapproxy"
# What MapProxy may do with a permitted layer, across WMS, WMTS and TMS.
_PERMITTED = {"map": True, "featureinfo": True, "legendgraphic": True, "tile": True}
# Hop-by-hop headers belong to one connection; the server in front sets its own.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade"}


def layer_allowed(user, layer_name: str) -> bool:
    """May `user` see the published layer `layer_name`? Names not in the registry may not."""
    layer = published_named(layer_name)
    return layer is not None and layer.access == Access.PUBLIC


def mapproxy_authorizer(user) -> Callable[..., dict]:
    """MapProxy's authorisation callback for `user`, answering from `layer_allowed`."""

    def authorize(service: str, layers: list, environ=None, **kwargs) -> dict:
        if service == "demo":  # exists only with DEBUG on
            return {"authorized": "full"}
        # TMS names a tile layer by (layer, grid).
        allowed = [name for name in layers
                   if layer_allowed(user, name[0] if isinstance(name, tuple) else name)]
        if len(allowed) == len(layers):
            return {"authorized": "full"}
        return {"authorized": "partial", "layers": {name: _PERMITTED for name in allowed}}

    return authorize


@csrf_exempt
def mapproxy(request: HttpRequest, path: str = "") -> HttpResponse:
    environ = dict(request.META)
    environ["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "") + MOUNT
    environ["PATH_INFO"] = "/" + path
    # Django may already have read the body; MapProxy gets its own copy.
    environ["wsgi.input"] = io.BytesIO(request.body)
    environ["mapproxy.authorize"] = mapproxy_authorizer(request.user)
    return _wsgi_response(publication().app, environ)


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
